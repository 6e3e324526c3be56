#include "server/src/http_status.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sondeo::server {
namespace {

TEST(HttpStatusTest, EveryCodeMapsToOneHttpStatus) {
  const struct {
    StatusCode code;
    int http;
  } cases[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kNotFound, 404},
      {StatusCode::kFailedPrecondition, 409},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kInternal, 500},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDeadlineExceeded, 504},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HttpStatusFor(c.code), c.http) << StatusCodeName(c.code);
  }
}

TEST(HttpStatusTest, ErrorBodyNamesCodeAndMessage) {
  auto j = nlohmann::json::parse(ErrorBody(Status::NotFound("campaña 'x' no existe")));
  EXPECT_EQ(j["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(j["error"]["message"], "campaña 'x' no existe");
}

TEST(HttpStatusTest, InternalErrorsHideTheirDetails) {
  auto j = nlohmann::json::parse(ErrorBody(Status::Internal("sqlite: disk I/O at /var/x")));
  EXPECT_EQ(j["error"]["code"], "INTERNAL");
  EXPECT_EQ(j["error"]["message"], "error interno del servidor");
}

}  // namespace
}  // namespace sondeo::server
