#include "dialer/dispositions.h"

namespace sondeo::dialer {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

DispositionRule Final(std::string code, std::string label, std::string aapor) {
  DispositionRule r;
  r.code = std::move(code);
  r.label = std::move(label);
  r.final = true;
  r.aapor = std::move(aapor);
  return r;
}

DispositionRule Retry(std::string code, std::string label, Duration delay, int max,
                      std::string aapor) {
  DispositionRule r;
  r.code = std::move(code);
  r.label = std::move(label);
  r.retry_delay = delay;
  r.retry_max = max;
  r.aapor = std::move(aapor);
  return r;
}

}  // namespace

std::vector<DispositionRule> DefaultDispositions() {
  std::vector<DispositionRule> v;
  // Agent dispositions (the seed's 12).
  auto voicemail = Retry("CORREO_DE_VOZ", "CORREO DE VOZ", hours(3), 0, "3.14");
  v.push_back(voicemail);
  auto conmutador = Retry("CONMUTADOR", "CONMUTADOR", hours(2), 1, "4.51");
  conmutador.next_phone = true;
  v.push_back(conmutador);
  auto efectiva = Final("ENCUESTA_EFECTIVA", "ENCUESTA EFECTIVA", "1.1");
  efectiva.contact = efectiva.complete = true;
  v.push_back(efectiva);
  auto no_efectiva = Final("ENCUESTA_NO_EFECTIVA", "ENCUESTA NO EFECTIVA", "2.112");
  no_efectiva.contact = no_efectiva.refusal = true;
  v.push_back(no_efectiva);
  auto linea = Final("LINEA_DE_LA_ENTIDAD", "LÍNEA DE LA ENTIDAD", "4.51");
  v.push_back(linea);
  v.push_back(Retry("NO_CONTESTA", "NO CONTESTA", hours(2), 0, "3.13"));
  auto no_registra = Final("NO_REGISTRA_DATOS", "NO REGISTRA DATOS", "4.70");
  no_registra.contact = true;
  v.push_back(no_registra);
  auto danado = Retry("TELEFONO_DANADO", "TELÉFONO DAÑADO", hours(24), 1, "3.16");
  danado.next_phone = true;
  v.push_back(danado);
  auto equivocado = Retry("TELEFONO_EQUIVOCADO", "TELÉFONO EQUIVOCADO", minutes(0), 0, "4.70");
  equivocado.next_phone = true;
  v.push_back(equivocado);
  auto invalido = Retry("TELEFONO_INVALIDO", "TELÉFONO INVÁLIDO", minutes(0), 0, "4.32");
  invalido.next_phone = true;
  v.push_back(invalido);
  auto volver = Retry("VOLVER_A_LLAMAR", "VOLVER A LLAMAR", hours(24), 3, "2.12");
  volver.callback = volver.contact = true;
  volver.consumes_attempt = false;  // the citizen asked for it; retry_max bounds the loop
  v.push_back(volver);
  auto ya = Final("YA_ENCUESTADO", "YA ENCUESTADO", "4.10");
  ya.contact = true;
  v.push_back(ya);
  // System dispositions.
  auto sys = [](DispositionRule r) {
    r.by_agent = false;
    return r;
  };
  v.push_back(sys(Retry("OCUPADO", "OCUPADO", minutes(20), 0, "3.12")));
  auto num_invalido = sys(Retry("NUMERO_INVALIDO", "NÚMERO INVÁLIDO", minutes(0), 0, "4.32"));
  num_invalido.next_phone = true;
  v.push_back(num_invalido);
  auto falla = sys(Retry("FALLA_DE_RED", "FALLA DE RED", minutes(5), 0, "3.16"));
  falla.consumes_attempt = false;
  v.push_back(falla);
  auto rechazada = sys(Retry("RECHAZADA", "RECHAZADA", hours(4), 0, "3.15"));
  v.push_back(rechazada);
  auto abandonada = sys(Retry("ABANDONADA", "ABANDONADA", minutes(30), 0, "2.12"));
  abandonada.consumes_attempt = false;
  abandonada.abandoned = true;
  abandonada.contact = true;
  v.push_back(abandonada);
  auto interrumpida = sys(Retry("INTERRUMPIDA", "INTERRUMPIDA", minutes(0), 0, "3.90"));
  interrumpida.consumes_attempt = false;
  v.push_back(interrumpida);
  return v;
}

const DispositionRule* FindRule(const std::vector<DispositionRule>& rules, std::string_view code) {
  for (const auto& r : rules) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

}  // namespace sondeo::dialer
