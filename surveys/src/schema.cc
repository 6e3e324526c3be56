#include "surveys/schema.h"

namespace sondeo::surveys {

std::vector<store::Migration> Migrations() { return {}; }

}  // namespace sondeo::surveys
