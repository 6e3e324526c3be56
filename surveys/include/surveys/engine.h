#pragma once
// The survey engine: pure decisions over a Survey and the answers so far (no I/O, no clock).
// Used by the agent desktop (what to ask next, is this answer acceptable), by the dialer's
// simulated agents (RandomAnswers) and by responses.h (status of a saved interview).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "surveys/survey.h"

namespace sondeo::surveys {

// One question's answer. Which field is used depends on the question type:
//  - single_choice, rating, yes_no, numeric, text, date: `value` (an option code, a number
//    such as "3" or "2.5", free text, or "YYYY-MM-DD");
//  - matrix: `items` (item id -> scale code), one entry for every item;
//  - multi_choice: `selected` (option codes, no duplicates).
// kNsNr ("NS/NR") is accepted where the question has `ns_nr: true` (as `value`, as a matrix
// item's value, or as the only `selected` code). An empty answer (no value, no items, nothing
// selected) means "left blank" and is only valid for a question with `required: false`.
struct Answer {
  std::string value;
  std::map<std::string, std::string> items;
  std::vector<std::string> selected;

  bool empty() const { return value.empty() && items.empty() && selected.empty(); }
  friend bool operator==(const Answer&, const Answer&) = default;
};

// Question id -> answer.
using Answers = std::map<std::string, Answer>;

enum class ResponseStatus {
  kComplete,  // every question on the path was answered (or the survey ended by a jump)
  kPartial,   // the interview stopped before the end
  kRefused,   // the consent question was answered "no"
};
// "complete", "partial", "refused" (what the database stores).
std::string_view ResponseStatusName(ResponseStatus status);
// The inverse; kInvalidArgument for anything else.
Result<ResponseStatus> ParseResponseStatus(std::string_view name);

// True when `condition` holds for `answers`. A comparison on a question that has no answer
// (not asked yet, skipped by a condition, left blank) is false; so is an order comparison
// (lt/le/gt/ge) on NS/NR or on a value that is not a number (dates compare as dates).
// On a multi_choice question, `eq x` means "x is selected" and `in [..]` "any of them is".
bool Evaluate(const Condition& condition, const Survey& survey, const Answers& answers);

// The next question to ask, or nullptr when the interview is over (every question is
// answered or skipped by its condition, a jump ended it, or consent was refused).
// Answers to questions that are off the path are ignored.
const Question* NextQuestion(const Survey& survey, const Answers& answers);

// The questions asked so far, in order, following the branching (answered questions on the
// path; stops before the next unanswered one).
std::vector<const Question*> Path(const Survey& survey, const Answers& answers);

// kOk when `answer` is acceptable for `question`; otherwise kInvalidArgument with a message
// in Spanish naming the question (and item), e.g. "p2: 5 no es una opción de la escala".
// Checks: option exists (choice, rating, yes_no, every matrix item present and valid,
// multi_choice codes without duplicates), numeric range and integer-ness, text max length,
// date format YYYY-MM-DD and a real calendar day, NS/NR only where allowed, blank only when
// not required.
Status ValidateAnswer(const Question& question, const Answer& answer);

// Validates a whole answer set: every answer is for a known question, is valid, and belongs
// to a question on the path (answers to questions the branching skipped are rejected).
Status ValidateAnswers(const Survey& survey, const Answers& answers);

// complete / partial / refused for the answers of a finished (or interrupted) interview.
ResponseStatus DecideStatus(const Survey& survey, const Answers& answers);

// Renders script text: every {name} is replaced by fields[name], HTML-escaped (& < > " ')
// because the values come from the entity's base and the agent desktop shows them as HTML.
// Unknown names render as "" ; "{{" and "}}" are literal braces. The script text itself is
// trusted (written by the survey author) and is kept as is.
std::string RenderText(std::string_view text, const std::map<std::string, std::string>& fields);

// A valid, complete random interview that follows the branching: consent is given, then each
// question gets a uniformly chosen answer (NS/NR about 1 in 20 where allowed, optional
// questions left blank about 1 in 10). `uniform(n)` must return an integer in [0, n) (for
// example from a seeded std::mt19937_64); the result depends only on its sequence.
Answers RandomAnswers(const Survey& survey, const std::function<uint64_t(uint64_t)>& uniform);

// JSON for answers, as the agent desktop sends them: {"p1":{"amabilidad":"4",...},"p2":"3",
// "p5":["a","b"]}. Numbers are accepted for values. kInvalidArgument on malformed JSON or a
// shape that does not fit the question type (unknown questions are rejected too).
Result<Answers> AnswersFromJson(const Survey& survey, std::string_view json);
std::string AnswersToJson(const Survey& survey, const Answers& answers);

}  // namespace sondeo::surveys
