// JSON forms of the model and of answers (nlohmann stays out of the public headers).
#include <nlohmann/json.hpp>

#include "surveys/engine.h"
#include "surveys/src/internal.h"
#include "surveys/survey.h"

namespace sondeo::surveys {

namespace {

using nlohmann::json;

json ConditionJson(const Condition& c) {
  using Op = Condition::Op;
  switch (c.op) {
    case Op::kTrue:
      return true;
    case Op::kAnd:
    case Op::kOr: {
      json list = json::array();
      for (const auto& child : c.children) list.push_back(ConditionJson(child));
      return json{{c.op == Op::kAnd ? "and" : "or", list}};
    }
    case Op::kNot:
      return json{{"not", c.children.empty() ? json(true) : ConditionJson(c.children[0])}};
    default:
      break;
  }
  const std::string ref = c.item.empty() ? c.question : c.question + "." + c.item;
  static const std::map<Op, const char*> kNames = {
      {Op::kEq, "eq"}, {Op::kNe, "ne"}, {Op::kLt, "lt"}, {Op::kLe, "le"},
      {Op::kGt, "gt"}, {Op::kGe, "ge"}, {Op::kIn, "in"}};
  json value = c.op == Op::kIn ? json(c.values) : json(c.values.empty() ? "" : c.values[0]);
  return json{{ref, json{{kNames.at(c.op), value}}}};
}

json OptionsJson(const std::vector<Option>& options) {
  json list = json::array();
  for (const auto& o : options) list.push_back({{"code", o.code}, {"label", o.label}});
  return list;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string ToJsonString(const Survey& s) {
  json scales = json::array();
  for (const auto& sc : s.scales) {
    scales.push_back({{"id", sc.id}, {"options", OptionsJson(sc.options)}});
  }
  json questions = json::array();
  for (const auto& q : s.questions) {
    json j = {{"id", q.id},
              {"type", std::string(QuestionTypeName(q.type))},
              {"text", q.text},
              {"short", q.short_label},
              {"help", q.help},
              {"required", q.required},
              {"ns_nr", q.ns_nr},
              {"consent", q.consent},
              {"options", OptionsJson(q.options)}};
    if (!q.scale.empty()) j["scale"] = q.scale;
    if (q.type == QuestionType::kMatrix) {
      json items = json::array();
      for (const auto& i : q.items) items.push_back({{"id", i.id}, {"label", i.label}});
      j["items"] = items;
    }
    if (q.type == QuestionType::kNumeric) {
      j["min"] = q.min ? json(*q.min) : json(nullptr);
      j["max"] = q.max ? json(*q.max) : json(nullptr);
      j["integer"] = q.integer;
    }
    if (q.type == QuestionType::kText) j["max_length"] = q.max_length;
    if (q.when) j["when"] = ConditionJson(*q.when);
    if (q.end_if) j["end_if"] = ConditionJson(*q.end_if);
    questions.push_back(std::move(j));
  }
  return Dump({{"id", s.id},
               {"title", s.title},
               {"version", s.version},
               {"intro", s.intro},
               {"closing", s.closing},
               {"scales", scales},
               {"questions", questions}});
}

namespace {

std::optional<std::string> ValueString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return internal::FormatNumber(v.get<double>());
  return std::nullopt;
}

}  // namespace

Result<Answers> AnswersFromJson(const Survey& survey, std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("respuestas: JSON no válido");
  if (!j.is_object()) return Status::InvalidArgument("respuestas: se esperaba un objeto JSON");
  Answers answers;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Question* q = survey.FindQuestion(it.key());
    if (q == nullptr) {
      return Status::InvalidArgument("respuestas: pregunta desconocida '" + it.key().substr(0, 64) +
                                     "'");
    }
    const json& v = it.value();
    Answer a;
    auto bad = [&] {
      return Status::InvalidArgument("respuestas: forma no válida para '" + q->id + "' (tipo " +
                                     std::string(QuestionTypeName(q->type)) + ")");
    };
    if (v.is_null()) {
      // blank
    } else if (q->type == QuestionType::kMatrix) {
      if (!v.is_object()) return bad();
      for (auto item = v.begin(); item != v.end(); ++item) {
        auto s = ValueString(item.value());
        if (!s) return bad();
        a.items[item.key()] = *s;
      }
    } else if (q->type == QuestionType::kMultiChoice) {
      if (!v.is_array()) return bad();
      for (const auto& e : v) {
        auto s = ValueString(e);
        if (!s) return bad();
        a.selected.push_back(*s);
      }
    } else {
      auto s = ValueString(v);
      if (!s) return bad();
      a.value = *s;
    }
    answers.emplace(q->id, std::move(a));
  }
  return answers;
}

std::string AnswersToJson(const Survey& survey, const Answers& answers) {
  json j = json::object();
  for (const auto& [id, a] : answers) {
    const Question* q = survey.FindQuestion(id);
    if (a.empty()) {
      j[id] = nullptr;
    } else if (q != nullptr && q->type == QuestionType::kMatrix) {
      j[id] = a.items;
    } else if (q != nullptr && q->type == QuestionType::kMultiChoice) {
      j[id] = a.selected;
    } else {
      j[id] = a.value;
    }
  }
  return Dump(j);
}

}  // namespace sondeo::surveys
