#include "dialer/src/engine_schema.h"

namespace sondeo::dialer {

std::vector<store::Migration> EngineMigrations() { return {}; }

}  // namespace sondeo::dialer
