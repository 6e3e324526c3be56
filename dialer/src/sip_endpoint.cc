// SipEndpoint: sofia-sip's NUA on a private thread (docs/rig.md §5 in the shared docs).
// Every sofia object is created and used only on that thread; public methods hop onto it
// with su_task_execute(), and events leave it through the user's callback.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "dialer/sip.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#include <cstdarg>
#include <cstdio>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/soa_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

// sofia-sip's per-module loggers (exported by the library, not declared in its headers).
extern "C" {
extern su_log_t tport_log[];
extern su_log_t nta_log[];
extern su_log_t nua_log[];
}

namespace sondeo::dialer {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A free local port for `transport` (sofia needs a concrete port in NUTAG_URL).
uint16_t FreePort(const std::string& host, bool tcp) {
  const int fd = ::socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(host == "127.0.0.1" ? INADDR_LOOPBACK : INADDR_ANY);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

// sofia-sip logs go to our log (debug level, redacted), never straight to stderr. The format
// attribute tells clang's -Wformat-nonliteral that fmt is sofia's printf format.
__attribute__((format(printf, 2, 0))) void SofiaLogger(void* /*stream*/, char const* fmt,
                                                       va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return;
  // Why the trunk's TLS certificate was refused (sofia's tls_verify_cb: "-Error with
  // certificate", issuer, subject, "err 20:unable to get local issuer certificate"; its
  // post-connection check: "Peer Subject Mismatch") is worth a warning: the call itself only
  // ends as a network failure.
  const std::string_view trimmed =
      std::string_view(line).substr(std::min(line.size(), line.find_first_not_of(' ')));
  const auto starts = [&](std::string_view p) { return trimmed.rfind(p, 0) == 0; };
  const bool verify_error = starts("err ") && trimmed.size() > 4 && trimmed[4] >= '0' &&
                            trimmed[4] <= '9' && trimmed.find(':') != std::string_view::npos;
  if (verify_error || starts("-Error with certificate") || starts("issuer   = ") ||
      starts("subject  = ") || starts("TLS setup failed")) {
    log::Warn("sip tls: {}", trimmed);
    return;
  }
  if (line.find("Peer Subject Mismatch") != std::string::npos) {
    log::Warn("sip tls: the trunk's certificate does not name the trunk's host ({})", line);
    return;
  }
  log::Debug("sip: {}", line);
}

void RouteSofiaLogs() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (su_log_t* l : {su_log_default, tport_log, nta_log, nua_log}) {
      su_log_redirect(l, &SofiaLogger, nullptr);
    }
  });
}

std::string RealmOf(sip_t const* sip) {
  msg_auth_t const* au = nullptr;
  if (sip != nullptr)
    au = sip->sip_www_authenticate != nullptr ? sip->sip_www_authenticate
                                              : sip->sip_proxy_authenticate;
  if (au == nullptr) return "";
  char const* realm = msg_params_find(au->au_params, "realm=");
  if (realm == nullptr) return "";
  std::string r(realm);
  if (r.size() >= 2 && r.front() == '"' && r.back() == '"') r = r.substr(1, r.size() - 2);
  return r;
}

// sofia's TLS reads its CA list from DIR/cafile.pem (TPTAG_CERTIFICATE(DIR)) once, when the
// transport is created; the directory is private to this process and removed right after.
struct TlsDir {
  std::filesystem::path dir;
  ~TlsDir() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// Checks the CA file (readable, holds a PEM certificate) and copies it into a new private
// directory as cafile.pem.
Status PrepareTlsDir(const std::string& ca_file, TlsDir* out) {
  if (ca_file.empty()) {
    return Status::InvalidArgument(
        "sip transport tls needs the CA file that signs the trunk's certificate "
        "(sip_tls_ca_file, --tls-ca)");
  }
  std::ifstream in(ca_file, std::ios::binary);
  if (!in) return Status::InvalidArgument(ca_file + ": cannot read the SIP TLS CA file");
  std::ostringstream content;
  content << in.rdbuf();
  const std::string pem = content.str();
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Status::InvalidArgument(ca_file +
                                   ": expected a PEM CA certificate (-----BEGIN CERTIFICATE-----)");
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/sondeo-sip-tls.XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return Status::Unavailable("cannot create a directory for the SIP TLS CA list in " + templ);
  }
  out->dir = templ;
  std::ofstream cafile(out->dir / "cafile.pem", std::ios::binary);
  cafile << pem;
  if (!cafile.flush()) {
    return Status::Unavailable((out->dir / "cafile.pem").string() + ": cannot write");
  }
  return Status::Ok();
}

}  // namespace

