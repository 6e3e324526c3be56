#include "surveys/survey.h"

#include <string>
#include <vector>

#include "tests/testutil/testutil.h"

namespace sondeo::surveys {
namespace {

using sondeo::testing::SourceDir;
using ::testing::HasSubstr;

std::string Example(const std::string& name) {
  return (SourceDir() / "examples" / "surveys" / name).string();
}
std::string Broken(const std::string& name) {
  return (SourceDir() / "tests" / "data" / "surveys" / name).string();
}

std::string AllErrors(const CheckResult& r) {
  std::string s;
  for (const auto& d : r.errors) s += d.ToString() + "\n";
  return s;
}

TEST(SurveyExamplesTest, SatisfaccionArtMatchesTheSeed) {
  auto r = CheckSurveyFile(Example("satisfaccion_art.yaml"),
                           {.base_columns = std::vector<std::string>{"nombres", "apellidos"}});
  ASSERT_TRUE(r.ok()) << AllErrors(r);
  const Survey& s = *r.survey;
  EXPECT_EQ(s.id, "satisfaccion_art");
  ASSERT_EQ(s.questions.size(), 3u);
  const Question& p1 = s.questions[0];
  EXPECT_EQ(p1.type, QuestionType::kMatrix);
  ASSERT_EQ(p1.items.size(), 4u);
  EXPECT_EQ(p1.items[0].label, "Amabilidad");
  EXPECT_EQ(p1.items[1].label, "Conocimiento del tema");
  EXPECT_EQ(p1.items[2].label, "Actitud de servicio");
  EXPECT_EQ(p1.items[3].label, "Lenguaje claro y sencillo");
  ASSERT_EQ(p1.options.size(), 4u);
  EXPECT_EQ(p1.options[0].code, "4");
  EXPECT_EQ(p1.options[0].label, "Excelente");
  EXPECT_EQ(p1.options[3].label, "Malo");
  EXPECT_EQ(p1.scale, "uno_a_cuatro");
  EXPECT_EQ(s.questions[1].type, QuestionType::kRating);
  EXPECT_THAT(s.questions[1].text, HasSubstr("Rapidez en la atención"));
  EXPECT_EQ(s.questions[2].type, QuestionType::kYesNo);
  EXPECT_EQ(s.questions[2].text, "¿La entidad ayudó a resolver sus problemas y necesidades?");
  EXPECT_EQ(r.questions, 3);
  EXPECT_EQ(r.branches, 0);
  EXPECT_EQ(r.longest_path, 3);
}

TEST(SurveyExamplesTest, ObrasPorImpuestosUsesLabelScales) {
  auto r = CheckSurveyFile(Example("obras_por_impuestos.yaml"));
  ASSERT_TRUE(r.ok()) << AllErrors(r);
  const Survey& s = *r.survey;
  ASSERT_EQ(s.questions.size(), 3u);
  EXPECT_EQ(s.questions[0].type, QuestionType::kSingleChoice);
  std::vector<std::string> labels;
  for (const auto& o : s.questions[0].options) labels.push_back(o.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"Excelente", "Bueno", "Regular", "Malo"}));
  EXPECT_EQ(s.questions[1].type, QuestionType::kYesNo);
  EXPECT_THAT(s.questions[1].text, HasSubstr("Manual de usuarios para Contribuyentes"));
  EXPECT_EQ(s.questions[2].options.size(), 4u);
}

TEST(SurveyExamplesTest, ConditionsExampleSummarisesBranches) {
  auto r = CheckSurveyFile(Example("condiciones.yaml"));
  ASSERT_TRUE(r.ok()) << AllErrors(r);
  EXPECT_EQ(r.questions, 9);
  EXPECT_EQ(r.branches, 5);
  EXPECT_EQ(r.longest_path, 9);
  EXPECT_TRUE(r.survey->questions[0].consent);
}

