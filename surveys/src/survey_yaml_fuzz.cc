// libFuzzer target for the survey loader and checker: any bytes must give diagnostics (or a
// survey), never a crash, a hang or a leak. A survey that loads must also survive the engine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "surveys/engine.h"
#include "surveys/survey.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sondeo::surveys;  // NOLINT(google-build-using-namespace)
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckOptions options;
  options.base_columns = std::vector<std::string>{"nombres", "municipio"};
  CheckResult r = CheckSurveyText(text, "fuzz.yaml", options);
  if (r.ok() && r.survey) {
    uint64_t state = size;
    Answers answers = RandomAnswers(*r.survey, [&state](uint64_t n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return (state >> 33) % n;
    });
    (void)ValidateAnswers(*r.survey, answers);
    (void)DecideStatus(*r.survey, answers);
    (void)ToJsonString(*r.survey);
    (void)RenderText(r.survey->intro, {{"nombres", "<x>"}});
  }
  return 0;
}
