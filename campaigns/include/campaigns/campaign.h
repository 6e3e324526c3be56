#pragma once
// Campaign configuration (the campaign YAML), the disposition catalogue, and the campaign
// records in the database. docs/campaigns.md documents every YAML key.
//
// Parsing is pure (text in, Campaign or Status out). Errors are kInvalidArgument with the
// message "FILE:LINE:COLUMN: message" (1-based line and column), naming the field.
// Unknown keys and wrong types are errors.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaigns/calendar.h"
#include "common/status.h"
#include "store/db.h"

namespace sondeo::campaigns {

// ---------------------------------------------------------------------------------------
// Dispositions ("tipificaciones")

enum class SetBy {
  kAgent,   // typified by the agent at wrap-up
  kSystem,  // set by the engine or the telephony driver
  kBoth,
};

struct Disposition {
  std::string code;   // ASCII, upper case, e.g. "ENCUESTA_EFECTIVA" (stable: stored in DB)
  std::string label;  // Spanish, e.g. "ENCUESTA EFECTIVA" (shown to agents and in reports)
  SetBy set_by = SetBy::kAgent;

  // Final: the contact is done when this disposition is recorded. Otherwise the contact is
  // retried after `retry_delay` (the next callable instant from then), at most `retry_max`
  // times for this disposition (0 = no limit of its own: only the attempt caps bound it);
  // when the retries or the attempt caps run out, it becomes the contact's final one.
  bool final = true;
  std::chrono::seconds retry_delay{0};
  int retry_max = 0;

  bool contact = false;   // a person was reached
  bool complete = false;  // a complete interview (counts as "encuesta efectiva")
  bool refusal = false;

  // FALLA DE RED and INTERRUMPIDA don't consume an attempt (caps unaffected).
  bool consumes_attempt = true;
  // The number is bad (invalid, damaged, wrong, switchboard): never dial this phone again
  // for this contact; go on with the contact's next phone right away. With no phone left,
  // the disposition is final.
  bool try_next_phone = false;
  // VOLVER A LLAMAR: the agent chooses the time (falls back to retry_delay).
  bool callback = false;

  std::string aapor;  // AAPOR final disposition code, e.g. "1.1", "2.11", "3.13", "4.32"
};

// The AAPOR rate category of an AAPOR code: "I" (1.1), "P" (1.2), "R" (2.1x), "NC" (2.2x),
// "O" (2.3x), "UH" (3.1x), "UO" (3.2x-3.9x), "NE" (4.x); "" when unknown.
std::string_view AaporCategory(std::string_view aapor_code);

class DispositionCatalog {
 public:
  // The seed's 12 agent dispositions (CORREO_DE_VOZ, CONMUTADOR, ENCUESTA_EFECTIVA,
  // ENCUESTA_NO_EFECTIVA, LINEA_DE_LA_ENTIDAD, NO_CONTESTA, NO_REGISTRA_DATOS,
  // TELEFONO_DANADO, TELEFONO_EQUIVOCADO, TELEFONO_INVALIDO, VOLVER_A_LLAMAR, YA_ENCUESTADO)
  // followed by the system ones (OCUPADO, NO_CONTESTA_TIMEOUT, NUMERO_INVALIDO,
  // FALLA_DE_RED, ABANDONADA, INTERRUMPIDA, RECHAZADA).
  static DispositionCatalog Defaults();

  // nullptr when unknown.
  const Disposition* Find(std::string_view code) const;
  // Replaces the disposition with the same code, or appends it.
  void Upsert(Disposition d);

  const std::vector<Disposition>& all() const { return items_; }

