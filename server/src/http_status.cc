#include "server/src/http_status.h"

#include <nlohmann/json.hpp>

namespace sondeo::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorBody(const Status& status) {
  const bool internal = HttpStatusFor(status.code()) >= 500 &&
                        status.code() != StatusCode::kUnavailable &&
                        status.code() != StatusCode::kDeadlineExceeded;
  nlohmann::json j = {
      {"error",
       {{"code", std::string(StatusCodeName(status.code()))},
        {"message", internal ? std::string("error interno del servidor") : status.message()}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sondeo::server
