// sondeo survey check (surveys/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterSurvey(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
