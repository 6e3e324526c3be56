// The real server on loopback (port 0), driven by a tiny blocking client on POSIX sockets:
// pages, login and cookies, limits, malformed input, slowloris, shutdown.
#include "server/server.h"

#include <chrono>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::server {
namespace {

// Connects to 127.0.0.1:port; -1 on failure.
int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Reads until the peer closes or `timeout` passes.
std::string ReadAll(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

Reply Parse(const std::string& raw) {
  Reply r;
  const size_t end = raw.find("\r\n\r\n");
  r.head = raw.substr(0, end);
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  if (raw.size() > 12) r.status = std::stoi(raw.substr(9, 3));
  return r;
}

// One request on its own connection ("Connection: close").
Reply Request(uint16_t port, const std::string& method, const std::string& target,
              const std::string& body = "", const std::string& extra_headers = "") {
  int fd = Connect(port);
  if (fd < 0) return {};
  std::string req = method + " " + target +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  SendAll(fd, req);
  Reply r = Parse(ReadAll(fd));
  close(fd);
  return r;
}

std::string Header(const std::string& head, const std::string& name) {
  const size_t at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 4;
  return head.substr(start, head.find("\r\n", start) - start);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.db_path = dir_.File("s.db");
    o.migrations = store::Migrations();
    for (auto& m : Migrations()) o.migrations.push_back(m);
    o.pbkdf2_iterations = 1000;
    o.header_timeout = std::chrono::milliseconds(400);
    o.body_limit = 4096;
    o.header_limit = 2048;
    {
      store::DbOptions dbo;
      dbo.migrations = o.migrations;
      auto db = store::Db::Open(o.db_path, dbo);
      ASSERT_OK(db);
      ASSERT_OK(AddUser(**db, "ana", Role::kAgent, "clave-ana-1", 1000, "test", 0));
    }
    auto s = Server::Start(o);
    ASSERT_OK(s);
    server_ = std::move(*s);
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  bool Alive() { return Request(port_, "GET", "/").status == 200; }

  sondeo::testing::TempDir dir_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, LoginPageIsSpanishWithSecurityHeaders) {
  Reply r = Request(port_, "GET", "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<html lang=\"es\">"), std::string::npos);
  EXPECT_NE(Header(r.head, "Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(Header(r.head, "Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(Header(r.head, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Request(port_, "GET", "/static/app.css").status, 200);
  EXPECT_EQ(Request(port_, "GET", "/static/../users.h").status, 404);
  EXPECT_EQ(Request(port_, "GET", "/nada").status, 404);
}

TEST_F(ServerTest, LoginSetsAStrictHttpOnlyCookie) {
  Reply bad = Request(port_, "POST", "/api/v1/login", R"({"user":"ana","password":"mala-clave"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["code"], "UNAUTHENTICATED");

  Reply ok = Request(port_, "POST", "/api/v1/login", R"({"user":"ana","password":"clave-ana-1"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string cookie = Header(ok.head, "Set-Cookie");
  EXPECT_NE(cookie.find("sondeo_sesion="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP
  auto j = nlohmann::json::parse(ok.body);
  EXPECT_EQ(j["role"], "agent");

  const std::string pair = cookie.substr(0, cookie.find(';'));
  Reply me = Request(port_, "GET", "/api/v1/me", "", "Cookie: " + pair + "\r\n");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(nlohmann::json::parse(me.body)["user"], "ana");
  EXPECT_EQ(Request(port_, "GET", "/api/v1/me").status, 401);
}

TEST_F(ServerTest, OversizedAndMalformedRequestsGet4xxAndTheServerStaysUp) {
  // Header over the limit.
  Reply big_header = Request(port_, "GET", "/", "", "X-Big: " + std::string(4000, 'a') + "\r\n");
  EXPECT_EQ(big_header.status, 431);
  // Body over the limit (announced by Content-Length).
  Reply big_body = Request(port_, "POST", "/api/v1/login", std::string(10000, 'x'));
  EXPECT_EQ(big_body.status, 413);
  // Garbage.
  int fd = Connect(port_);
  SendAll(fd, "\x01\x02 nonsense\r\n\r\n");
  Reply garbage = Parse(ReadAll(fd));
  close(fd);
  EXPECT_EQ(garbage.status, 400);
  // Bad JSON.
  Reply bad_json = Request(port_, "POST", "/api/v1/login", "{\"user\":");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_TRUE(Alive());
}

TEST_F(ServerTest, SlowlorisConnectionIsDropped) {
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  SendAll(fd, "GET / HTTP/1.1\r\nHost: x\r\n");
  bool closed = false;
  // Dribble one header byte every 100 ms: the 400 ms header deadline still applies.
  for (int i = 0; i < 30 && !closed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (send(fd, "X", 1, MSG_NOSIGNAL) < 0) closed = true;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 0) > 0) {
      char c;
      if (recv(fd, &c, 1, 0) <= 0) closed = true;
    }
  }
  close(fd);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(Alive());
}

TEST_F(ServerTest, StopsCleanlyWithOpenConnections) {
  int idle = Connect(port_);
  ASSERT_GE(idle, 0);
  server_->Stop();
  server_->Wait();
  EXPECT_EQ(Connect(port_), -1);
  close(idle);
}

}  // namespace
}  // namespace sondeo::server
