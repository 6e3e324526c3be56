// sondeo calendar holidays (campaigns/calendar)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterCalendar(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
