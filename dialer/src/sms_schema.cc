#include "dialer/src/engine_schema.h"

namespace sondeo::dialer {

std::vector<store::Migration> SmsMigrations() { return {}; }

}  // namespace sondeo::dialer
