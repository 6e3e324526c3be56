#pragma once
// The background SMS sender of `sondeo serve`: a thread with its own database connection
// that runs every unfinished blast (and sequence step) when it is due and inside the legal
// hours, through one gateway, with RunBlast's exactly-once claims. Blasts are scheduled by
// `sondeo sms send --no-wait` (or with a later --at) and picked up within `poll`.
// A kill -9 at any moment sends nobody twice: the next start marks the rows that were in
// flight 'uncertain' (or 'sent' when a delivery report already confirmed them).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "dialer/sms_gateway.h"
#include "dialer/sms_send.h"
#include "store/db.h"

namespace sondeo::dialer {

struct SmsSchedulerOptions {
  std::string db_path;    // the database (already migrated by whoever started us)
  store::DbOptions db;    // busy timeout, durability
  GatewayConfig gateway;  // validated by Start
  SenderOptions sender;   // max_wait is forced to zero: never block waiting for a time
  Duration poll{std::chrono::seconds(5)};  // how often scheduled blasts are looked for
  Clock* clock = &SystemClock::Instance();
};

class SmsScheduler {
 public:
  // Creates the gateway (kInvalidArgument for a bad configuration) and starts the thread.
  static Result<std::unique_ptr<SmsScheduler>> Start(SmsSchedulerOptions options);
  ~SmsScheduler();  // Stop() and join
  SmsScheduler(const SmsScheduler&) = delete;
  SmsScheduler& operator=(const SmsScheduler&) = delete;

  // Asks the thread to stop: a send in progress stops claiming, finishes the requests in
  // flight and records them. Thread-safe.
  void Stop();
  // Looks for due blasts now instead of at the next poll. Thread-safe.
  void WakeUp();

 private:
  explicit SmsScheduler(SmsSchedulerOptions options);
  void Loop();
  // Sleeps up to `d`; false when stopping.
  bool Sleep(Duration d);

  SmsSchedulerOptions options_;
  std::unique_ptr<HttpGateway> gateway_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // (mu_)
  bool woken_ = false;     // (mu_)
  std::thread thread_;
};

}  // namespace sondeo::dialer
