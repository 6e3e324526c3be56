#include "reports/schema.h"

namespace sondeo::reports {

std::vector<store::Migration> Migrations() { return {}; }

}  // namespace sondeo::reports
