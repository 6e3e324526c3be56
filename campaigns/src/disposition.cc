// The default disposition catalogue (the seed's 12 agent dispositions plus the system ones)
// and the AAPOR categories. docs/campaigns.md has the table with the reasons.
#include <algorithm>
#include <utility>

#include "campaigns/campaign.h"

namespace sondeo::campaigns {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Disposition Final(const char* code, const char* label, const char* aapor) {
  Disposition d;
  d.code = code;
  d.label = label;
  d.final = true;
  d.aapor = aapor;
  return d;
}

Disposition Retry(const char* code, const char* label, seconds delay, int max, const char* aapor) {
  Disposition d = Final(code, label, aapor);
  d.final = false;
  d.retry_delay = delay;
  d.retry_max = max;
  return d;
}

Disposition System(Disposition d) {
  d.set_by = SetBy::kSystem;
  return d;
}

}  // namespace

std::string_view AaporCategory(std::string_view code) {
  if (code == "1.1") return "I";
  if (code == "1.2") return "P";
  if (code.starts_with("2.1")) return "R";
  if (code.starts_with("2.2")) return "NC";
  if (code.starts_with("2.3")) return "O";
  if (code.starts_with("3.1")) return "UH";
  if (code.starts_with("3.2") || code.starts_with("3.9")) return "UO";
  if (code.starts_with("4.")) return "NE";
  return "";
}

DispositionCatalog DispositionCatalog::Defaults() {
  DispositionCatalog c;
  auto& v = c.items_;
  // The seed's 12 (Tabla 14), typified by the agent.
  v.push_back(Retry("CORREO_DE_VOZ", "CORREO DE VOZ", hours(3), 0, "3.14"));
  {
    auto d = Retry("CONMUTADOR", "CONMUTADOR", hours(2), 1, "4.51");
    d.try_next_phone = true;
    v.push_back(d);
  }
  {
    auto d = Final("ENCUESTA_EFECTIVA", "ENCUESTA EFECTIVA", "1.1");
    d.contact = d.complete = true;
    v.push_back(d);
  }
  {
    auto d = Final("ENCUESTA_NO_EFECTIVA", "ENCUESTA NO EFECTIVA", "2.112");
    d.contact = d.refusal = true;
    v.push_back(d);
  }
  {
    auto d = Final("LINEA_DE_LA_ENTIDAD", "LÍNEA DE LA ENTIDAD", "4.51");
    d.try_next_phone = true;
    v.push_back(d);
  }
  v.push_back(Retry("NO_CONTESTA", "NO CONTESTA", hours(2), 0, "3.13"));
  {
    auto d = Final("NO_REGISTRA_DATOS", "NO REGISTRA DATOS", "4.70");
    d.set_by = SetBy::kBoth;
    d.contact = true;
    v.push_back(d);
  }
  {
    auto d = Retry("TELEFONO_DANADO", "TELÉFONO DAÑADO", hours(24), 1, "3.16");
    d.try_next_phone = true;
    v.push_back(d);
  }
  {
    auto d = Final("TELEFONO_EQUIVOCADO", "TELÉFONO EQUIVOCADO", "4.70");
    d.try_next_phone = true;
    v.push_back(d);
  }
  {
    auto d = Final("TELEFONO_INVALIDO", "TELÉFONO INVÁLIDO", "4.32");
    d.try_next_phone = true;
    v.push_back(d);
  }
  {
    auto d = Retry("VOLVER_A_LLAMAR", "VOLVER A LLAMAR", hours(24), 3, "2.21");
    d.callback = d.contact = true;
    v.push_back(d);
  }
  {
    auto d = Final("YA_ENCUESTADO", "YA ENCUESTADO", "4.10");
    d.set_by = SetBy::kBoth;
    d.contact = true;
    v.push_back(d);
  }
  // System dispositions (engine and telephony driver).
  v.push_back(System(Retry("OCUPADO", "OCUPADO", minutes(20), 0, "3.12")));
  v.push_back(System(Retry("NO_CONTESTA_TIMEOUT", "NO CONTESTA (tiempo de timbrado agotado)",
                           hours(2), 0, "3.13")));
  {
    auto d = System(Final("NUMERO_INVALIDO", "NÚMERO INVÁLIDO", "4.32"));
    d.try_next_phone = true;
    v.push_back(d);
  }
  {
    auto d = System(Retry("FALLA_DE_RED", "FALLA DE RED", minutes(5), 0, "3.16"));
    d.consumes_attempt = false;
    v.push_back(d);
  }
  {
    // A live answer with no agent within 2 s: never re-dialled within 72 h (Ofcom rule).
    auto d = System(Retry("ABANDONADA", "ABANDONADA", hours(72), 0, "2.36"));
    d.contact = true;
    v.push_back(d);
  }
  {
    // In flight when the engine stopped (crash, kill): rescheduled at once, for free.
    auto d = System(Retry("INTERRUMPIDA", "INTERRUMPIDA", seconds(0), 0, "3.90"));
    d.consumes_attempt = false;
    v.push_back(d);
  }
  v.push_back(System(Retry("RECHAZADA", "RECHAZADA", hours(4), 0, "3.15")));
  return c;
}

const Disposition* DispositionCatalog::Find(std::string_view code) const {
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const Disposition& d) { return d.code == code; });
  return it == items_.end() ? nullptr : &*it;
}

void DispositionCatalog::Upsert(Disposition d) {
  for (auto& existing : items_) {
    if (existing.code == d.code) {
      existing = std::move(d);
      return;
    }
  }
  items_.push_back(std::move(d));
}

}  // namespace sondeo::campaigns
