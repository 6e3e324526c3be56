// HTTP SMS gateways over the libcurl multi interface (dialer/sms_gateway.h).
#include "dialer/sms_gateway.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <curl/curl.h>

#include "common/log.h"
#include "common/text.h"
#include "dialer/sms.h"

namespace sondeo::dialer {

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
        b == '_' || b == '.' || b == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0F]);
    }
  }
  return out;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  AppendJsonEscaped(out, s);
  return out;
}

namespace {

std::string Digits(std::string_view e164) {
  std::string out;
  for (char c : e164) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

}  // namespace

HttpRequest BuildKannelRequest(const KannelConfig& config, const OutboundSms& sms) {
  HttpRequest req;
  req.method = "GET";
  std::string q;
  auto add = [&q](std::string_view name, std::string_view value) {
    q += q.empty() ? "" : "&";
    q += name;
    q += '=';
    q += UrlEncode(value);
  };
  add("username", config.username);
  add("password", config.password);
  if (!config.from.empty()) add("from", config.from);
  add("to", Digits(sms.to_e164));
  add("text", sms.text);
  add("charset", "UTF-8");
  if (!IsPureGsm7(sms.text)) add("coding", "2");
  if (!config.smsc.empty()) add("smsc", config.smsc);
  if (config.dlr_mask > 0 && !config.dlr_url.empty()) {
    add("dlr-mask", std::to_string(config.dlr_mask));
    std::string dlr = config.dlr_url;
    dlr += dlr.find('?') == std::string::npos ? '?' : '&';
    dlr += "key=" + UrlEncode(sms.key) + "&status=%d&answer=%A&ts=%T";
    add("dlr-url", dlr);
  }
  req.url = config.url + (config.url.find('?') == std::string::npos ? "?" : "&") + q;
  return req;
}

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Gateway templates are JSON (or header lines), full of literal braces: only "{name}" with
// name made of [A-Za-z0-9_] is a placeholder; every other brace is copied as is (so
// {"to":"{to}"} and nested objects ending in "}}" render as written). An unknown name is an
// error naming it and its 1-based column.
Result<std::string> RenderGatewayTemplate(std::string_view tmpl, const PlaceholderLookup& lookup) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      size_t j = i + 1;
      while (j < tmpl.size() && IsNameChar(tmpl[j])) ++j;
      if (j > i + 1 && j < tmpl.size() && tmpl[j] == '}') {
        const std::string_view name = tmpl.substr(i + 1, j - i - 1);
        std::optional<std::string> v = lookup(name);
        if (!v) {
          return Status::InvalidArgument("plantilla, columna " + std::to_string(i + 1) +
                                         ": campo desconocido {" + std::string(name) + "}");
        }
        out += *v;
        i = j + 1;
        continue;
      }
    }
    out.push_back(tmpl[i]);
    ++i;
  }
  return out;
}

}  // namespace

Result<HttpRequest> BuildHttpJsonRequest(const HttpJsonConfig& config, const OutboundSms& sms) {
  const std::string encoding(SmsEncodingName(Segment(sms.text).encoding));
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "to") return JsonEscape(sms.to_e164);
    if (name == "to_digits") return Digits(sms.to_e164);
    if (name == "text") return JsonEscape(sms.text);
    if (name == "key") return JsonEscape(sms.key);
    if (name == "from") return JsonEscape(config.from);
    if (name == "encoding") return encoding;
    return std::nullopt;
  };
  HttpRequest req;
  req.method = config.method;
  req.url = config.url;
  auto body = RenderGatewayTemplate(config.body_template, lookup);
  if (!body) return Status::InvalidArgument("gateway http, body: " + body.error().message());
  req.body = std::move(*body);
  for (const auto& h : config.headers) {
    auto line = RenderGatewayTemplate(h, lookup);
    if (!line) return Status::InvalidArgument("gateway http, header: " + line.error().message());
    req.headers.push_back(std::move(*line));
  }
  return req;
}

std::string_view SendOutcomeName(SendOutcome o) {
  switch (o) {
    case SendOutcome::kAccepted:
      return "accepted";
    case SendOutcome::kRejected:
      return "rejected";
    case SendOutcome::kRetry:
      return "retry";
    case SendOutcome::kUncertain:
      return "uncertain";
  }
  return "?";
}

