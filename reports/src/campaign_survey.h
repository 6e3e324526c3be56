#pragma once
// Which survey a campaign's report and export describe.
#include <optional>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace sondeo::reports {

// The YAML of the survey with the most responses in campaign `id`, at the latest version
// answered; nullopt when the campaign has no responses.
Result<std::optional<std::string>> CampaignSurveyYaml(store::Db& db, const std::string& id);

}  // namespace sondeo::reports
