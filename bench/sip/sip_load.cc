// sip_load: places calls through SipEndpoint at a fixed rate against a SIP peer (a sipp UAS)
// and reports achieved calls/s, peak concurrent calls, failures, CPU per call and peak RSS.
//   sip_load --trunk 127.0.0.1:5070 --rate 500 --seconds 10 --prefix 2000002
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <sys/resource.h>

#include "dialer/sip.h"

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::string trunk = "127.0.0.1:5070";
  std::string prefix = "2000002";
  double rate = 100;
  double seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--trunk")
      trunk = v;
    else if (k == "--rate")
      rate = std::atof(v.c_str());
    else if (k == "--seconds")
      seconds = std::atof(v.c_str());
    else if (k == "--prefix")
      prefix = v;
  }
  sondeo::dialer::SipOptions opt;
  opt.trunk = trunk;
  opt.uri_format = "sip:" + prefix + "{digits}@{trunk}";
  std::atomic<int64_t> finished{0}, answered{0}, failed{0};
  std::mutex mu;
  std::map<int, int64_t> codes;
  auto ep = sondeo::dialer::SipEndpoint::Start(
      opt, sondeo::dialer::SipOutcomeTable::Defaults(),
      [&](const sondeo::dialer::SipCallEvent& ev) {
        if (ev.kind == sondeo::dialer::SipCallEvent::Kind::kAnswered) ++answered;
        if (ev.kind != sondeo::dialer::SipCallEvent::Kind::kFinished) return;
        ++finished;
        if (!ev.was_answered) {
          ++failed;
          std::lock_guard lock(mu);
          ++codes[ev.sip_code];
        }
      });
  if (!ep) {
    std::fprintf(stderr, "%s\n", ep.error().ToString().c_str());
    return 2;
  }
  const auto total = static_cast<int64_t>(rate * seconds);
  const auto start = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  size_t peak = 0;
  for (int64_t i = 0; i < total; ++i) {
    const auto due = start + std::chrono::microseconds(
                                 static_cast<int64_t>(1e6 * static_cast<double>(i) / rate));
    std::this_thread::sleep_until(due);
    char num[32];
    std::snprintf(num, sizeof num, "+5730%08lld", static_cast<long long>(i % 100000000));
    (*ep)->Originate(num, std::chrono::seconds(30));
    if ((i & 63) == 0) peak = std::max(peak, (*ep)->active_calls());
  }
  const auto sent_at = std::chrono::steady_clock::now();
  while (finished.load() < total &&
         std::chrono::steady_clock::now() - sent_at < std::chrono::seconds(60)) {
    peak = std::max(peak, (*ep)->active_calls());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double send_s = std::chrono::duration<double>(sent_at - start).count();
  const double cpu = CpuSeconds() - cpu0;
  (*ep)->Stop();
  std::printf(
      "{\"offered_rate\":%.0f,\"achieved_rate\":%.1f,\"calls\":%lld,\"answered\":%lld,"
      "\"failed\":%lld,\"unfinished\":%lld,\"peak_concurrent\":%zu,\"cpu_ms_per_call\":%.3f,"
      "\"peak_rss_mb\":%.1f",
      rate, static_cast<double>(total) / send_s, static_cast<long long>(total),
      static_cast<long long>(answered.load()), static_cast<long long>(failed.load()),
      static_cast<long long>(total - finished.load()), peak,
      1000.0 * cpu / static_cast<double>(total), static_cast<double>(PeakRssKb()) / 1024.0);
  std::printf(",\"failure_codes\":{");
  bool first = true;
  for (const auto& [code, n] : codes) {
    std::printf("%s\"%d\":%lld", first ? "" : ",", code, static_cast<long long>(n));
    first = false;
  }
  std::printf("}}\n");
  return failed.load() == 0 && finished.load() == total ? 0 : 1;
}
