// libFuzzer target for the JSON request bodies of the API (/api/v1), through Api::Handle as
// the network layer calls it, with real sessions on a real database: whatever the body, the
// answer is a 2xx/4xx (never a 5xx, never a crash or an exception), with a JSON body.
// The first byte picks the endpoint (login, agent state, SMS estimate, a result for the
// contact the agent holds, campaign start and pause); the rest is the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaigns/schema.h"
#include "common/clock.h"
#include "dialer/schema.h"
#include "reports/schema.h"
#include "server/schema.h"
#include "server/src/api.h"
#include "server/users.h"
#include "store/db.h"
#include "surveys/schema.h"

namespace {

using sondeo::server::Api;
using sondeo::server::HttpRequest;
using sondeo::server::HttpResponse;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Session {
  std::string cookie;
  std::string csrf;
};

struct World {
  std::unique_ptr<sondeo::store::Db> db;
  sondeo::ManualClock clock{sondeo::FromUnixMillis(1'780'000'000'000)};
  std::unique_ptr<Api> api;
  Session agent, supervisor;
  std::string dir;

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body,
                    const Session& s) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.cookie = s.cookie;
    r.csrf = s.csrf;
    r.content_type = "application/json";
    r.body = body;
    std::vector<sondeo::server::Push> pushes;
    return api->Handle(r, &pushes);
  }
  Session Login(const std::string& user) {
    HttpResponse r =
        Call("POST", "/api/v1/login",
             nlohmann::json{{"user", user}, {"password", user + "-clave-1"}}.dump(), Session{});
    Check(r.status == 200);
    Session s;
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") s.cookie = v.substr(0, v.find(';'));
    }
    s.csrf = nlohmann::json::parse(r.body)["csrf"];
    return s;
  }
};

World& TheWorld() {
  static World* w = [] {
    auto* world = new World();
    char tmpl[] = "/tmp/sondeo-api-fuzz.XXXXXX";
    Check(mkdtemp(tmpl) != nullptr);
    world->dir = tmpl;
    sondeo::store::DbOptions o;
    o.durable = false;  // synchronous=NORMAL: an fsync per write would make fuzzing crawl
    for (const auto& part : {sondeo::store::Migrations(), sondeo::campaigns::Migrations(),
                             sondeo::surveys::Migrations(), sondeo::dialer::Migrations(),
                             sondeo::reports::Migrations(), sondeo::server::Migrations()}) {
      for (const auto& m : part) o.migrations.push_back(m);
    }
    auto db = sondeo::store::Db::Open(world->dir + "/api.db", o);
    Check(db.ok());
    world->db = std::move(*db);
    constexpr int kIter = 1000;
    Check(sondeo::server::AddUser(*world->db, "ana", sondeo::server::Role::kAgent, "ana-clave-1",
                                  kIter, "fuzz", 0)
              .ok());
    Check(sondeo::server::AddUser(*world->db, "sara", sondeo::server::Role::kSupervisor,
                                  "sara-clave-1", kIter, "fuzz", 0)
              .ok());
    Api::Options ao;
    ao.pbkdf2_iterations = kIter;
    ao.work_dir = world->dir;
    world->api = std::make_unique<Api>(*world->db, world->clock, ao);
    Check(world->db
              ->Exec("INSERT INTO campaigns(id, name, status, created_ms) VALUES "
                     "('c1', 'Prueba', 'draft', 0);"
                     "INSERT INTO contacts(id, campaign_id, source_row, document, nombres, "
                     "apellidos, municipio, departamento) VALUES (1, 'c1', 1, '1012345678', "
                     "'Natalia', 'Torres', 'Medellín', 'Antioquia');"
                     "INSERT INTO phones(contact_id, e164, type, position) VALUES "
                     "(1, '+573502334903', 'mobile', 0);")
              .ok());
    world->agent = world->Login("ana");
    world->supervisor = world->Login("sara");
    Check(world->Call("POST", "/api/v1/campaigns/c1/start", "{}", world->supervisor).status == 200);
    return world;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  const std::string body(reinterpret_cast<const char*>(data) + (size > 0 ? 1 : 0),
                         size > 0 ? size - 1 : 0);
  HttpResponse r;
  switch (size > 0 ? data[0] % 6 : 0) {
    case 0:
      r = w.Call("POST", "/api/v1/login", body, Session{});
      break;
    case 1:
      r = w.Call("POST", "/api/v1/agent/state", body, w.agent);
      break;
    case 2:
      r = w.Call("POST", "/api/v1/sms/estimate", body, w.agent);
      break;
    case 3:
      // Hold the contact first (a saved result releases it), then post the fuzzed result.
      (void)w.Call("POST", "/api/v1/campaigns/c1/next", "{}", w.agent);
      r = w.Call("POST", "/api/v1/contacts/1/result", body, w.agent);
      break;
    case 4:
      r = w.Call("POST", "/api/v1/campaigns/c1/start", body, w.supervisor);
      break;
    default:
      r = w.Call("POST", "/api/v1/campaigns/c1/pause", body, w.supervisor);
      break;
  }
  // Bad input is the client's fault: 2xx or 4xx, never an internal error.
  Check(r.status >= 200 && r.status < 500);
  if (r.content_type.rfind("application/json", 0) == 0 && !r.body.empty()) {
    Check(nlohmann::json::accept(r.body));
  }
  return 0;
}
