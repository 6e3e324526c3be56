#include "dialer/schema.h"

namespace sondeo::dialer {

std::vector<store::Migration> Migrations() { return {}; }

}  // namespace sondeo::dialer
