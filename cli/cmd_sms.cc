// sondeo sms estimate|send|run|contract|dlr-listen (dialer/sms)
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/context.h"
#include "dialer/sms.h"

namespace sondeo::cli {

namespace {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": no se puede leer el archivo");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

nlohmann::json SegmentationJson(const dialer::SmsSegmentation& s) {
  return {{"encoding", std::string(dialer::SmsEncodingName(s.encoding))},
          {"units", s.units},
          {"segments", s.segments},
          {"segment_sizes", s.segment_sizes},
          {"non_gsm_chars", s.non_gsm_chars}};
}

nlohmann::json EstimateJson(const dialer::SmsEstimate& e) {
  nlohmann::json j = SegmentationJson(e.seg);
  j["gsm7_alternative"] = {{"text", e.alternative_text}, {"segments", e.alternative.segments}};
  return j;
}

std::string JoinInts(const std::vector<int>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " + " : "") + std::to_string(v[i]);
  return out;
}

void PrintEstimateHuman(const dialer::SmsEstimate& e) {
  const bool gsm = e.seg.encoding == dialer::SmsEncoding::kGsm7;
  std::cout << "Codificación:      " << dialer::SmsEncodingName(e.seg.encoding) << "\n"
            << "Unidades:          " << e.seg.units << (gsm ? " septetos" : " unidades UTF-16")
            << "\n"
            << "Segmentos:         " << e.seg.segments << " (" << JoinInts(e.seg.segment_sizes)
            << ")\n";
  if (!gsm) {
    std::cout << "Fuera de GSM-7:    ";
    for (size_t i = 0; i < e.seg.non_gsm_chars.size(); ++i) {
      std::cout << (i ? " " : "") << e.seg.non_gsm_chars[i];
    }
    std::cout << "\nAlternativa GSM-7: " << e.alternative.segments << " segmento(s): \""
              << e.alternative_text << "\"\n";
  }
}

void RegisterEstimate(CLI::App& sms, Context& ctx) {
  auto* cmd = sms.add_subcommand("estimate", "Calcula codificación, segmentos y alternativa GSM-7");
  auto text = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto* t = cmd->add_option("--text", *text, "Texto del mensaje");
  auto* f = cmd->add_option("--file", *file, "Archivo con el texto (UTF-8)");
  t->excludes(f);
  cmd->callback([&ctx, text, file, t, f] {
    if (t->count() == 0 && f->count() == 0) {
      ctx.exit_code = ctx.Fail(Status::InvalidArgument("sms estimate: falta --text o --file"));
      return;
    }
    std::string body = *text;
    if (f->count() > 0) {
      auto r = ReadTextFile(*file);
      if (!r) {
        ctx.exit_code = ctx.Fail(r.error());
        return;
      }
      body = std::move(*r);
    }
    const dialer::SmsEstimate e = dialer::Estimate(body);
    if (ctx.json) {
      ctx.PrintJson(EstimateJson(e));
    } else {
      PrintEstimateHuman(e);
    }
  });
}

}  // namespace

void RegisterSms(CLI::App& app, Context& ctx) {
  auto* sms = app.add_subcommand("sms", "Mensajes SMS: estimación, envíos y reportes de entrega");
  sms->require_subcommand(1);
  RegisterEstimate(*sms, ctx);
}

}  // namespace sondeo::cli