TEST(SurveyExamplesTest, BaseColumnsMustFillPlaceholders) {
  auto r = CheckSurveyFile(Example("condiciones.yaml"),
                           {.base_columns = std::vector<std::string>{"nombres"}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(AllErrors(r), HasSubstr("{municipio}"));
  // Column names match without regard to case.
  auto ok = CheckSurveyFile(Example("condiciones.yaml"),
                            {.base_columns = std::vector<std::string>{"Nombres", "MUNICIPIO"}});
  EXPECT_TRUE(ok.ok()) << AllErrors(ok);
}

struct BrokenCase {
  std::string file;
  std::vector<std::string> base_columns;  // empty: not checked
  std::vector<std::pair<int, int>> positions;
  std::string message_part;  // in the first error
};

class BrokenSurveyTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenSurveyTest, FailsAtTheRightLineAndColumn) {
  const BrokenCase& c = GetParam();
  CheckOptions options;
  if (!c.base_columns.empty()) options.base_columns = c.base_columns;
  auto r = CheckSurveyFile(Broken(c.file), options);
  ASSERT_FALSE(r.ok());
  std::vector<std::pair<int, int>> got;
  for (const auto& d : r.errors) got.emplace_back(d.line, d.column);
  EXPECT_EQ(got, c.positions) << AllErrors(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr(c.message_part)) << AllErrors(r);
  EXPECT_EQ(r.errors[0].file, Broken(c.file));
  EXPECT_FALSE(r.survey.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Files, BrokenSurveyTest,
    ::testing::Values(
        BrokenCase{"unknown_key.yaml", {}, {{7, 5}}, "clave desconocida 'requiered'"},
        BrokenCase{"bad_yaml.yaml",
                   {},
                   {{8, 7}},
                   "falta cerrar un '[' (el '[' de la línea 7, columna 14 no se cierra)"},
        BrokenCase{"duplicate_id.yaml", {}, {{7, 9}}, "'p1' repetido"},
        BrokenCase{"unknown_scale.yaml", {}, {{9, 12}}, "escala desconocida 'calidad5'"},
        BrokenCase{"later_question.yaml", {}, {{7, 12}}, "pregunta posterior 'p2'"},
        BrokenCase{"bad_value.yaml", {}, {{10, 16}}, "'tal_vez' no es un valor posible"},
        BrokenCase{"unreachable.yaml", {}, {{7, 9}}, "inalcanzable"},
        BrokenCase{"empty_options.yaml", {}, {{7, 14}}, "está vacía"},
        BrokenCase{"placeholder.yaml", {"nombres", "municipio"}, {{3, 8}}, "{cargo}"},
        BrokenCase{"wrong_type.yaml", {}, {{7, 15}}, "true o false"},
        BrokenCase{"matrix_item.yaml", {}, {{14, 12}}, "ítem desconocido 'claridad'"},
        BrokenCase{"empty.yaml", {}, {{1, 1}}, "vacío"},
        BrokenCase{"several.yaml", {}, {{7, 5}, {11, 10}, {12, 9}, {15, 12}}, "'colour'"}),
    [](const auto& tp) {
      std::string n = tp.param.file.substr(0, tp.param.file.find('.'));
      return n;
    });

// ---- bad input never crashes ----

TEST(SurveyBadInputTest, DeepFlowNestingIsRejectedBeforeParsing) {
  const std::string deep = "id: x\ntitle: " + std::string(10'000, '[') + std::string(10'000, ']');
  auto r = CheckSurveyText(deep, "deep.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << AllErrors(r);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_THAT(r.errors[0].message, HasSubstr("anidamiento"));
}

TEST(SurveyBadInputTest, DeepBlockNestingIsRejected) {
  std::string deep = "id: x\ntitle: t\nquestions:\n";
  for (int i = 0; i < 10'000; ++i) deep += "- ";
  deep += "x\n";
  auto r = CheckSurveyText(deep, "deep.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_THAT(r.errors[0].message, HasSubstr("anidamiento"));

  std::string indented = "id: x\n";
  for (int i = 0; i < 1'000; ++i) indented += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  auto r2 = CheckSurveyText(indented, "deep2.yaml");
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.errors[0].message, HasSubstr("anidamiento"));
}

TEST(SurveyBadInputTest, NestingJustUnderTheScreenStillParsesOrFailsCleanly) {
  // 60 nested flow maps pass the screen; yaml-cpp parses them and the builder rejects them.
  std::string s =
      "id: x\ntitle: t\nquestions:\n  - id: p1\n    type: yes_no\n    text: t\n"
      "    when: ";
  for (int i = 0; i < 60; ++i) s += "{not: ";
  s += "{p1: si}";
  for (int i = 0; i < 60; ++i) s += "}";
  s += "\n";
  auto r = CheckSurveyText(s, "n.yaml");
  EXPECT_FALSE(r.ok());  // depends on itself
}

TEST(SurveyBadInputTest, NestingHiddenBehindAQuoteStillFailsCleanly) {
  // The screen thinks '"' opens a quoted text; yaml-cpp nests, and its own depth guard stops.
  for (const std::string open : {"[", "{a: "}) {
    std::string s = "id: x\ntitle: [a \"";
    for (int i = 0; i < 10'000; ++i) s += open;
    auto r = CheckSurveyText(s, "q.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].line, 2);
  }
}

TEST(SurveyBadInputTest, FiveMegabyteStringIsTooLarge) {
  const std::string big = "id: x\ntitle: \"" + std::string(5 << 20, 'a') + "\"\n";
  auto r = CheckSurveyText(big, "big.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_THAT(r.errors[0].message, HasSubstr("demasiado grande"));
}

TEST(SurveyBadInputTest, LongScalarUnderTheFileLimitIsReportedWhereItIs) {
  const std::string s = "id: x\ntitle: " + std::string(50'000, 'a') + "\nquestions: []\n";
  auto r = CheckSurveyText(s, "long.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].column, 8);
  EXPECT_THAT(r.errors[0].message, HasSubstr("demasiado largo"));
}

TEST(SurveyBadInputTest, BinaryJunkIsNotText) {
  std::string junk = "id: x\n";
  for (int i = 0; i < 256; ++i) junk += static_cast<char>((i * 73 + 11) % 256);
  auto r = CheckSurveyText(junk, "junk.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_THAT(r.errors[0].message, HasSubstr("no es texto"));
  auto nul = CheckSurveyText(std::string("id: x\0y", 7), "nul.yaml");
  ASSERT_EQ(nul.errors.size(), 1u);
  EXPECT_EQ(nul.errors[0].column, 6);
}

TEST(SurveyBadInputTest, EmptyAndCommentOnlyFiles) {
  for (const char* text : {"", "   \n\n", "# solo un comentario\n", "---\n"}) {
    auto r = CheckSurveyText(text, "e.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << text;
    EXPECT_THAT(r.errors[0].message, HasSubstr("vacío"));
  }
}

TEST(SurveyBadInputTest, TopLevelMustBeAMap) {
  for (const char* text : {"- a\n- b\n", "hola\n", "[1, 2]\n"}) {
    auto r = CheckSurveyText(text, "t.yaml");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_THAT(r.errors[0].message, HasSubstr("se esperaba un mapa"));
  }
}

TEST(SurveyBadInputTest, AliasBombStaysBounded) {
  std::string s = "id: x\ntitle: t\na0: &a0 [{p1: si}, {p1: si}]\n";
  for (int i = 1; i < 30; ++i) {
    s += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [{and: *a" +
         std::to_string(i - 1) + "}, {and: *a" + std::to_string(i - 1) + "}]\n";
  }
  s += "questions:\n  - {id: p1, type: yes_no, text: t}\n  - {id: p2, type: yes_no, text: t, "
       "when: {and: *a29}}\n";
  auto r = CheckSurveyText(s, "bomb.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(AllErrors(r), HasSubstr("demasiado grande o compleja"));
}

TEST(SurveyLoadTest, LoadSurveyJoinsEveryDiagnostic) {
  auto r = LoadSurveyFile(Broken("several.yaml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error().message(), HasSubstr("several.yaml:7:5: "));
  EXPECT_THAT(r.error().message(), HasSubstr("\n"));
  EXPECT_FALSE(LoadSurveyFile(Broken("does-not-exist.yaml")).ok());
}

TEST(SurveyLoadTest, ScalesInlineAndListOptions) {
  auto r = LoadSurvey(R"(
id: s
title: t
questions:
  - id: a
    type: rating
    scale: {1: uno, 2: dos}
    text: t
  - id: b
    type: multi_choice
    options: [Radio, Prensa, TV]
    text: t
    required: false
  - id: c
    type: numeric
    min: 0
    max: 9.5
    integer: false
    text: t
  - id: d
    type: text
    max_length: 10
    text: t
  - id: e
    type: date
    text: t
    end_if: true
)");
  ASSERT_OK(r);
  EXPECT_EQ(r->questions[0].options.size(), 2u);
  EXPECT_EQ(r->questions[1].options[2].code, "TV");
  EXPECT_FALSE(r->questions[1].required);
  EXPECT_EQ(*r->questions[2].max, 9.5);
  EXPECT_FALSE(r->questions[2].integer);
  EXPECT_EQ(r->questions[3].max_length, 10);
  ASSERT_TRUE(r->questions[4].end_if.has_value());
  EXPECT_EQ(r->questions[4].end_if->op, Condition::Op::kTrue);
}

TEST(SurveyLoadTest, ConditionForms) {
  auto r = LoadSurvey(R"(
id: s
title: t
scales: {c4: {1: a, 2: b, 3: c, 4: d}}
questions:
  - {id: m, type: matrix, scale: c4, items: {x: X, y: Y}, text: t}
  - {id: n, type: numeric, text: t}
  - {id: q1, type: yes_no, text: t, when: {m.x: 4}}
  - {id: q2, type: yes_no, text: t, when: {n: {ge: 2, lt: 10}}}
  - {id: q3, type: yes_no, text: t, when: {m.y: [1, 2]}}
  - {id: q4, type: yes_no, text: t, when: {or: [{n: {"==": 1}}, {not: {m.x: {ne: 3}}}]}}
  - {id: q5, type: yes_no, text: t, when: {n: 1, m.x: 2}}
)");
  ASSERT_OK(r);
  using Op = Condition::Op;
  EXPECT_EQ(r->questions[2].when->op, Op::kEq);
  EXPECT_EQ(r->questions[2].when->item, "x");
  EXPECT_EQ(r->questions[3].when->op, Op::kAnd);
  ASSERT_EQ(r->questions[3].when->children.size(), 2u);
  EXPECT_EQ(r->questions[3].when->children[1].op, Op::kLt);
  EXPECT_EQ(r->questions[4].when->op, Op::kIn);
  EXPECT_EQ(r->questions[4].when->values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r->questions[5].when->op, Op::kOr);
  EXPECT_EQ(r->questions[5].when->children[1].op, Op::kNot);
  EXPECT_EQ(r->questions[6].when->op, Op::kAnd);
}

struct SemanticCase {
  std::string name;
  std::string questions;  // YAML list items under "questions:"
  std::string message_part;
};

class SemanticCheckTest : public ::testing::TestWithParam<SemanticCase> {};

TEST_P(SemanticCheckTest, Reports) {
  const std::string text =
      "id: s\ntitle: t\nscales: {c4: {1: a, 2: b, 3: c, 4: d}, "
      "lab: {si: S, no: N}}\nquestions:\n" +
      GetParam().questions;
  auto r = CheckSurveyText(text, "s.yaml");
  ASSERT_FALSE(r.ok()) << GetParam().name;
  EXPECT_THAT(AllErrors(r), HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SemanticCheckTest,
    ::testing::Values(
        SemanticCase{"unknown_question", "  - {id: a, type: yes_no, text: t, when: {zz: si}}\n",
                     "pregunta desconocida 'zz'"},
        SemanticCase{"self", "  - {id: a, type: yes_no, text: t, when: {a: si}}\n",
                     "misma pregunta"},
        SemanticCase{"matrix_needs_item",
                     "  - {id: m, type: matrix, scale: c4, items: {x: X}, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {m: 1}}\n",
                     "es una matriz"},
        SemanticCase{"not_matrix",
                     "  - {id: a, type: yes_no, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a.x: si}}\n",
                     "no es una matriz"},
        SemanticCase{"order_on_yes_no",
                     "  - {id: a, type: yes_no, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {gt: si}}}\n",
                     "no aplican"},
        SemanticCase{"order_on_labels",
                     "  - {id: a, type: single_choice, scale: lab, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {gt: si}}}\n",
                     "códigos no numéricos"},
        SemanticCase{"numeric_not_number",
                     "  - {id: a, type: numeric, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {gt: mucho}}}\n",
                     "no es un número"},
        SemanticCase{"numeric_out_of_range",
                     "  - {id: a, type: numeric, min: 0, max: 5, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: 9}}\n",
                     "fuera del rango"},
        SemanticCase{"bad_date",
                     "  - {id: a, type: date, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {ge: 2026-02-30}}}\n",
                     "no es una fecha"},
        SemanticCase{"ns_nr_not_allowed",
                     "  - {id: a, type: yes_no, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: NS/NR}}\n",
                     "no admite NS/NR"},
        SemanticCase{"consent_not_first",
                     "  - {id: a, type: yes_no, text: t}\n"
                     "  - {id: b, type: yes_no, consent: true, text: t}\n",
                     "primera pregunta"},
        SemanticCase{"consent_type",
                     "  - {id: a, type: rating, scale: c4, consent: true, text: t}\n",
                     "tipo yes_no"},
        SemanticCase{"after_end",
                     "  - {id: a, type: yes_no, text: t, end_if: true}\n"
                     "  - {id: b, type: yes_no, text: t}\n",
                     "'b' es inalcanzable"},
        SemanticCase{"after_refusal_only",
                     "  - {id: a, type: yes_no, consent: true, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: \"no\"}}\n",
                     "'b' es inalcanzable"},
        SemanticCase{"numeric_contradiction",
                     "  - {id: a, type: numeric, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {gt: 5, lt: 3}}}\n",
                     "'b' es inalcanzable"},
        SemanticCase{"key_not_for_type", "  - {id: a, type: yes_no, text: t, max_length: 3}\n",
                     "no aplica a preguntas de tipo yes_no"},
        SemanticCase{"missing_fields", "  - {id: a}\n", "falta el campo obligatorio 'type'"},
        SemanticCase{"unknown_type", "  - {id: a, type: slider, text: t}\n",
                     "tipo de pregunta desconocido 'slider'"},
        SemanticCase{"bad_id", "  - {id: 1a, type: yes_no, text: t}\n", "no es válido"},
        SemanticCase{"reserved_nsnr_code",
                     "  - {id: a, type: single_choice, options: {NS/NR: x}, text: t}\n",
                     "reservado"},
        SemanticCase{"duplicate_option",
                     "  - {id: a, type: multi_choice, options: [x, x], text: t}\n",
                     "opción 'x' repetida"},
        SemanticCase{"min_gt_max", "  - {id: a, type: numeric, min: 5, max: 1, text: t}\n",
                     "min es mayor que max"},
        SemanticCase{"malformed_placeholder", "  - {id: a, type: yes_no, text: 'Hola {nombres'}\n",
                     "marcador mal escrito"},
        SemanticCase{"bad_operator",
                     "  - {id: a, type: numeric, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {between: 3}}}\n",
                     "operador desconocido 'between'"},
        SemanticCase{"empty_in",
                     "  - {id: a, type: yes_no, text: t}\n"
                     "  - {id: b, type: yes_no, text: t, when: {a: {in: []}}}\n",
                     "lista no vacía"},
        SemanticCase{"duplicate_key", "  - {id: a, type: yes_no, text: t, text: u}\n",
                     "clave 'text' repetida"}),
    [](const auto& tp) { return tp.param.name; });

TEST(SurveyJsonTest, ToJsonHasTheModel) {
  auto r = LoadSurveyFile(Example("condiciones.yaml"));
  ASSERT_OK(r);
  const std::string j = ToJsonString(*r);
  EXPECT_THAT(j, HasSubstr(R"("id":"ejemplo_condiciones")"));
  EXPECT_THAT(j, HasSubstr(R"("type":"matrix")"));
  EXPECT_THAT(j, HasSubstr(R"("when":{"aspectos.espera":{"le":"2"}})"));
  EXPECT_THAT(j, HasSubstr(R"("consent":true)"));
  EXPECT_EQ(Placeholders(*r), (std::vector<std::string>{"nombres", "agente", "municipio"}));
}

}  // namespace
}  // namespace sondeo::surveys
