// sondeo report, sondeo export (reports/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterReport(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
