#include "reports/src/campaign_survey.h"

namespace sondeo::reports {

Result<std::optional<std::string>> CampaignSurveyYaml(store::Db& db, const std::string& id) {
  auto st = db.Prepare(
      "SELECT s.yaml FROM surveys s JOIN (SELECT survey_id, MAX(survey_version) AS v,"
      " COUNT(*) AS n FROM responses WHERE campaign_id = ? GROUP BY survey_id"
      " ORDER BY n DESC, survey_id LIMIT 1) x ON s.id = x.survey_id AND s.version = x.v");
  if (!st) return st.error();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

}  // namespace sondeo::reports
