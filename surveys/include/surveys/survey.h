#pragma once
// Survey scripts: the model of a questionnaire written in YAML (docs/surveys.md), its loader
// and its checks. Loading never throws and never crashes on bad input: every problem becomes a
// Diagnostic with a 1-based line and column. All functions are pure (no I/O) except the *File
// variants, which only read the file. Thread-compatible.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sondeo::surveys {

// The answer code for "No sabe / No responde", accepted by questions with `ns_nr: true`.
inline constexpr std::string_view kNsNr = "NS/NR";
// Codes of yes_no questions.
inline constexpr std::string_view kYes = "si";
inline constexpr std::string_view kNo = "no";

// Limits on untrusted input.
inline constexpr size_t kMaxFileBytes = 1 << 20;   // 1 MiB
inline constexpr size_t kMaxScalarBytes = 20'000;  // one script text
inline constexpr int kMaxNesting = 64;             // YAML nesting (maps, lists, conditions)
inline constexpr size_t kMaxQuestions = 500;

// A position in the source file, 1-based. line == 0 when unknown.
struct Mark {
  int line = 0;
  int column = 0;
};

enum class QuestionType {
  kSingleChoice,
  kRating,
  kMatrix,
  kYesNo,
  kMultiChoice,
  kNumeric,
  kText,
  kDate,
};
// "single_choice", "rating", ...
std::string_view QuestionTypeName(QuestionType type);

struct Option {
  std::string code;   // what is stored ("4", "excelente", "si")
  std::string label;  // what the agent reads ("Excelente")
  Mark mark;
};

struct Scale {
  std::string id;
  std::vector<Option> options;  // in the order written
  Mark mark;
};

// A row of a matrix question (e.g. "amabilidad").
struct Item {
  std::string id;
  std::string label;
  Mark mark;
};

// A condition on earlier answers (`when:` / `end_if:`).
struct Condition {
  enum class Op { kTrue, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kAnd, kOr, kNot };
  Op op = Op::kTrue;
  std::string question;             // comparisons: the question id
  std::string item;                 // comparisons on a matrix item; "" otherwise
  std::vector<std::string> values;  // kIn: the list; other comparisons: one value
  std::vector<Mark> value_marks;    // where each value was written
  std::vector<Condition> children;  // kAnd, kOr (any number), kNot (one)
  Mark mark;
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::kSingleChoice;
  std::string text;         // what the agent reads, with {placeholders}
  std::string short_label;  // `short:` for reports and charts; defaults to the id
  std::string help;         // guidance for the agent (not read aloud)
  bool required = true;
  bool ns_nr = false;    // accepts kNsNr ("No sabe / No responde")
  bool consent = false;  // Habeas Data consent: a "no" ends the interview as refused
  // single_choice, multi_choice: the options; rating, matrix, single_choice with `scale:`:
  // the scale's options (copied in); yes_no: {si: Sí, no: No}.
  std::vector<Option> options;
  std::string scale;                // the scale id, when the options came from one
  std::vector<Item> items;          // matrix
  std::optional<double> min, max;   // numeric
  bool integer = true;              // numeric
  int max_length = 500;             // text
  std::optional<Condition> when;    // asked only when true (absent: always)
  std::optional<Condition> end_if;  // after answering, the survey ends when true
  Mark mark;                        // of the question's `id`
};

struct Survey {
  std::string id;
  std::string title;
  int version = 1;  // the author's number; stored versions are assigned by responses.h
  std::string intro;
  std::string closing;
  std::vector<Scale> scales;
  std::vector<Question> questions;

  // nullptr when absent.
  const Question* FindQuestion(std::string_view question_id) const;
  int IndexOf(std::string_view question_id) const;  // -1 when absent
};

// One problem found in a file, printed as "FILE:LINE:COLUMN: message".
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string ToString() const;
};

struct CheckOptions {
  // Columns of the contact base that can fill {placeholders} (nombres, apellidos, municipio,
  // departamento, extra columns). When absent, placeholders are not checked against a base.
  std::optional<std::vector<std::string>> base_columns;
};

struct CheckResult {
  std::optional<Survey> survey;    // present when there are no errors
  std::vector<Diagnostic> errors;  // sorted by line, column
  int questions = 0;
  int branches = 0;      // conditions: `when:` and `end_if:` clauses
  int longest_path = 0;  // the most questions one interview can ask
  bool ok() const { return errors.empty(); }
};

// Parses and checks a survey. `file_name` is used in the diagnostics.
CheckResult CheckSurveyText(std::string_view text, std::string_view file_name,
                            const CheckOptions& options = {});
// Same, reading `path` (a missing or unreadable file is one diagnostic at 1:1... with line 0).
CheckResult CheckSurveyFile(const std::string& path, const CheckOptions& options = {});

// A valid survey, or kInvalidArgument whose message lists every diagnostic, one per line.
Result<Survey> LoadSurvey(std::string_view text, std::string_view file_name = "<encuesta>");
Result<Survey> LoadSurveyFile(const std::string& path);

// The placeholders ({name}) used anywhere in the survey's texts, without duplicates.
std::vector<std::string> Placeholders(const Survey& survey);

// Placeholders every script may use without a base column: {agente} (the agent's name).
inline constexpr std::string_view kBuiltinPlaceholders[] = {"agente"};

// The survey as one JSON object (for the agent desktop and the API): {"id","title","version",
// "intro","closing","scales":[...],"questions":[{"id","type","text","short","help","required",
// "ns_nr","consent","options":[{"code","label"}],"scale","items":[{"id","label"}],"min","max",
// "integer","max_length","when","end_if"}]}. Conditions keep the YAML form.
std::string ToJsonString(const Survey& survey);

}  // namespace sondeo::surveys
