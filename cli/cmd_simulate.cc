// sondeo simulate (dialer/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterSimulate(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