SendOutcome ClassifySend(Transport transport, long http_status, bool request_sent,
                         bool gateway_dedupes) {
  switch (transport) {
    case Transport::kOk:
      if (http_status >= 200 && http_status < 300) return SendOutcome::kAccepted;
      if (http_status == 408 || http_status == 429) return SendOutcome::kRetry;
      if (http_status >= 500) return SendOutcome::kRetry;
      if (http_status >= 400) return SendOutcome::kRejected;
      // 1xx/3xx: not an answer we understand; the gateway may have sent it.
      return gateway_dedupes ? SendOutcome::kRetry : SendOutcome::kUncertain;
    case Transport::kNotConnected:
      return SendOutcome::kRetry;
    case Transport::kTimedOut:
    case Transport::kBroken:
      if (!request_sent || gateway_dedupes) return SendOutcome::kRetry;
      return SendOutcome::kUncertain;
  }
  return SendOutcome::kUncertain;
}

// ---------------------------------------------------------------------------------------

namespace {

std::once_flag g_curl_init;

size_t WriteToString(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * nmemb;
  if (out->size() < 512) out->append(ptr, std::min(n, 512 - out->size()));
  return n;
}

struct Slot {
  CURL* easy = nullptr;
  size_t index = 0;  // position in the stream
  int64_t id = 0;    // sms_messages.id
  bool active = false;
  std::string response;
  std::string body;
  curl_slist* headers = nullptr;
};

Transport TransportOf(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Transport::kOk;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Transport::kNotConnected;
    case CURLE_OPERATION_TIMEDOUT:
      return Transport::kTimedOut;
    default:
      return Transport::kBroken;
  }
}

}  // namespace

struct HttpGateway::Impl {
  CURLM* multi = nullptr;
  std::vector<Slot> slots;
  ~Impl() {
    for (auto& s : slots) {
      if (s.active) curl_multi_remove_handle(multi, s.easy);
      if (s.headers) curl_slist_free_all(s.headers);
      if (s.easy) curl_easy_cleanup(s.easy);
    }
    if (multi) curl_multi_cleanup(multi);
  }
};

HttpGateway::HttpGateway(GatewayConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {}
HttpGateway::~HttpGateway() = default;

Result<std::unique_ptr<HttpGateway>> HttpGateway::Create(GatewayConfig config) {
  if (config.concurrency < 1 || config.concurrency > 1000) {
    return Status::InvalidArgument("gateway: la concurrencia debe estar entre 1 y 1000");
  }
  if (config.rate_per_second < 0) {
    return Status::InvalidArgument("gateway: la tasa no puede ser negativa");
  }
  const std::string& url =
      config.kind == GatewayKind::kKannel ? config.kannel.url : config.http.url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("gateway: la URL debe empezar por http:// o https://");
  }
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<HttpGateway> g(new HttpGateway(std::move(config)));
  g->impl_->multi = curl_multi_init();
  if (g->impl_->multi == nullptr) return Status::Internal("curl_multi_init failed");
  g->impl_->slots.resize(static_cast<size_t>(g->config_.concurrency));
  for (auto& s : g->impl_->slots) {
    s.easy = curl_easy_init();
    if (s.easy == nullptr) return Status::Internal("curl_easy_init failed");
  }
  return g;
}

std::vector<SendResult> HttpGateway::SendAll(const std::vector<OutboundSms>& batch) {
  std::vector<SendResult> results(batch.size());
  bool given = false;
  SendStream(
      [&] {
        if (given) return std::vector<OutboundSms>();
        given = true;
        return batch;
      },
      [&](size_t position, SendResult result) {
        results[position] = std::move(result);
        return true;
      });
  return results;
}

