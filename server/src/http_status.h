#pragma once
// The one place where a Status becomes an HTTP status (docs/style.md §3.4).
#include <string>

#include "common/status.h"

namespace sondeo::server {

// 200, 400, 401, 403, 404, 409, 429, 500, 503, 504.
int HttpStatusFor(StatusCode code);

// The JSON error body for `status`: {"error":{"code":"NOT_FOUND","message":"..."}}.
// Internal errors get a generic message (the details go to the log, not to the client).
std::string ErrorBody(const Status& status);

}  // namespace sondeo::server
