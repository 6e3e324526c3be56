#pragma once
// SMS gateways over HTTP (libcurl multi interface): Kannel smsbox's /cgi-bin/sendsms and a
// generic HTTP JSON gateway (aggregators' REST APIs). Building a request and classifying its
// answer are pure functions; HttpGateway does the I/O.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sondeo::dialer {

struct KannelConfig {
  std::string url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  std::string username;
  std::string password;
  std::string from;  // sender id / short code
  std::string smsc;  // optional smsc-id to route through
  int dlr_mask = 0;  // e.g. 31 = every report; 0 = none
  // Base of the delivery-report URL (e.g. "http://127.0.0.1:8099/dlr"); sondeo appends
  // "key=<idempotency key>&status=%d&answer=%A&ts=%T". Empty: no dlr-url.
  std::string dlr_url;
};

struct HttpJsonConfig {
  std::string url;
  std::string method = "POST";
  // "Name: value" lines; may use the placeholders below.
  std::vector<std::string> headers = {"Content-Type: application/json"};
  // Placeholders (values JSON-escaped, without quotes): {to} (E.164), {to_digits} (no '+'),
  // {text}, {key} (idempotency key), {from}, {encoding} ("GSM-7"|"UCS-2"). Only "{name}" with
  // name in [A-Za-z0-9_] is a placeholder; the JSON's own braces are literal (no doubling).
  std::string body_template = R"({"to":"{to}","text":"{text}","reference":"{key}"})";
  std::string from;
  // True when the gateway de-duplicates by {key}: a request that may or may not have arrived
  // (timeout after sending) is then retried instead of marked uncertain.
  bool dedupes_by_key = false;
};

enum class GatewayKind { kKannel, kHttpJson };

struct GatewayConfig {
  GatewayKind kind = GatewayKind::kKannel;
  KannelConfig kannel;
  HttpJsonConfig http;
  int concurrency = 16;        // requests in flight at most
  double rate_per_second = 0;  // requests started per second at most; 0 = unlimited
  int connect_timeout_ms = 2000;
  int timeout_ms = 10000;  // whole request
  bool verify_tls = true;  // never turned off in production; CA bundle below if needed
  std::string ca_file;
};

// One message to hand to a gateway.
struct OutboundSms {
  int64_t id = 0;       // sms_messages.id
  std::string key;      // idempotency key
  std::string to_e164;  // "+573001234567"
  std::string text;     // UTF-8
};

struct HttpRequest {
  std::string method;  // "GET" or "POST", ...
  std::string url;     // with the query string for GET
  std::vector<std::string> headers;
  std::string body;
};

// Kannel sendsms GET: username, password, from, to (digits, no '+'), text, charset=UTF-8, and
// coding=2 when the text is not pure GSM-7 (with Kannel's default coding, á í ó ú silently
// become '?'); dlr-mask and dlr-url when configured; every parameter URL-encoded.
HttpRequest BuildKannelRequest(const KannelConfig& config, const OutboundSms& sms);
// The generic gateway's request; kInvalidArgument for an unknown placeholder in the template.
Result<HttpRequest> BuildHttpJsonRequest(const HttpJsonConfig& config, const OutboundSms& sms);
std::string UrlEncode(std::string_view s);
std::string JsonEscape(std::string_view s);

// What happened on the wire.
enum class Transport {
  kOk,            // an HTTP status came back
  kNotConnected,  // could not connect / resolve: nothing reached the gateway
  kTimedOut,      // timed out
  kBroken,        // connection reset, empty reply, TLS failure, ...
};

enum class SendOutcome {
  kAccepted,   // 2xx: the gateway took it
  kRejected,   // 4xx (but 408/429): never retried
  kRetry,      // 5xx, 408, 429, not connected, or a failure before the request went out
  kUncertain,  // the request went out and no answer came: it may have been sent; not retried
               // unless the gateway de-duplicates by key
};
std::string_view SendOutcomeName(SendOutcome o);

// Pure: the outcome of one request.
SendOutcome ClassifySend(Transport transport, long http_status, bool request_sent,
                         bool gateway_dedupes);

struct SendResult {
  int64_t id = 0;
  SendOutcome outcome = SendOutcome::kRetry;
  long http_status = 0;
  std::string detail;  // short; never the phone number
  // False for a message handed to SendStream that was never started because `done` asked
  // to stop first (outcome kRetry): nothing reached the gateway.
  bool started = true;
};

class HttpGateway {
 public:
  static Result<std::unique_ptr<HttpGateway>> Create(GatewayConfig config);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Sends every message once (one request each) with at most `concurrency` in flight and at
  // most `rate_per_second` started per second; blocks until every request has finished.
  // Returns one result per message, in input order.
  std::vector<SendResult> SendAll(const std::vector<OutboundSms>& batch);

  // The same, streaming: `refill` is called whenever fewer messages wait than there are
  // connections, and returns the next ones (empty: no more for now); `done` receives each
  // finished message's result with its position in the stream (0, 1, ...) and returns
  // false to stop: no more refills, messages already handed over but not started are
  // reported at once with started = false, and requests already started are always
  // finished (and reported) before it returns. No connection waits for the slowest request
  // of a batch.
  using Refill = std::function<std::vector<OutboundSms>()>;
  using Done = std::function<bool(size_t position, SendResult result)>;
  void SendStream(const Refill& refill, const Done& done);

  const GatewayConfig& config() const { return config_; }

 private:
  explicit HttpGateway(GatewayConfig config);
  struct Impl;
  GatewayConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sondeo::dialer
