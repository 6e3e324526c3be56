// sondeo sms estimate|send (dialer/sms)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterSms(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
