// The network side of the server (the only Beast translation unit): listener, HTTP(S)
// sessions as coroutines, WebSocket sessions with an outbox (asio chat_server shape), the
// wallboard ticker, shutdown. Every API call runs on the store thread (Api).
#include <algorithm>
#include <csignal>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <type_traits>

#include "common/asio.h"
#include "common/log.h"
#include "dialer/sms_scheduler.h"
#include "server/server.h"
#include "server/src/api.h"
#include "server/src/assets.h"
// clang-format off
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
// clang-format on

namespace sondeo::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

namespace {

// A WebSocket peer that others push messages to (io thread only).
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  virtual void Deliver(std::string message) = 0;
  virtual void Stop() = 0;
  std::string user;
  Role role = Role::kAgent;
};

void LogException(const char* what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    log::Error("server: {}: {}", what, x.what());
  } catch (...) {
    log::Error("server: {}: unknown exception", what);
  }
}

}  // namespace

// Everything the coroutines share. Members marked (io) are touched only on the io thread.
struct Shared {
  explicit Shared(ServerOptions o) : opts(std::move(o)), acceptor(ioc), wallboard_timer(ioc) {}

  ServerOptions opts;
  asio::io_context ioc{1};
  asio::thread_pool store{1};
  std::unique_ptr<store::Db> db;  // store thread only
  std::unique_ptr<Api> api;       // store thread only
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  asio::steady_timer wallboard_timer;
  std::optional<asio::signal_set> signals;
  // The dialer's wake-up (store thread only; created on it, see Server::Start).
  std::optional<asio::steady_timer> dial_timer;
  // When the armed dial_timer fires (store); max() when it is not armed.
  asio::steady_timer::time_point dial_armed_for = asio::steady_timer::time_point::max();
  bool dial_stopped = false;                               // (store)
  bool stopping = false;                                   // (io)
  uint64_t next_id = 1;                                    // (io)
  std::map<uint64_t, std::function<void()>> http_closers;  // (io)
  std::map<uint64_t, std::weak_ptr<WsPeer>> peers;         // (io)

  void Publish(const Push& p) {
    for (auto it = peers.begin(); it != peers.end();) {
      auto peer = it->second.lock();
      if (!peer) {
        it = peers.erase(it);
        continue;
      }
      ++it;
      if (p.user.empty() ? IsSupervisor(peer->role) : peer->user == p.user) {
        peer->Deliver(p.message);
      }
    }
  }

  bool HasSupervisorPeers() const {
    for (const auto& [id, w] : peers) {
      if (auto peer = w.lock(); peer && IsSupervisor(peer->role)) return true;
    }
    return false;
  }

  void DoStop() {
    if (stopping) return;
    stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    wallboard_timer.cancel();
    if (signals) signals->cancel(ec);
    auto closers = http_closers;  // closing may erase entries
    for (auto& [id, close] : closers) close();
    auto all = peers;
    for (auto& [id, w] : all) {
      if (auto peer = w.lock()) peer->Stop();
    }
    // The dialer's timer is pending work of the store pool: cancel it there, or join() waits.
    asio::post(store, [this] {
      dial_stopped = true;
      if (dial_timer) dial_timer->cancel();
    });
  }
};

// After any store-thread work (API call, dialer wake-up, SIP event): publish the pushes the
// engines' events produced and re-arm the dialer's timer for its next wake-up. Store thread.
void AfterStore(const std::shared_ptr<Shared>& s) {
  // Handlers queued in Shared's own io_context or pool hold it weakly: one left behind at
  // shutdown must not keep Shared (and so itself) alive.
  std::weak_ptr<Shared> weak = s;
  std::vector<Push> pushes = s->api->TakePushes();
  if (!pushes.empty()) {
    asio::post(s->ioc, [weak, pushes = std::move(pushes)] {
      if (auto strong = weak.lock()) {
        for (const Push& p : pushes) strong->Publish(p);
      }
    });
  }
  if (s->dial_stopped) return;
  if (!s->dial_timer) s->dial_timer.emplace(s->store.get_executor());
  const Duration delay = s->api->DialerNextWakeup() - s->opts.clock->Now();
  const auto at =
      asio::steady_timer::clock_type::now() +
      std::chrono::duration_cast<asio::steady_timer::duration>(std::max(delay, Duration(0)));
  // Armed to fire no later: leave it (a wake-up a little early only pumps and re-arms).
  // Re-arming on every API call cost a cancelled wait and a new one per request.
  if (s->dial_armed_for <= at) return;
  s->dial_armed_for = at;
  s->dial_timer->expires_at(at);
  s->dial_timer->async_wait([weak](const boost::system::error_code& ec) {
    auto strong = weak.lock();
    if (ec || !strong || strong->dial_stopped) return;  // re-armed (aborted) or stopping
    strong->dial_armed_for = asio::steady_timer::time_point::max();
    strong->api->DialerPump();
    AfterStore(strong);
  });
}

