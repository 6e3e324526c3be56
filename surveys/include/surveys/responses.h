#pragma once
// Durable survey versions and responses (module key "surveys"; tables surveys, responses,
// answers). Every function runs on the caller's thread with the caller's Db (one Db per
// thread, store/db.h) and returns only after its transaction has committed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/db.h"
#include "surveys/engine.h"
#include "surveys/survey.h"

namespace sondeo::surveys {

struct StoredSurvey {
  std::string id;
  int version = 0;       // assigned here: 1, 2, ...
  std::string hash;      // content hash (comments and formatting do not count)
  bool created = false;  // true when this call stored a new version
};

// Stores a loaded survey (and its YAML text) and returns its stored version:
//  - content identical to a stored version of the same id: that version (nothing written);
//  - otherwise, when the latest version has no responses yet: that version is replaced in
//    place (same number);
//  - otherwise a new version (latest + 1): responses keep the version they used.
// Errors: kInvalidArgument for an empty id, store errors otherwise.
Result<StoredSurvey> RegisterSurvey(store::Db& db, const Survey& survey, std::string_view yaml,
                                    int64_t now_ms);

// The stored survey `id` at `version` (0 = the latest), parsed again from its YAML.
// kNotFound when absent.
Result<Survey> LoadStoredSurvey(store::Db& db, std::string_view id, int version = 0);
// The latest stored version number of `id`; kNotFound when absent.
Result<int> LatestVersion(store::Db& db, std::string_view id);

struct NewResponse {
  std::string idempotency_key;  // required; the same key always means the same interview
  std::string survey_id;
  int survey_version = 0;  // a stored version
  std::string campaign_id;
  int64_t contact_id = 0;
  std::optional<int64_t> attempt_id;
  std::string agent;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  Answers answers;
};

struct SavedResponse {
  int64_t id = 0;
  ResponseStatus status = ResponseStatus::kPartial;  // decided from the answers
  bool duplicate = false;  // true when the key was already stored (nothing written)
};

// Validates the answers against `survey` (which must be the stored survey_id/survey_version,
// see LoadStoredSurvey), decides the status, and stores the response and every answer in one
// transaction, committed before returning. A retry with the same idempotency key returns the
// first response's id with duplicate = true and writes nothing.
// Errors: kInvalidArgument (empty key, invalid answers, survey id mismatch), kNotFound (no such
// stored version), kFailedPrecondition (the key was used for another contact or survey),
// store errors (kUnavailable when locked, ...).
Result<SavedResponse> SaveResponse(store::Db& db, const Survey& survey, const NewResponse& r);

struct StoredResponse {
  int64_t id = 0;
  std::string survey_id;
  int survey_version = 0;
  std::string campaign_id;
  int64_t contact_id = 0;
  std::optional<int64_t> attempt_id;
  std::string agent;
  ResponseStatus status = ResponseStatus::kPartial;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string idempotency_key;
  Answers answers;
};

// One stored response; kNotFound when absent.
Result<StoredResponse> LoadResponse(store::Db& db, int64_t response_id);
// Every response of a survey (all versions), by id.
Result<std::vector<StoredResponse>> LoadResponses(store::Db& db, std::string_view survey_id);

}  // namespace sondeo::surveys
