// sondeo serve, sondeo users (server/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterServe(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