struct SipEndpoint::Impl {
  SipOptions options;
  SipOutcomeTable table;
  EventFn on_event;
  uint16_t port = 0;

  std::thread thread;
  su_root_t* root = nullptr;
  nua_t* nua = nullptr;
  std::atomic<bool> stopped{false};
  std::promise<void> shutdown_done;

  struct Call {
    uint64_t id = 0;
    uint64_t tag = 0;
    nua_handle_t* nh = nullptr;
    su_timer_t* timer = nullptr;
    Impl* impl = nullptr;
    bool ringing = false;
    bool answered = false;
    bool cancelled_by_timeout = false;
    bool remote_bye = false;
    bool finished = false;
    bool auth_tried = false;
    bool provisional = false;
    bool offerless = false;
    bool acked = false;
    std::string remote_sdp;
    uint64_t bridged_to = 0;  // the other leg of a 3PCC pair
    bool is_agent_leg = false;
    SteadyClock::time_point connect_started{};
    int final_code = 0;
  };
  // Owned and touched only on the SIP thread, except the size (read under mu).
  std::map<uint64_t, std::unique_ptr<Call>> calls;
  mutable std::mutex mu;
  size_t active = 0;
  std::atomic<uint64_t> next_id{1};

  template <typename F>
  void OnSipThread(F f) {
    if (root == nullptr) return;
    su_task_execute(
        su_root_task(root),
        [](void* p) -> int {
          (*static_cast<F*>(p))();
          return 0;
        },
        &f, nullptr);
  }

  void Emit(const Call& c, SipCallEvent::Kind kind, int code) {
    SipCallEvent ev;
    ev.call_id = c.id;
    ev.tag = c.tag;
    ev.kind = kind;
    ev.sip_code = code;
    ev.at = SteadyClock::now();
    if (kind == SipCallEvent::Kind::kAnswered) ev.remote_sdp = c.remote_sdp;
    if (kind == SipCallEvent::Kind::kFinished) {
      ev.was_answered = c.answered;
      ev.remote_hangup = c.remote_bye;
      ev.outcome =
          c.answered ? SipOutcome::kAnswered : MapSipFinal(code, c.cancelled_by_timeout, table);
    }
    if (on_event) on_event(ev);
  }

  void Finish(Call* c, int code) {
    if (c->finished) return;
    c->finished = true;
    if (c->timer != nullptr) {
      su_timer_destroy(c->timer);
      c->timer = nullptr;
    }
    {
      std::lock_guard lock(mu);
      --active;
    }
    Emit(*c, SipCallEvent::Kind::kFinished, code);
  }

