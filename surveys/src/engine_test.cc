#include "surveys/engine.h"

#include <random>
#include <string>
#include <vector>

#include "tests/testutil/testutil.h"

namespace sondeo::surveys {
namespace {

using ::testing::HasSubstr;

// One survey with every type, used by the tables below.
const Survey& AllTypes() {
  static const Survey survey = [] {
    auto r = LoadSurvey(R"(
id: todo
title: Todos los tipos
scales:
  c4: {4: Excelente, 3: Bueno, 2: Regular, 1: Malo}
  lab: {excelente: Excelente, bueno: Bueno}
questions:
  - {id: sc, type: single_choice, options: {a: A, b: B}, text: t, ns_nr: true}
  - {id: sl, type: single_choice, scale: lab, text: t}
  - {id: ra, type: rating, scale: c4, text: t}
  - {id: mx, type: matrix, scale: c4, items: {x: X, y: Y}, text: t, ns_nr: true}
  - {id: yn, type: yes_no, text: t}
  - {id: mc, type: multi_choice, options: [a, b, c], text: t, ns_nr: true}
  - {id: nu, type: numeric, min: 0, max: 10, text: t}
  - {id: nd, type: numeric, min: -1.5, max: 2.5, integer: false, text: t}
  - {id: tx, type: text, max_length: 5, text: t, required: false}
  - {id: da, type: date, text: t, ns_nr: true}
)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Survey{};
  }();
  return survey;
}

Answer V(std::string v) { return Answer{std::move(v), {}, {}}; }
Answer Items(std::map<std::string, std::string> items) { return Answer{"", std::move(items), {}}; }
Answer Sel(std::vector<std::string> s) { return Answer{"", {}, std::move(s)}; }

struct ValidateCase {
  std::string question;
  Answer answer;
  bool ok;
  std::string message_part;
};

class ValidateAnswerTest : public ::testing::TestWithParam<ValidateCase> {};

TEST_P(ValidateAnswerTest, Table) {
  const auto& c = GetParam();
  const Question* q = AllTypes().FindQuestion(c.question);
  ASSERT_NE(q, nullptr);
  Status s = ValidateAnswer(*q, c.answer);
  EXPECT_EQ(s.ok(), c.ok) << c.question << ": " << s.ToString();
  if (!c.ok) {
    EXPECT_THAT(s.message(), HasSubstr(c.message_part));
    EXPECT_THAT(s.message(), HasSubstr(c.question + ":"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryType, ValidateAnswerTest,
    ::testing::Values(
        // single_choice
        ValidateCase{"sc", V("a"), true, ""}, ValidateCase{"sc", V("NS/NR"), true, ""},
        ValidateCase{"sc", V("z"), false, "no es una opción"},
        ValidateCase{"sc", V(""), false, "obligatoria"},
        ValidateCase{"sc", Sel({"a"}), false, "un solo valor"},
        ValidateCase{"sl", V("bueno"), true, ""},
        ValidateCase{"sl", V("NS/NR"), false, "no admite NS/NR"},
        // rating
        ValidateCase{"ra", V("4"), true, ""}, ValidateCase{"ra", V("5"), false, "no es una opción"},
        ValidateCase{"ra", V("4.0"), false, "no es una opción"},
        // matrix
        ValidateCase{"mx", Items({{"x", "1"}, {"y", "NS/NR"}}), true, ""},
        ValidateCase{"mx", Items({{"x", "1"}}), false, "falta la respuesta del ítem 'y'"},
        ValidateCase{"mx", Items({{"x", "1"}, {"y", "9"}}), false, "ítem 'y'"},
        ValidateCase{"mx", Items({{"x", "1"}, {"y", "2"}, {"z", "2"}}), false, "ítem desconocido"},
        ValidateCase{"mx", V("1"), false, "por ítem"},
        // yes_no
        ValidateCase{"yn", V("si"), true, ""}, ValidateCase{"yn", V("no"), true, ""},
        ValidateCase{"yn", V("Sí"), false, "no es una opción"},
        // multi_choice
        ValidateCase{"mc", Sel({"a", "c"}), true, ""}, ValidateCase{"mc", Sel({"NS/NR"}), true, ""},
        ValidateCase{"mc", Sel({"a", "a"}), false, "repetida"},
        ValidateCase{"mc", Sel({"a", "NS/NR"}), false, "no se combina"},
        ValidateCase{"mc", Sel({"d"}), false, "no es una opción"},
        ValidateCase{"mc", V("a"), false, "lista de opciones"},
        // numeric
        ValidateCase{"nu", V("0"), true, ""}, ValidateCase{"nu", V("10"), true, ""},
        ValidateCase{"nu", V("11"), false, "mayor que el máximo (10)"},
        ValidateCase{"nu", V("-1"), false, "menor que el mínimo (0)"},
        ValidateCase{"nu", V("2.5"), false, "entero"},
        ValidateCase{"nu", V("tres"), false, "se esperaba un número"},
        ValidateCase{"nu", V("1e3"), false, "se esperaba un número"},
        ValidateCase{"nu", V("NS/NR"), false, "no admite NS/NR"},
        ValidateCase{"nd", V("2.5"), true, ""}, ValidateCase{"nd", V("-1.5"), true, ""},
        ValidateCase{"nd", V("2.51"), false, "máximo"},
        // text
        ValidateCase{"tx", V("hola"), true, ""}, ValidateCase{"tx", V("añoñó"), true, ""},
        ValidateCase{"tx", V("holaaa"), false, "supera 5 caracteres"},
        ValidateCase{"tx", V(""), true, ""},  // optional: left blank
        // date
        ValidateCase{"da", V("2026-02-28"), true, ""},
        ValidateCase{"da", V("2024-02-29"), true, ""},
        ValidateCase{"da", V("2026-02-29"), false, "fecha"},
        ValidateCase{"da", V("28/02/2026"), false, "fecha"},
        ValidateCase{"da", V("2026-2-28"), false, "fecha"},
        ValidateCase{"da", V("NS/NR"), true, ""}));

// ---- conditions: every form ----

struct ConditionCase {
  std::string name;
  std::string when;  // YAML of a condition on the questions of AllTypes()
  Answers answers;
  bool want;
};

class EvaluateTest : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(EvaluateTest, Table) {
  const auto& c = GetParam();
  const std::string text =
      "id: s\ntitle: t\nscales: {c4: {4: E, 3: B, 2: R, 1: M}}\n"
      "questions:\n"
      "  - {id: sc, type: single_choice, options: {a: A, b: B}, text: t, "
      "ns_nr: true}\n"
      "  - {id: ra, type: rating, scale: c4, text: t, ns_nr: true}\n"
      "  - {id: mx, type: matrix, scale: c4, items: {x: X, y: Y}, text: t}\n"
      "  - {id: yn, type: yes_no, text: t}\n"
      "  - {id: mc, type: multi_choice, options: [a, b, c], text: t}\n"
      "  - {id: nu, type: numeric, text: t, integer: false}\n"
      "  - {id: tx, type: text, text: t}\n"
      "  - {id: da, type: date, text: t}\n"
      "  - {id: last, type: yes_no, text: t, when: " +
      c.when + "}\n";
  auto s = LoadSurvey(text);
  ASSERT_OK(s);
  ASSERT_TRUE(s->questions.back().when.has_value());
  EXPECT_EQ(Evaluate(*s->questions.back().when, *s, c.answers), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, EvaluateTest,
    ::testing::Values(
        ConditionCase{"eq_true", "{yn: si}", {{"yn", V("si")}}, true},
        ConditionCase{"eq_false", "{yn: si}", {{"yn", V("no")}}, false},
        ConditionCase{"eq_unanswered", "{yn: si}", {}, false},
        ConditionCase{"eq_blank", "{tx: hola}", {{"tx", V("")}}, false},
        ConditionCase{"eq_op", "{sc: {eq: a}}", {{"sc", V("a")}}, true},
        ConditionCase{"eq_symbol", "{sc: {'==': a}}", {{"sc", V("b")}}, false},
        ConditionCase{"ne_true", "{sc: {ne: a}}", {{"sc", V("b")}}, true},
        ConditionCase{"ne_unanswered_is_false", "{sc: {ne: a}}", {}, false},
        ConditionCase{"not_unanswered_is_true", "{not: {sc: a}}", {}, true},
        ConditionCase{"eq_nsnr", "{sc: NS/NR}", {{"sc", V("NS/NR")}}, true},
        ConditionCase{"in_list", "{sc: {in: [a, b]}}", {{"sc", V("b")}}, true},
        ConditionCase{"in_short", "{ra: [1, 2]}", {{"ra", V("3")}}, false},
        ConditionCase{"lt", "{ra: {lt: 3}}", {{"ra", V("2")}}, true},
        ConditionCase{"lt_equal", "{ra: {lt: 3}}", {{"ra", V("3")}}, false},
        ConditionCase{"le", "{ra: {le: 3}}", {{"ra", V("3")}}, true},
        ConditionCase{"gt", "{ra: {gt: 3}}", {{"ra", V("4")}}, true},
        ConditionCase{"ge", "{ra: {'>=': 3}}", {{"ra", V("2")}}, false},
        ConditionCase{"order_on_nsnr_is_false", "{ra: {le: 4}}", {{"ra", V("NS/NR")}}, false},
        ConditionCase{"numeric_decimal", "{nu: {gt: 2.5}}", {{"nu", V("2.75")}}, true},
        ConditionCase{"numeric_equal_forms", "{nu: 3}", {{"nu", V("3.0")}}, true},
        ConditionCase{"range_two_ops", "{nu: {ge: 1, lt: 5}}", {{"nu", V("5")}}, false},
        ConditionCase{
            "matrix_item", "{mx.x: {le: 2}}", {{"mx", Items({{"x", "1"}, {"y", "4"}})}}, true},
        ConditionCase{"matrix_other_item",
                      "{mx.y: {le: 2}}",
                      {{"mx", Items({{"x", "1"}, {"y", "4"}})}},
                      false},
        ConditionCase{"multi_contains", "{mc: b}", {{"mc", Sel({"a", "b"})}}, true},
        ConditionCase{"multi_not_contains", "{mc: {ne: b}}", {{"mc", Sel({"a"})}}, true},
        ConditionCase{"multi_in_any", "{mc: {in: [c, b]}}", {{"mc", Sel({"a", "c"})}}, true},
        ConditionCase{"multi_in_none", "{mc: [c]}", {{"mc", Sel({"a"})}}, false},
        ConditionCase{"text_eq", "{tx: hola}", {{"tx", V("hola")}}, true},
        ConditionCase{"date_order", "{da: {lt: 2026-01-01}}", {{"da", V("2025-12-31")}}, true},
        ConditionCase{
            "date_order_false", "{da: {lt: 2026-01-01}}", {{"da", V("2026-01-01")}}, false},
        ConditionCase{
            "and_true", "{and: [{yn: si}, {sc: a}]}", {{"yn", V("si")}, {"sc", V("a")}}, true},
        ConditionCase{
            "and_false", "{and: [{yn: si}, {sc: a}]}", {{"yn", V("si")}, {"sc", V("b")}}, false},
        ConditionCase{"implicit_and", "{yn: si, sc: a}", {{"yn", V("si")}, {"sc", V("b")}}, false},
        ConditionCase{
            "or_true", "{or: [{yn: si}, {sc: a}]}", {{"yn", V("no")}, {"sc", V("a")}}, true},
        ConditionCase{"or_false", "{or: [{yn: si}, {sc: a}]}", {{"yn", V("no")}}, false},
        ConditionCase{"not", "{not: {yn: si}}", {{"yn", V("no")}}, true},
        ConditionCase{"nested",
                      "{or: [{not: {and: [{ra: {ge: 3}}, {mc: a}]}}, {da: 2026-05-01}]}",
                      {{"ra", V("4")}, {"mc", Sel({"a"})}, {"da", V("2026-05-02")}},
                      false}),
    [](const auto& tp) { return tp.param.name; });

// ---- next question, end jumps, consent, status ----

const Survey& Branching() {
  static const Survey survey = [] {
    auto r = LoadSurvey(R"(
id: b
title: t
questions:
  - {id: ok, type: yes_no, consent: true, text: t}
  - {id: visito, type: yes_no, text: t, end_if: {visito: "no"}}
  - {id: nota, type: numeric, min: 1, max: 5, text: t}
  - {id: porque, type: text, text: t, when: {nota: {le: 2}}, required: false}
  - {id: fin, type: yes_no, text: t}
)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Survey{};
  }();
  return survey;
}

struct NextCase {
  std::string name;
  Answers answers;
  std::string next;  // "" when over
  ResponseStatus status;
};

class NextQuestionTest : public ::testing::TestWithParam<NextCase> {};

TEST_P(NextQuestionTest, Table) {
  const auto& c = GetParam();
  const Question* q = NextQuestion(Branching(), c.answers);
  EXPECT_EQ(q ? q->id : "", c.next);
  EXPECT_EQ(DecideStatus(Branching(), c.answers), c.status);
}

INSTANTIATE_TEST_SUITE_P(
    Paths, NextQuestionTest,
    ::testing::Values(
        NextCase{"start", {}, "ok", ResponseStatus::kPartial},
        NextCase{"refused", {{"ok", V("no")}}, "", ResponseStatus::kRefused},
        NextCase{"consented", {{"ok", V("si")}}, "visito", ResponseStatus::kPartial},
        NextCase{"end_jump", {{"ok", V("si")}, {"visito", V("no")}}, "", ResponseStatus::kComplete},
        NextCase{"low_note_asks_why",
                 {{"ok", V("si")}, {"visito", V("si")}, {"nota", V("2")}},
                 "porque",
                 ResponseStatus::kPartial},
        NextCase{"high_note_skips_why",
                 {{"ok", V("si")}, {"visito", V("si")}, {"nota", V("4")}},
                 "fin",
                 ResponseStatus::kPartial},
        NextCase{"stale_answer_ignored",
                 {{"ok", V("si")}, {"visito", V("si")}, {"nota", V("4")}, {"porque", V("x")}},
                 "fin",
                 ResponseStatus::kPartial},
        NextCase{"complete",
                 {{"ok", V("si")},
                  {"visito", V("si")},
                  {"nota", V("1")},
                  {"porque", V("")},
                  {"fin", V("no")}},
                 "",
                 ResponseStatus::kComplete}),
    [](const auto& tp) { return tp.param.name; });

TEST(EngineTest, ValidateAnswersRejectsOffPathAndUnknown) {
  const Survey& s = Branching();
  EXPECT_OK(ValidateAnswers(s, {{"ok", V("si")}, {"visito", V("si")}}));
  Status off = ValidateAnswers(
      s, {{"ok", V("si")}, {"visito", V("si")}, {"nota", V("4")}, {"porque", V("x")}});
  EXPECT_FALSE(off.ok());
  EXPECT_THAT(off.message(), HasSubstr("porque"));
  EXPECT_FALSE(ValidateAnswers(s, {{"zz", V("si")}}).ok());
  EXPECT_FALSE(ValidateAnswers(s, {{"ok", V("si")}, {"visito", V("quizá")}}).ok());
  // An answer after an unanswered question is off the path too.
  EXPECT_FALSE(ValidateAnswers(s, {{"ok", V("si")}, {"nota", V("3")}}).ok());
  EXPECT_EQ(Path(s, {{"ok", V("si")}, {"visito", V("si")}}).size(), 2u);
}

TEST(EngineTest, RenderEscapesBaseValues) {
  const std::map<std::string, std::string> fields = {{"nombres", "Ana <b>\"Lu\"</b> & 'Co'"},
                                                     {"municipio", "Colosó"}};
  EXPECT_EQ(RenderText("Hola {nombres}, de {municipio}.", fields),
            "Hola Ana &lt;b&gt;&quot;Lu&quot;&lt;/b&gt; &amp; &#39;Co&#39;, de Colosó.");
  EXPECT_EQ(RenderText("{{literal}} y {desconocido}!", fields), "{literal} y !");
  EXPECT_EQ(RenderText("sin cerrar {nombres", fields), "sin cerrar {nombres");
  EXPECT_EQ(RenderText("{no valido}", fields), "{no valido}");
  EXPECT_EQ(RenderText("", fields), "");
}

TEST(EngineTest, RandomAnswersAreValidCompleteAndDeterministic) {
  for (const Survey* s : {&AllTypes(), &Branching()}) {
    for (uint64_t seed = 1; seed <= 200; ++seed) {
      std::mt19937_64 rng(seed);
      auto uniform = [&rng](uint64_t n) {
        return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng);
      };
      Answers a = RandomAnswers(*s, uniform);
      ASSERT_OK(ValidateAnswers(*s, a)) << "seed " << seed;
      EXPECT_EQ(DecideStatus(*s, a), ResponseStatus::kComplete) << "seed " << seed;
      std::mt19937_64 rng2(seed);
      auto uniform2 = [&rng2](uint64_t n) {
        return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng2);
      };
      EXPECT_EQ(RandomAnswers(*s, uniform2), a);
    }
  }
}

TEST(EngineTest, RandomAnswersCoverBothBranches) {
  int asked_why = 0, ended = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    auto a = RandomAnswers(Branching(), [&rng](uint64_t n) { return rng() % n; });
    asked_why += a.count("porque") ? 1 : 0;
    ended += a.at("visito").value == "no" ? 1 : 0;
  }
  EXPECT_GT(asked_why, 20);
  EXPECT_GT(ended, 50);
}

TEST(EngineTest, AnswersJsonRoundTrip) {
  const Survey& s = AllTypes();
  auto a = AnswersFromJson(
      s, R"({"sc":"a","ra":4,"mx":{"x":"1","y":"NS/NR"},"mc":["a","c"],"nd":2.5,"tx":null})");
  ASSERT_OK(a);
  EXPECT_EQ(a->at("ra").value, "4");
  EXPECT_EQ(a->at("nd").value, "2.5");
  EXPECT_EQ(a->at("mx").items.at("y"), "NS/NR");
  EXPECT_EQ(a->at("mc").selected, (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(a->at("tx").empty());
  auto back = AnswersFromJson(s, AnswersToJson(s, *a));
  ASSERT_OK(back);
  EXPECT_EQ(*back, *a);
  EXPECT_FALSE(AnswersFromJson(s, "{").ok());
  EXPECT_FALSE(AnswersFromJson(s, "[]").ok());
  EXPECT_FALSE(AnswersFromJson(s, R"({"zz":"a"})").ok());
  EXPECT_FALSE(AnswersFromJson(s, R"({"mx":"1"})").ok());
  EXPECT_FALSE(AnswersFromJson(s, R"({"mc":"a"})").ok());
  EXPECT_FALSE(AnswersFromJson(s, R"({"sc":{"a":1}})").ok());
}

TEST(EngineTest, StatusNames) {
  for (auto st : {ResponseStatus::kComplete, ResponseStatus::kPartial, ResponseStatus::kRefused}) {
    auto back = ParseResponseStatus(ResponseStatusName(st));
    ASSERT_OK(back);
    EXPECT_EQ(*back, st);
  }
  EXPECT_FALSE(ParseResponseStatus("done").ok());
}

}  // namespace
}  // namespace sondeo::surveys
