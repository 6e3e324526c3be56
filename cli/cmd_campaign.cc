// sondeo campaign create|list|start|pause|status (campaigns/)
#include "cli/context.h"

namespace sondeo::cli {

// Registers nothing until its module lands.
void RegisterCampaign(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace sondeo::cli