  static void OnRingTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
    auto* c = reinterpret_cast<Call*>(arg);
    if (c->answered || c->finished) return;
    c->cancelled_by_timeout = true;
    nua_cancel(c->nh, TAG_END());
  }

  static void Callback(nua_event_t event, int status, char const* /*phrase*/, nua_t* /*nua*/,
                       nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip,
                       tagi_t tags[]) {
    auto* self = reinterpret_cast<Impl*>(magic);
    auto* c = reinterpret_cast<Call*>(hmagic);
    switch (event) {
      case nua_r_invite:
        if (c == nullptr) break;
        if ((status == 401 || status == 407) && !c->auth_tried && sip != nullptr &&
            !self->options.auth_user.empty()) {
          c->auth_tried = true;
          const std::string cred = "Digest:\"" + RealmOf(sip) + "\":" + self->options.auth_user +
                                   ":" + self->options.auth_password;
          nua_authenticate(nh, NUTAG_AUTH(cred.c_str()), TAG_END());
          break;
        }
        if (status >= 100 && status < 200) c->provisional = true;
        if ((status == 180 || status == 183) && !c->ringing) {
          c->ringing = true;
          self->Emit(*c, SipCallEvent::Kind::kRinging, status);
        } else if (status >= 200 && status < 300 && !c->answered) {
          c->answered = true;
          c->final_code = status;
          if (sip != nullptr && sip->sip_payload != nullptr) {
            c->remote_sdp.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
          }
          if (c->timer != nullptr) {
            su_timer_destroy(c->timer);
            c->timer = nullptr;
          }
          self->Emit(*c, SipCallEvent::Kind::kAnswered, status);
          if (c->is_agent_leg) self->OnAgentAnswered(c);
        } else if (status >= 300) {
          // A response sofia made up itself (Timer B, transport error) has no message:
          // the far end never answered, which is a network failure, not the citizen's.
          // A 408 without any provisional response first is sofia's own Timer B: the trunk
          // never answered at all.
          const bool no_response = sip == nullptr || (status == 408 && !c->provisional);
          c->final_code = no_response ? 0 : status;
          self->Finish(c, c->final_code);
        }
        break;
      case nua_i_state: {
        if (c == nullptr) break;
        int state = nua_callstate_init;
        tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
        if (state == nua_callstate_ready && !c->answered) {
          c->answered = true;
          c->final_code = 200;
          if (c->timer != nullptr) {
            su_timer_destroy(c->timer);
            c->timer = nullptr;
          }
          self->Emit(*c, SipCallEvent::Kind::kAnswered, 200);
        } else if (state == nua_callstate_terminated) {
          self->OnLegTerminated(c);
          self->Finish(c, c->final_code);
          nua_handle_destroy(nh);
          c->nh = nullptr;
          self->calls.erase(c->id);
        }
        break;
      }
      case nua_i_bye:
        if (c != nullptr) c->remote_bye = true;
        break;
      case nua_r_shutdown:
        if (status >= 200) su_root_break(self->root);
        break;
      default:
        break;
    }
  }

  std::string PlaceholderSdp(uint64_t id) const {
    return "v=0\r\no=sondeo " + std::to_string(id) + " 1 IN IP4 " + options.bind_host +
           "\r\ns=-\r\nc=IN IP4 " + options.bind_host + "\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8\r\n";
  }

  // On the SIP thread: creates the call and sends the INVITE.
  Call* StartCall(uint64_t id, const OriginateOptions& o, std::chrono::milliseconds ring_timeout) {
    const std::string to =
        "<" + (o.target_uri.empty() ? FormatRequestUri(options, o.e164) : o.target_uri) + ">";
    const std::string from = "<sip:" + options.caller_id + "@" + options.bind_host + ">";
    std::string headers = "P-Asserted-Identity: " + from;
    for (const auto& h : options.extra_headers) headers += "\r\n" + h;
    for (const auto& h : o.extra_headers) headers += "\r\n" + h;
    auto call = std::make_unique<Call>();
    call->id = id;
    call->impl = this;
    call->offerless = o.offerless;
    call->tag = o.tag;
    Call* c = call.get();
    calls[id] = std::move(call);
    c->nh =
        nua_handle(nua, reinterpret_cast<nua_hmagic_t*>(c), SIPTAG_TO_STR(to.c_str()),
                   SIPTAG_FROM_STR(from.c_str()), NUTAG_AUTOACK(o.offerless ? 0 : 1), TAG_END());
    c->timer = su_timer_create(su_root_task(root), 0);
    su_timer_set_interval(c->timer, &Impl::OnRingTimeout, reinterpret_cast<su_timer_arg_t*>(c),
                          static_cast<su_duration_t>(ring_timeout.count()));
    if (o.offerless) {
      nua_invite(c->nh, SIPTAG_HEADER_STR(headers.c_str()), TAG_END());
    } else {
      const std::string sdp = o.sdp.empty() ? PlaceholderSdp(id) : o.sdp;
      nua_invite(c->nh, SIPTAG_HEADER_STR(headers.c_str()),
                 SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()),
                 TAG_END());
    }
    return c;
  }

  uint64_t Originate(const OriginateOptions& o, std::chrono::milliseconds ring_timeout) {
    const uint64_t id = next_id.fetch_add(1);
    {
      std::lock_guard lock(mu);
      ++active;
    }
    OnSipThread([&] { StartCall(id, o, ring_timeout); });
    return id;
  }

  // On the SIP thread: sends the held-back ACK of an offerless call.
  void Ack(Call* c, const std::string& answer_sdp) {
    if (!c->offerless || c->acked || c->nh == nullptr || !c->answered) return;
    c->acked = true;
    const std::string sdp = answer_sdp.empty() ? PlaceholderSdp(c->id) : answer_sdp;
    nua_ack(c->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()),
            TAG_END());
  }

  Call* Find(uint64_t id) {
    auto it = calls.find(id);
    return it == calls.end() ? nullptr : it->second.get();
  }

  // On the SIP thread: the agent answered; give the citizen the agent's SDP.
  void OnAgentAnswered(Call* agent) {
    Call* citizen = Find(agent->bridged_to);
    if (citizen == nullptr || citizen->finished) {
      nua_bye(agent->nh, TAG_END());
      return;
    }
    Ack(citizen, agent->remote_sdp);
    Emit(*citizen, SipCallEvent::Kind::kConnected, 200);
  }

  // On the SIP thread: one leg of a bridge ended; end the other, or report the failure.
  void OnLegTerminated(Call* c) {
    if (c->bridged_to == 0) return;
    Call* other = Find(c->bridged_to);
    c->bridged_to = 0;
    if (other == nullptr || other->finished) return;
    other->bridged_to = 0;
    if (c->is_agent_leg && !c->answered) {
      Emit(*other, SipCallEvent::Kind::kAgentFailed, c->final_code);
      return;  // the engine decides: abandon (Complete + Hangup) or try another agent
    }
    if (other->nh == nullptr) return;
    if (other->answered) {
      Ack(other, "");
      nua_bye(other->nh, TAG_END());
    } else {
      nua_cancel(other->nh, TAG_END());
    }
  }

  uint64_t ConnectAgent(uint64_t citizen_id, const std::string& agent_uri,
                        std::chrono::milliseconds timeout) {
    const uint64_t id = next_id.fetch_add(1);
    bool started = false;
    OnSipThread([&] {
      Call* citizen = Find(citizen_id);
      if (citizen == nullptr || citizen->finished || !citizen->answered) return;
      OriginateOptions o;
      o.target_uri = agent_uri;
      o.sdp = citizen->remote_sdp;
      o.extra_headers.push_back("Call-Info: <" + agent_uri + ">;answer-after=0");
      {
        std::lock_guard lock(mu);
        ++active;
      }
      Call* agent = StartCall(id, o, timeout);
      agent->is_agent_leg = true;
      agent->bridged_to = citizen_id;
      citizen->bridged_to = id;
      started = true;
    });
    return started ? id : 0;
  }

  void Hangup(uint64_t id) {
    OnSipThread([&] {
      auto it = calls.find(id);
      if (it == calls.end() || it->second->finished || it->second->nh == nullptr) return;
      Call* c = it->second.get();
      if (c->answered) {
        Ack(c, "");
        nua_bye(c->nh, TAG_END());
      } else {
        nua_cancel(c->nh, TAG_END());
      }
    });
  }
};