// Work for the store thread. GCC 12 + Boost 1.74 corrupt objects moved into capturing
// lambdas or temporaries inside co_await expressions (ASan: bad free), so every store call is
// a heap object built by plain code, run by a coroutine whose parameters are named
// shared_ptrs, and awaited through co_spawn of that awaitable.
struct StoreCall {
  enum class Kind { kApi, kAuthenticate, kWallboard } kind = Kind::kApi;
  HttpRequest request;    // kApi
  std::string cookie;     // kAuthenticate
  HttpResponse response;  // kApi
  std::vector<Push> pushes;
  Status status;        // kAuthenticate
  Principal principal;  // kAuthenticate
  std::string message;  // kWallboard
};

Awaitable<void> RunStoreCall(std::shared_ptr<Shared> s, std::shared_ptr<StoreCall> c) {
  switch (c->kind) {
    case StoreCall::Kind::kApi:
      c->response = s->api->Handle(c->request, &c->pushes);
      break;
    case StoreCall::Kind::kAuthenticate: {
      auto r = s->api->Authenticate(c->cookie);
      if (r) {
        c->principal = *r;
      } else {
        c->status = r.error();
      }
      break;
    }
    case StoreCall::Kind::kWallboard: {
      auto wb = s->api->Wallboard();
      if (wb) c->message = wb->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    }
  }
  AfterStore(s);
  co_return;
}

Awaitable<void> OnStore(std::shared_ptr<Shared> s, std::shared_ptr<StoreCall> c) {
  auto ex = s->store.get_executor();
  co_await asio::co_spawn(ex, RunStoreCall(s, c), use_awaitable);
}

namespace {

template <typename Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// A WebSocket session: Reader() and Writer() coroutines; Deliver() queues and wakes Writer.
template <typename Stream>
class WsSession : public WsPeer, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(websocket::stream<Stream> ws, std::shared_ptr<Shared> shared, uint64_t id)
      : ws_(std::move(ws)), timer_(shared->ioc), shared_(std::move(shared)), id_(id) {
    timer_.expires_at(asio::steady_timer::time_point::max());
  }

  void Start() {
    // Each coroutine keeps its own strong reference (see OnStore on capturing lambdas).
    asio::co_spawn(shared_->ioc, Reader(this->shared_from_this()),
                   [](std::exception_ptr e) { LogException("websocket reader", e); });
    asio::co_spawn(shared_->ioc, Writer(this->shared_from_this()),
                   [](std::exception_ptr e) { LogException("websocket writer", e); });
  }

  void Deliver(std::string message) override {
    if (stopped_) return;
    if (outbox_.size() >= shared_->opts.ws_outbox_limit) {
      log::Warn("server: websocket of {} too slow; closed", user);
      Stop();
      return;
    }
    outbox_.push_back(std::move(message));
    timer_.cancel_one();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    timer_.cancel();
  }