void HttpGateway::SendStream(const Refill& refill, const Done& done) {
  using SteadyClock = std::chrono::steady_clock;
  std::deque<std::pair<size_t, OutboundSms>> todo;  // position in the stream, message
  size_t next_position = 0;
  bool refilling = true;
  const bool dedupes = config_.kind == GatewayKind::kHttpJson && config_.http.dedupes_by_key;
  const auto interval = config_.rate_per_second > 0
                            ? std::chrono::duration_cast<SteadyClock::duration>(
                                  std::chrono::duration<double>(1.0 / config_.rate_per_second))
                            : SteadyClock::duration::zero();
  auto next_start = SteadyClock::now();
  int active = 0;
  bool stopping = false;
  auto report = [&](size_t position, SendResult result) {
    if (!done(position, std::move(result))) {
      refilling = false;
      stopping = true;
    }
  };
  // After a stop, what was handed over but not started goes back unsent.
  auto drop_unstarted = [&] {
    while (stopping && !todo.empty()) {
      auto [position, sms] = std::move(todo.front());
      todo.pop_front();
      SendResult r;
      r.id = sms.id;
      r.outcome = SendOutcome::kRetry;
      r.detail = "no iniciado";
      r.started = false;
      done(position, std::move(r));
    }
  };

  // Starts `sms` on `slot`; false when no request could be built (reported as rejected).
  auto start = [&](Slot& slot, size_t position, const OutboundSms& sms) -> bool {
    HttpRequest req;
    if (config_.kind == GatewayKind::kKannel) {
      req = BuildKannelRequest(config_.kannel, sms);
    } else {
      auto r = BuildHttpJsonRequest(config_.http, sms);
      if (!r) {
        SendResult rejected;
        rejected.id = sms.id;
        rejected.outcome = SendOutcome::kRejected;
        rejected.detail = r.error().message();
        report(position, std::move(rejected));
        return false;
      }
      req = std::move(*r);
    }
    CURL* e = slot.easy;
    curl_easy_reset(e);  // keeps the live connections of this handle
    if (slot.headers) {
      curl_slist_free_all(slot.headers);
      slot.headers = nullptr;
    }
    slot.response.clear();
    slot.body = std::move(req.body);
    slot.index = position;
    slot.id = sms.id;
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, config_.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, config_.verify_tls ? 2L : 0L);
    if (!config_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, config_.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteToString);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &slot.response);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &slot);
    if (req.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, slot.body.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(slot.body.size()));
      if (req.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    for (const auto& h : req.headers) slot.headers = curl_slist_append(slot.headers, h.c_str());
    if (slot.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, slot.headers);
    curl_multi_add_handle(impl_->multi, e);
    slot.active = true;
    return true;
  };

  while (true) {
    // Keep a connection's worth of messages waiting.
    if (refilling && todo.size() < impl_->slots.size()) {
      std::vector<OutboundSms> more = refill();
      if (more.empty()) refilling = false;
      for (auto& m : more) todo.emplace_back(next_position++, std::move(m));
    }
    drop_unstarted();
    if (todo.empty() && active == 0) break;
    // Start as many as concurrency and rate allow.
    for (auto& slot : impl_->slots) {
      if (todo.empty() || stopping) break;
      if (slot.active) continue;
      if (interval.count() > 0 && SteadyClock::now() < next_start) break;
      auto [position, sms] = std::move(todo.front());
      todo.pop_front();
      if (start(slot, position, sms)) {
        ++active;
        if (interval.count() > 0) {
          next_start = std::max(next_start + interval, SteadyClock::now() - interval * 4);
        }
      }
    }
    int running = 0;
    curl_multi_perform(impl_->multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(impl_->multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &slot);
      const CURLcode code = m->data.result;
      long status = 0;
      long request_size = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_getinfo(m->easy_handle, CURLINFO_REQUEST_SIZE, &request_size);
      SendResult r;
      r.id = slot->id;
      r.http_status = status;
      r.outcome = ClassifySend(TransportOf(code), status, request_size > 0, dedupes);
      if (code != CURLE_OK) {
        r.detail = curl_easy_strerror(code);
      } else {
        std::string text = slot->response;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        r.detail = Redact(text.substr(0, 120));
      }
      curl_multi_remove_handle(impl_->multi, m->easy_handle);
      slot->active = false;
      --active;
      report(slot->index, std::move(r));
    }
    drop_unstarted();
    if (todo.empty() && active == 0 && !refilling) break;
    if (todo.empty() && active == 0) continue;  // ask for more at once
    int wait_ms = 50;
    if (interval.count() > 0 && !todo.empty()) {
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_start - SteadyClock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(until.count(), 0, 50));
    }
    if (active > 0) {
      curl_multi_poll(impl_->multi, nullptr, 0, wait_ms, nullptr);
    } else if (wait_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
  }
}

}  // namespace sondeo::dialer
