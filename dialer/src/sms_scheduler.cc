#include "dialer/sms_scheduler.h"

#include <utility>
#include <vector>

#include "common/log.h"
#include "dialer/lease.h"

namespace sondeo::dialer {

SmsScheduler::SmsScheduler(SmsSchedulerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<SmsScheduler>> SmsScheduler::Start(SmsSchedulerOptions options) {
  if (options.poll <= Duration::zero()) {
    return Status::InvalidArgument("sms: el intervalo de revisión debe ser positivo");
  }
  auto gateway = HttpGateway::Create(options.gateway);
  if (!gateway) return gateway.error();
  std::unique_ptr<SmsScheduler> s(new SmsScheduler(std::move(options)));
  s->gateway_ = std::move(*gateway);
  s->options_.sender.max_wait = Duration::zero();
  s->options_.sender.stop = [raw = s.get()] {
    std::lock_guard<std::mutex> l(raw->mu_);
    return raw->stopping_;
  };
  s->thread_ = std::thread([raw = s.get()] { raw->Loop(); });
  return s;
}

SmsScheduler::~SmsScheduler() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void SmsScheduler::Stop() {
  std::lock_guard<std::mutex> l(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void SmsScheduler::WakeUp() {
  std::lock_guard<std::mutex> l(mu_);
  woken_ = true;
  cv_.notify_all();
}

bool SmsScheduler::Sleep(Duration d) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, d, [this] { return stopping_ || woken_; });
  woken_ = false;
  return !stopping_;
}

void SmsScheduler::Loop() {
  auto db = store::Db::Open(options_.db_path, options_.db);
  if (!db) {
    log::Error("sms: el envío programado no pudo abrir la base de datos: {}", db.error().message());
    return;
  }
  log::Info("sms: envío programado activo (revisión cada {} s)",
            std::chrono::duration_cast<std::chrono::seconds>(options_.poll).count());
  // Backoff inside RunBlast sleeps here too, so Stop() interrupts it.
  const Sleeper sleeper = [this](Duration d) { Sleep(d); };
  const LeaseOwner me = ThisProcess("serve");
  bool refused = false;  // logged once per refusal spell
  while (true) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stopping_) break;
    }
    // One sender per database: while `sms send|run` (or another serve) sends, wait.
    if (Status s = AcquireNamedLease(**db, "sms", me, LeaseNowMs(), kSmsSenderLeaseTtlMs);
        !s.ok()) {
      if (!refused) log::Warn("sms: {}", s.message());
      refused = true;
      if (!Sleep(options_.poll)) break;
      continue;
    }
    refused = false;
    auto ids = UnfinishedBlasts(**db);
    if (!ids) {
      log::Error("sms: no se pudieron leer los envíos pendientes: {}", ids.error().message());
    } else {
      for (int64_t id : *ids) {
        if (options_.sender.stop()) break;
        auto r = RunBlast(**db, id, *gateway_, *options_.clock, sleeper, options_.sender);
        if (!r) {
          // An outage longer than max_outage, or a database error: the blast keeps its
          // place and is tried again at the next poll.
          log::Error("sms: {}", r.error().message());
          continue;
        }
        if (r->done) {
          log::Info("sms: envío {} terminado: {} enviados, {} rechazados, {} inciertos", id,
                    r->sent, r->failed, r->uncertain);
        }
      }
    }
    if (!Sleep(options_.poll)) break;
  }
  (void)ReleaseNamedLease(**db, "sms", me);
  log::Info("sms: envío programado detenido");
}

}  // namespace sondeo::dialer