SipEndpoint::SipEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<SipEndpoint>> SipEndpoint::Start(const SipOptions& options,
                                                        const SipOutcomeTable& table,
                                                        EventFn on_event) {
  if (Status st = CheckSipTransport(options.transport); !st.ok()) return st;
  const bool tls = options.transport == "tls";
  TlsDir tls_dir;
  if (tls) {
    if (Status st = PrepareTlsDir(options.tls_ca_file, &tls_dir); !st.ok()) return st;
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->table = table;
  impl->on_event = std::move(on_event);
  impl->port = options.bind_port != 0 ? options.bind_port
                                      : FreePort(options.bind_host, options.transport != "udp");
  if (impl->port == 0) return Status::Unavailable("no free local port for SIP");
  // TLS comes up only with a sips: URL ("sip:...;transport=tls" is refused by sofia).
  const std::string host_port = options.bind_host + ":" + std::to_string(impl->port);
  const std::string url =
      tls ? "sips:" + host_port : "sip:" + host_port + ";transport=" + options.transport;
  const std::string tls_dir_str = tls_dir.dir.string();
  RouteSofiaLogs();
  std::promise<bool> ready;
  Impl* p = impl.get();
  impl->thread = std::thread([p, url, tls, &tls_dir_str, &ready] {
    su_init();
    p->root = su_root_create(nullptr);
    // TLS: the trunk's certificate must chain to the CA file, be in date and name the host
    // we connect to (TPTLS_VERIFY_SUBJECTS_OUT); version 0 = TLS_method (1 would mean TLS 1.0
    // only), which OpenSSL 3 at its default security level keeps at TLS 1.2 or later.
    // No client certificate: sofia logs that agent.pem is missing and goes on.
    p->nua = nua_create(
        p->root, &Impl::Callback, reinterpret_cast<nua_magic_t*>(p), NUTAG_URL(url.c_str()),
        NUTAG_AUTOACK(1), NUTAG_AUTOANSWER(0), NUTAG_MEDIA_ENABLE(0),
        NTATAG_SIP_T1X64(static_cast<unsigned>(p->options.transaction_timeout.count())),
        SIPTAG_USER_AGENT_STR("sondeo"), TAG_IF(tls, TPTAG_CERTIFICATE(tls_dir_str.c_str())),
        TAG_IF(tls, TPTAG_TLS_VERSION(0)),
        TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_SUBJECTS_OUT)),
        TAG_IF(tls, TPTAG_TLS_VERIFY_DATE(1)), TAG_END());
    if (p->nua == nullptr) {
      su_root_destroy(p->root);
      p->root = nullptr;
      su_deinit();
      ready.set_value(false);
      return;
    }
    ready.set_value(true);
    su_root_run(p->root);
    nua_destroy(p->nua);
    p->nua = nullptr;
    su_root_destroy(p->root);
    p->root = nullptr;
    su_deinit();
  });
  if (!ready.get_future().get()) {
    impl->thread.join();
    return Status::InvalidArgument("cannot bind SIP to " + url);
  }
  return std::unique_ptr<SipEndpoint>(new SipEndpoint(std::move(impl)));
}