 private:
  std::vector<Disposition> items_;
};

// ---------------------------------------------------------------------------------------
// The campaign

enum class DialMode { kPreview, kProgressive, kPredictive };
std::string_view DialModeName(DialMode m);  // "preview" | "progressive" | "predictive"

enum class PhoneOrder { kMobileFirst, kFixedFirst, kAsImported };
std::string_view PhoneOrderName(PhoneOrder o);  // "mobile_first" | "fixed_first" | "as_imported"

enum class Driver { kSimulated, kSip };
std::string_view DriverName(Driver d);  // "simulated" | "sip"

struct Attempts {
  int max_per_contact = 6;  // dial attempts per contact, all phones
  int max_per_phone = 3;    // per phone number
  int max_per_day = 2;      // per contact per local day
  PhoneOrder phone_order = PhoneOrder::kMobileFirst;
};

struct Dialing {
  DialMode mode = DialMode::kProgressive;
  double max_abandon_rate = 0.03;         // abandoned live answers / live answers, 0..1
  std::chrono::seconds ring_timeout{30};  // never under 15 s
};

struct Telephony {
  std::string caller_id;  // digits shown to the citizen, e.g. "6017431000"
  Driver driver = Driver::kSimulated;
  std::string trunk;  // SIP URI of the trunk, e.g. "sip:trunk@127.0.0.1:5070" (sip only)
};

// One purchase-order line (the seed's Tabla 1): monthly capacity and unit price.
struct ContractLine {
  int64_t capacity = 0;   // units per month (0 = not contracted)
  double unit_price = 0;  // in `currency`, per unit, before VAT
};

struct Contract {
  std::string purchase_order;  // "OC 33693"
  std::string currency = "COP";
  ContractLine outbound_minutes;  // "Minuto de conexión Outbound"
  ContractLine sms_segments;      // "Mensaje SMS", billed per segment
  // Hard monthly SMS cap (segments): sending stops there. Defaults to sms_segments.capacity;
  // 0 = no cap.
  int64_t sms_monthly_cap = 0;
};

struct SmsMessage {
  std::string text;
  std::chrono::minutes offset{0};  // after the sequence's start time
};

// An SMS sequence: messages sent to the campaign's contacts (optionally only those of some
// municipios) at start, start+offset... on `date` (e.g. 09:00, 09:15, 09:30, 09:45).
struct SmsSequence {
  std::string name;
  std::optional<Date> date;             // nullopt: whenever it is sent
  std::chrono::minutes start{9 * 60};   // local time of day of the first message
  std::vector<std::string> municipios;  // empty = every contact
  std::vector<SmsMessage> messages;     // sorted by offset
};

struct Campaign {
  // Identity
  std::string id;  // [A-Za-z0-9_-]{1,64}
  std::string name;
  std::string entity;       // "Agencia de Renovación del Territorio"
  std::string purpose;      // finalidad (Ley 1581 de 2012)
  std::string legal_basis;  // e.g. "Ley 1581 de 2012 art. 10 lit. a"
  std::string survey_file;  // as written in the YAML
  std::string survey_path;  // survey_file resolved against the campaign file's folder
  std::string source_path;  // the file it was read from (absolute; "" when parsed from text)

  // Time
  CalendarRules calendar;
  // Set when the campaign declares `exempt: {reason: ...}`: its windows may lie outside
  // the legal limits. The reason is recorded with the campaign.
  std::optional<std::string> exemption_reason;

  Attempts attempts;
  Dialing dialing;
  Telephony telephony;
  Contract contract;
  std::vector<SmsSequence> sms_sequences;
  DispositionCatalog dispositions = DispositionCatalog::Defaults();

  Calendar MakeCalendar() const { return Calendar(calendar); }
};

// Parses and validates a campaign file's text. `file_name` is used in error messages and to
// resolve the survey path (relative to its folder). Windows outside the legal limits are
// refused unless `exempt: {reason: ...}` is given.
Result<Campaign> ParseCampaign(std::string_view yaml, std::string_view file_name);
// Reads and parses a file; source_path and survey_path come out absolute (error messages
// keep `path` as given). kInvalidArgument when it cannot be read.
Result<Campaign> LoadCampaignFile(const std::string& path);

// ---------------------------------------------------------------------------------------
// Campaign records (module key "campaigns")

enum class CampaignState { kDraft, kRunning, kPaused, kFinished };
std::string_view CampaignStateName(CampaignState s);  // "draft" | "running" | ...

// Stores a validated campaign (its YAML text, the resolved survey path and the exemption
// reason) as a draft. kAlreadyExists when the id is taken.
Status CreateCampaign(store::Db& db, const Campaign& campaign, std::string_view yaml,
                      int64_t now_unix_ms);

// The parsed configuration of a stored campaign. A bare row (inserted by another module
// with only id/name) gives the defaults with that id and name. kNotFound when unknown.
Result<Campaign> LoadCampaign(store::Db& db, std::string_view id);

struct CampaignRow {
  std::string id;
  std::string name;
  std::string entity;
  CampaignState state = CampaignState::kDraft;
  int64_t created_ms = 0;
};
Result<std::vector<CampaignRow>> ListCampaigns(store::Db& db);

// draft|paused -> running (start) and running -> paused (pause), audited with `actor`.
// kNotFound for an unknown id; kFailedPrecondition for a transition that is not allowed
// (e.g. starting a finished campaign).
Status StartCampaign(store::Db& db, std::string_view id, std::string_view actor,
                     int64_t now_unix_ms);
Status PauseCampaign(store::Db& db, std::string_view id, std::string_view actor,
                     int64_t now_unix_ms);

struct CampaignStatus {
  CampaignRow campaign;
  int64_t contacts = 0;
  // Filled only when the dialer's tables exist (else empty/zero).
  int64_t attempts = 0;
  std::vector<std::pair<std::string, int64_t>> by_disposition;  // code -> contacts, by code
};
Result<CampaignStatus> GetCampaignStatus(store::Db& db, std::string_view id);

}  // namespace sondeo::campaigns
