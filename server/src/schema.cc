#include "server/schema.h"

namespace sondeo::server {

std::vector<store::Migration> Migrations() { return {}; }

}  // namespace sondeo::server