SipEndpoint::~SipEndpoint() { Stop(); }

uint64_t SipEndpoint::Originate(std::string_view e164, std::chrono::milliseconds ring_timeout) {
  OriginateOptions o;
  o.e164 = std::string(e164);
  return impl_->Originate(o, ring_timeout);
}

uint64_t SipEndpoint::Originate(const OriginateOptions& call,
                                std::chrono::milliseconds ring_timeout) {
  return impl_->Originate(call, ring_timeout);
}

uint64_t SipEndpoint::ConnectAgent(uint64_t citizen_call, const std::string& agent_uri,
                                   std::chrono::milliseconds timeout) {
  return impl_->ConnectAgent(citizen_call, agent_uri, timeout);
}

void SipEndpoint::Complete(uint64_t call_id, const std::string& answer_sdp) {
  impl_->OnSipThread([&] {
    if (auto* c = impl_->Find(call_id)) impl_->Ack(c, answer_sdp);
  });
}

void SipEndpoint::Hangup(uint64_t call_id) { impl_->Hangup(call_id); }

void SipEndpoint::Stop() {
  if (impl_ == nullptr || impl_->stopped.exchange(true)) return;
  impl_->OnSipThread([&] {
    for (auto& [id, c] : impl_->calls) {
      if (c->finished || c->nh == nullptr) continue;
      if (c->answered) {
        impl_->Ack(c.get(), "");
        nua_bye(c->nh, TAG_END());
      } else {
        nua_cancel(c->nh, TAG_END());
      }
    }
  });
  // Give BYE/CANCEL a moment to be answered, then shut the stack down.
  for (int i = 0; i < 100 && active_calls() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  impl_->OnSipThread([&] { nua_shutdown(impl_->nua); });
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t SipEndpoint::local_port() const { return impl_->port; }

size_t SipEndpoint::active_calls() const {
  std::lock_guard lock(impl_->mu);
  return impl_->active;
}

}  // namespace sondeo::dialer

#pragma GCC diagnostic pop
