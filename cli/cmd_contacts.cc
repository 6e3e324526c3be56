// sondeo contacts import|suppress|export (campaigns/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterContacts(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
