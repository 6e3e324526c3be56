// sondeo call: one SIP test call (dialer/sip)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterCall(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
