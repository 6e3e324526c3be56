#pragma once
// The dialer's view of the disposition catalogue ("tipificaciones"): what each outcome means
// for scheduling. The campaign's catalogue (campaigns/) is mapped onto these rules; the
// defaults below are the seed's 12 agent dispositions plus the system ones.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace sondeo::dialer {

struct DispositionRule {
  std::string code;   // "ENCUESTA_EFECTIVA"
  std::string label;  // "ENCUESTA EFECTIVA"
  bool by_agent = true;
  bool final = false;            // the contact is done
  bool consumes_attempt = true;  // counts against the per-contact/phone/day caps
  bool next_phone = false;       // this number is unusable: never dial it again
  bool callback = false;         // VOLVER A LLAMAR: retry at the agent-chosen time
  bool contact = false;          // a two-way conversation with the citizen happened
  bool complete = false;         // a completed survey
  bool refusal = false;
  bool abandoned = false;   // ABANDONADA: the pacer's fault; re-dial only with an agent reserved
  Duration retry_delay{0};  // for non-final rules
  int retry_max = 0;  // times this disposition may recur before it becomes final; 0 = caps only
  std::string aapor;  // AAPOR final code, e.g. "1.1"
};

// System codes the engine itself sets.
inline constexpr std::string_view kInterrumpida = "INTERRUMPIDA";
inline constexpr std::string_view kAbandonada = "ABANDONADA";
inline constexpr std::string_view kOcupado = "OCUPADO";
inline constexpr std::string_view kNoContesta = "NO_CONTESTA";
inline constexpr std::string_view kNumeroInvalido = "NUMERO_INVALIDO";
inline constexpr std::string_view kTelefonoDanado = "TELEFONO_DANADO";
inline constexpr std::string_view kCorreoDeVoz = "CORREO_DE_VOZ";
inline constexpr std::string_view kFallaDeRed = "FALLA_DE_RED";
inline constexpr std::string_view kVolverALlamar = "VOLVER_A_LLAMAR";
inline constexpr std::string_view kEncuestaEfectiva = "ENCUESTA_EFECTIVA";

// The seed's catalogue (docs/design.md §1.3) with anchors.md's suggested behaviour, plus
// OCUPADO, NUMERO_INVALIDO, FALLA_DE_RED, ABANDONADA, INTERRUMPIDA, RECHAZADA.
std::vector<DispositionRule> DefaultDispositions();

// The rule for `code`, or nullptr.
const DispositionRule* FindRule(const std::vector<DispositionRule>& rules, std::string_view code);

}  // namespace sondeo::dialer