 private:
  Awaitable<void> Reader(std::shared_ptr<WsSession> /*self*/) {
    beast::flat_buffer buffer;
    ws_.read_message_max(4096);
    for (;;) {
      beast::error_code ec;
      co_await ws_.async_read(buffer, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      buffer.consume(buffer.size());  // clients only send keep-alives
    }
    Stop();
    shared_->peers.erase(id_);
    if (!IsSupervisor(role)) {
      auto shared = shared_;
      const std::string u = user;
      asio::post(shared->store, [shared, u] { shared->api->AgentDisconnected(u); });
    }
  }

  Awaitable<void> Writer(std::shared_ptr<WsSession> /*self*/) {
    while (!stopped_) {
      if (outbox_.empty()) {
        beast::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      beast::error_code ec;
      ws_.text(true);
      co_await ws_.async_write(asio::buffer(outbox_.front()),
                               asio::redirect_error(use_awaitable, ec));
      if (ec) {
        Stop();
        break;
      }
      outbox_.pop_front();
    }
  }

  websocket::stream<Stream> ws_;
  asio::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  uint64_t id_;
  std::deque<std::string> outbox_;
  bool stopped_ = false;
};

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

void SecurityHeaders(Response& res) {
  res.set(http::field::server, "sondeo");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

Response MakeResponse(unsigned version, bool keep_alive, HttpResponse r) {
  Response res{static_cast<http::status>(r.status), version};
  SecurityHeaders(res);
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  for (const auto& [k, v] : r.headers) res.insert(k, v);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

Response ErrorReply(unsigned version, const Status& status) {
  Response res = MakeResponse(version, false, ErrorResponse(status));
  return res;
}

bool IsUploadTarget(std::string_view target) {
  return target.rfind("/api/v1/", 0) == 0 && (target.find("/import") != std::string_view::npos);
}

template <typename Stream>
Awaitable<void> ServeHttp(Stream stream, std::shared_ptr<Shared> s) {
  const uint64_t conn_id = s->next_id++;
  s->http_closers[conn_id] = [&stream] {
    beast::error_code ec;
    beast::get_lowest_layer(stream).socket().close(ec);
  };
  struct Unregister {
    Shared* s;
    uint64_t id;
    ~Unregister() { s->http_closers.erase(id); }
  } unregister{s.get(), conn_id};

  const ServerOptions& o = s->opts;
  beast::error_code ec;
  if constexpr (kIsTls<Stream>) {
    beast::get_lowest_layer(stream).expires_after(o.header_timeout);
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(o.header_limit));
    parser.body_limit(o.body_limit);
    // Slowloris: the whole header must arrive within header_timeout (also between
    // keep-alive requests).
    beast::get_lowest_layer(stream).expires_after(o.header_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    std::optional<Response> early;
    if (ec == http::error::header_limit) {
      early = ErrorReply(11, Status::InvalidArgument("cabeceras demasiado grandes"));
      early->result(http::status::request_header_fields_too_large);
    } else if (ec == http::error::body_limit) {
      early = ErrorReply(11, Status::InvalidArgument("cuerpo demasiado grande"));
      early->result(http::status::payload_too_large);
    } else if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      early = ErrorReply(11, Status::InvalidArgument("petición HTTP mal formada"));
    } else if (ec) {
      break;  // timeout, reset, end of stream
    }
    if (!early && !parser.is_done()) {
      if (IsUploadTarget(parser.get().target())) parser.body_limit(o.upload_limit);
      beast::get_lowest_layer(stream).expires_after(o.body_timeout);
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::body_limit) {
        early = ErrorReply(11, Status::InvalidArgument("cuerpo demasiado grande"));
        early->result(http::status::payload_too_large);
      } else if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
        early = ErrorReply(11, Status::InvalidArgument("petición HTTP mal formada"));
      } else if (ec) {
        break;
      }
    }
    if (early) {
      beast::get_lowest_layer(stream).expires_after(o.header_timeout);
      co_await http::async_write(stream, *early, asio::redirect_error(use_awaitable, ec));
      break;
    }

    Request req = parser.release();
    const std::string_view target = req.target();
    const size_t q = target.find('?');
    const std::string path(target.substr(0, q));

    if (websocket::is_upgrade(req)) {
      if (path != "/ws") break;
      const std::string cookie(req[http::field::cookie]);
      auto call = std::make_shared<StoreCall>();
      call->kind = StoreCall::Kind::kAuthenticate;
      call->cookie = cookie;
      co_await OnStore(s, call);
      const Status auth = call->status;
      const Principal principal = call->principal;
      const std::string origin(req[http::field::origin]);
      const std::string expect_origin = std::string(kIsTls<Stream> ? "https://" : "http://") +
                                        std::string(req[http::field::host]);
      Status refuse = auth;
      if (refuse.ok() && !origin.empty() && origin != expect_origin) {
        refuse = Status::PermissionDenied("origen no permitido");
      }
      if (!refuse.ok()) {
        Response res = ErrorReply(req.version(), refuse);
        co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
        break;
      }
      s->http_closers.erase(conn_id);
      beast::get_lowest_layer(stream).expires_never();
      websocket::stream<Stream> ws(std::move(stream));
      ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      co_await ws.async_accept(req, asio::redirect_error(use_awaitable, ec));
      if (ec || s->stopping) co_return;
      const uint64_t id = s->next_id++;
      auto session = std::make_shared<WsSession<Stream>>(std::move(ws), s, id);
      session->user = principal.user;
      session->role = principal.role;
      s->peers[id] = session;
      if (!IsSupervisor(principal.role)) {
        const std::string u = principal.user;
        asio::post(s->store, [s, u] { s->api->AgentConnected(u); });
      }
      session->Start();
      co_return;
    }

    const bool keep_alive = req.keep_alive();
    Response res;
    if (path.rfind("/api/", 0) == 0) {
      auto call = std::make_shared<StoreCall>();
      HttpRequest& r = call->request;
      r.method = std::string(req.method_string());
      r.path = path;
      r.query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
      r.cookie = std::string(req[http::field::cookie]);
      r.csrf = std::string(req["X-CSRF-Token"]);
      r.content_type = std::string(req[http::field::content_type]);
      r.body = std::move(req.body());
      r.secure = kIsTls<Stream>;
      co_await OnStore(s, call);
      res = MakeResponse(req.version(), keep_alive, std::move(call->response));
      const std::vector<Push> pushes = call->pushes;
      for (const Push& p : pushes) s->Publish(p);
    } else if (req.method() == http::verb::get) {
      const Asset* asset = FindAsset(path);
      if (asset == nullptr) {
        res = MakeResponse(req.version(), keep_alive,
                           ErrorResponse(Status::NotFound("página no encontrada")));
      } else {
        HttpResponse h;
        h.content_type = std::string(asset->content_type);
        h.body = std::string(asset->body);
        res = MakeResponse(req.version(), keep_alive, std::move(h));
        res.set(http::field::cache_control, "no-cache");
      }
    } else {
      res = MakeResponse(req.version(), keep_alive,
                         ErrorResponse(Status::InvalidArgument("método no permitido")));
      res.result(http::status::method_not_allowed);
    }
    beast::get_lowest_layer(stream).expires_after(o.body_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive || s->stopping) break;
  }

  if constexpr (kIsTls<Stream>) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
  } else {
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
}

Awaitable<void> Listen(std::shared_ptr<Shared> s) {
  asio::steady_timer backoff(s->ioc);
  while (!s->stopping) {
    beast::error_code ec;
    tcp::socket socket = co_await s->acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (s->stopping) break;
    if (ec) {
      log::Warn("server: accept: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));  // e.g. out of descriptors
      co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    auto report = [](std::exception_ptr e) { LogException("http session", e); };
    if (s->tls) {
      asio::co_spawn(s->ioc,
                     ServeHttp(beast::ssl_stream<beast::tcp_stream>(
                                   beast::tcp_stream(std::move(socket)), *s->tls),
                               s),
                     report);
    } else {
      asio::co_spawn(s->ioc, ServeHttp(beast::tcp_stream(std::move(socket)), s), report);
    }
  }
}

Awaitable<void> WallboardLoop(std::shared_ptr<Shared> s) {
  while (!s->stopping) {
    beast::error_code ec;
    s->wallboard_timer.expires_after(s->opts.wallboard_period);
    co_await s->wallboard_timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (s->stopping) break;
    if (!s->HasSupervisorPeers()) continue;
    auto call = std::make_shared<StoreCall>();
    call->kind = StoreCall::Kind::kWallboard;
    co_await OnStore(s, call);
    if (!call->message.empty()) s->Publish({"", call->message});
  }
}

Result<tcp::endpoint> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--listen: se esperaba DIRECCIÓN:PUERTO, no '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return Status::InvalidArgument("--listen: puerto inválido '" + port_text + "'");
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return Status::InvalidArgument("--listen: dirección inválida '" + host + "'");
  return tcp::endpoint(addr, static_cast<uint16_t>(port));
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<Shared> shared;
  std::unique_ptr<dialer::SmsScheduler> sms;  // scheduled SMS, its own thread and connection
  std::thread io_thread;
  uint16_t port = 0;
  bool joined = false;
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto endpoint = ParseListen(options.listen);
  if (!endpoint) return endpoint.error();
  auto s = std::make_shared<Shared>(std::move(options));
  const ServerOptions& o = s->opts;

  store::DbOptions db_options;
  db_options.migrations = o.migrations;
  auto db = store::Db::Open(o.db_path, db_options);
  if (!db) return db.error();
  s->db = std::move(*db);
  Api::Options api_options;
  api_options.pbkdf2_iterations = o.pbkdf2_iterations;
  api_options.session_ttl = o.session_ttl;
  api_options.session_idle = o.session_idle;
  api_options.telephony = o.telephony;
  api_options.sms_callback_token = o.sms_callback_token;
  s->api = std::make_unique<Api>(*s->db, *o.clock, api_options);
  // SIP events arrive on the SIP thread: the engines hear them on the store thread.
  std::weak_ptr<Shared> weak = s;
  s->api->SetDialerPost([weak](std::function<void()> fn) {
    auto strong = weak.lock();
    if (!strong) return;
    asio::post(strong->store, [weak, fn = std::move(fn)] {
      auto shared = weak.lock();
      if (!shared || shared->dial_stopped) return;
      fn();
      AfterStore(shared);
    });
  });

  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return Status::InvalidArgument("tls: se necesitan el certificado y la clave");
    }
    s->tls.emplace(ssl::context::tls_server);
    beast::error_code ec;
    s->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                        ec);
    s->tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) {
      return Status::InvalidArgument("tls: no se pudo leer el certificado " + o.tls_cert_file +
                                     ": " + ec.message());
    }
    s->tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("tls: no se pudo leer la clave " + o.tls_key_file + ": " +
                                     ec.message());
    }
  }

  beast::error_code ec;
  s->acceptor.open(endpoint->protocol(), ec);
  if (!ec) s->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s->acceptor.bind(*endpoint, ec);
  if (!ec) s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("no se pudo escuchar en " + o.listen + ": " + ec.message());
  }

  auto impl = std::make_unique<Impl>();
  if (o.sms) {
    dialer::SmsSchedulerOptions so;
    so.db_path = o.db_path;
    so.gateway = o.sms->gateway;
    so.sender = o.sms->sender;
    so.poll = o.sms->poll;
    so.clock = o.clock;
    auto sms = dialer::SmsScheduler::Start(std::move(so));
    if (!sms) return sms.error();
    impl->sms = std::move(*sms);
  }
  impl->port = s->acceptor.local_endpoint().port();
  impl->shared = s;
  if (o.handle_signals) {
    s->signals.emplace(s->ioc, SIGINT, SIGTERM);
    s->signals->async_wait([s](const beast::error_code& e, int sig) {
      if (e) return;
      log::Info("server: signal {}, stopping", sig);
      s->DoStop();
    });
  }
  asio::co_spawn(s->ioc, Listen(s), [](std::exception_ptr e) { LogException("listener", e); });
  asio::co_spawn(s->ioc, WallboardLoop(s),
                 [](std::exception_ptr e) { LogException("wallboard", e); });
  // Open the engines of running campaigns now (recovery runs at start, not at first use).
  asio::post(s->store, [weak] {
    auto strong = weak.lock();
    if (!strong || strong->dial_stopped) return;
    strong->api->DialerPump();
    AfterStore(strong);
  });
  impl->io_thread = std::thread([s] {
    try {
      s->ioc.run();
    } catch (const std::exception& e) {
      log::Error("server: io thread: {}", e.what());
    }
  });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Stop();
  Wait();
}

uint16_t Server::port() const { return impl_->port; }
bool Server::tls() const { return impl_->shared->tls.has_value(); }

void Server::Stop() {
  // Once the io thread is gone nothing would run the handler, and the queued handler would
  // keep Shared (which owns the io_context that owns the handler) alive forever.
  if (impl_->joined) return;
  auto s = impl_->shared;
  asio::post(s->ioc, [s] { s->DoStop(); });
}

void Server::Wait() {
  if (impl_->joined) return;
  impl_->joined = true;
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  impl_->sms.reset();  // stops claiming, finishes the requests in flight, joins
  auto& s = *impl_->shared;
  s.store.join();
  s.api.reset();
  s.db.reset();
}

}  // namespace sondeo::server
