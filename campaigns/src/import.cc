// sondeo contacts import: read -> map headers -> normalise phones -> classify (rejected,
// suppressed, duplicate, callable) -> write everything in one transaction.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <sched.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "campaigns/src/contacts_schema.h"
#include "campaigns/src/dedup.h"
#include "campaigns/src/encoding.h"
#include "campaigns/src/headers.h"
#include "campaigns/src/import_internal.h"
#include "campaigns/src/table_reader.h"
#include "common/log.h"
#include "common/text.h"

namespace sondeo::campaigns {

namespace {

// Below this many new contacts, indexes are updated row by row (cheaper than a rebuild).
constexpr int64_t kBulkIndexRows = 20000;

enum class RowClass : uint8_t { kCallable, kDuplicate, kSuppressed, kRejected };

struct RowState {
  RowClass cls = RowClass::kCallable;
  RowCode code = RowCode::kNone;
  int64_t candidate = -1;  // index among the dedup candidates
};

// Pass 1's output for a run of records: the whole file, or one half of it.
struct PassPart {
  std::vector<uint64_t> marks;  // per record, for TableReader::Reread
  std::vector<RowState> states;
  std::vector<DedupRow> candidates;
  std::vector<size_t> candidate_row;  // index in `states` of each candidate
  // Rejected rows whose code waits for libphonenumber's verdict on their foreign pieces
  // (NUMERO_EXTRANJERO or TELEFONO_INVALIDO): 20-25 us each, judged after pass 1.
  struct Verdict {
    size_t row;  // index in `states`
    std::vector<std::string> unchecked;
  };
  std::vector<Verdict> verdicts;
  // The codes of the rows of verdicts[from...], by `norm`'s libphonenumber.
  void Judge(size_t from, CellNormalizer& norm) {
    for (size_t i = from; i < verdicts.size(); ++i) {
      states[verdicts[i].row].code = ForeignVerdict(verdicts[i].unchecked, norm);
    }
  }

  // After its first kSampleRows records, `consumed` bytes of the `range` it reads: room for
  // the rest, estimated from those (a little more). Growing by doubling would copy and fault
  // in every vector twice over. Small pages: the second half's records are appended here
  // after pass 1, and a fresh transparent huge page faults in several times slower on the
  // VMs we measure on (that append took 10 or 70 ms, by luck).
  static constexpr size_t kSampleRows = 1024;
  void ReserveFor(uint64_t consumed, uint64_t range) {
    if (states.size() != kSampleRows) return;
    const size_t all = EstimatedRecords(consumed, range, kSampleRows);
    const size_t kept = all * (candidates.size() + 1) / kSampleRows + kSampleRows;
    marks.reserve(all);
    states.reserve(all);
    candidates.reserve(std::min(all, kept));
    candidate_row.reserve(std::min(all, kept));
  }
};

// Puts `t` in the SCHED_IDLE class (it runs only on a core no other thread wants) or back in
// the normal one. Best effort: where it fails the thread just keeps its class.
void RunWhenIdle(std::thread& t, bool idle) {
  if (!t.joinable()) return;
  sched_param param{};
  (void)pthread_setschedparam(t.native_handle(), idle ? SCHED_IDLE : SCHED_OTHER, &param);
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double ProcessCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// SONDEO_IMPORT_TIMING=1 (and SONDEO_LOG=debug): each stage's wall time and this thread's
// CPU time, then the totals, at debug level. Counts and times only, no data.
class StageTimer {
 public:
  StageTimer() {
    const char* env = std::getenv("SONDEO_IMPORT_TIMING");
    on_ = env != nullptr && std::string_view(env) == "1";
    if (!on_) return;
    start_ = last_ = std::chrono::steady_clock::now();
    start_cpu_ = last_cpu_ = ThreadCpuMs();
    start_process_cpu_ = ProcessCpuMs();
  }
  void Mark(std::string_view stage) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    const double cpu = ThreadCpuMs();
    log::Debug("importación, etapa {}: {:.0f} ms de reloj, {:.0f} ms de CPU del hilo", stage,
               std::chrono::duration<double, std::milli>(now - last_).count(), cpu - last_cpu_);
    last_ = now;
    last_cpu_ = cpu;
  }
  void Total() {
    if (!on_) return;
    log::Debug(
        "importación, total: {:.0f} ms de reloj, {:.0f} ms de CPU del hilo, {:.0f} ms de "
        "CPU del proceso",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count(),
        ThreadCpuMs() - start_cpu_, ProcessCpuMs() - start_process_cpu_);
  }

 private:
  bool on_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  double start_cpu_ = 0, last_cpu_ = 0, start_process_cpu_ = 0;
};

// The second half of a split pass 1, on a thread of its own. The destructor (every early
// return) stops and joins it.
struct SecondHalf {
  using Classify =
      std::function<void(PassPart&, std::vector<std::string_view>&, uint64_t, PieceRejects&)>;
  std::unique_ptr<TableCursor> cursor;
  uint64_t start = 0;
  uint64_t end = 0;  // the text's size
  PassPart part;
  Status error = Status::Ok();  // the read error that ended it, if any
  double cpu_ms = 0;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> rows{0};    // for the progress bar
  std::atomic<uint64_t> bytes{0};  // idem
  std::thread thread;

  bool started() const { return cursor != nullptr; }
  void Start(std::unique_ptr<TableCursor> c, uint64_t text_bytes, Classify classify) {
    cursor = std::move(c);
    start = cursor->Start();
    end = text_bytes;
    thread = std::thread([this, classify = std::move(classify)] {
      const double cpu0 = ThreadCpuMs();
      std::vector<std::string_view> view;
      PieceRejects rejects;
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t mark = 0;
        auto got = cursor->NextView(view, mark);
        if (!got.ok()) {
          error = got.error();
          break;
        }
        if (!*got) break;
        classify(part, view, mark, rejects);
        part.ReserveFor(cursor->Consumed(), end - start);
        if (part.states.size() % 8192 == 0) {
          rows.store(static_cast<int64_t>(part.states.size()), std::memory_order_relaxed);
          bytes.store(cursor->Consumed(), std::memory_order_relaxed);
        }
      }
      cpu_ms = ThreadCpuMs() - cpu0;
    });
  }
  void Join() {
    if (thread.joinable()) thread.join();
  }
  ~SecondHalf() {
    stop = true;
    Join();
  }
};

// The text of the new contacts (document, name fields, extra_json), prepared in file order
// on a thread of its own while the main thread inserts, in chunks handed over as they are
// done. The destructor (every early return) stops and joins the thread.
struct ContactTexts {
  static constexpr size_t kChunk = 1024;
  static constexpr size_t kFields = 7;  // document, nombres, apellidos, municipio,
                                        // departamento, email, extra_json
  struct Chunk {
    std::string arena;
    std::vector<size_t> ends;  // per contact and field, the end of its bytes in `arena`
    std::string_view Field(size_t contact, size_t field) const {
      const size_t at = contact * kFields + field;
      const size_t begin = at == 0 ? 0 : ends[at - 1];
      return std::string_view(arena).substr(begin, ends[at] - begin);
    }
  };
  std::vector<std::unique_ptr<Chunk>> chunks;
  static constexpr size_t kAhead = 8;  // chunks the thread may be ahead (bounds memory)
  // Both sides block (no spinning: the inserts and the rejects file need the cores).
  std::mutex mu;
  std::condition_variable cv;
  size_t ready = 0;     // chunks done (under mu)
  size_t consumed = 0;  // chunks the inserts have started (under mu)
  bool stop = false;    // under mu
  std::thread thread;
  size_t current = SIZE_MAX;  // the inserts' chunk (main thread only)
  double cpu_ms = 0;          // the thread's CPU time, once it is done

  // The thread's wait before it prepares chunk `c`. False: stop.
  bool MayPrepare(size_t c) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stop || c < consumed + kAhead; });
    return !stop;
  }
  // The thread hands chunk `c` over.
  void Done(size_t c, std::unique_ptr<Chunk> chunk) {
    {
      std::lock_guard lock(mu);
      chunks[c] = std::move(chunk);
      ready = c + 1;
    }
    cv.notify_all();
  }
  // The chunk of the contact `k` (0-based among the new contacts), waiting for it.
  const Chunk& Wait(size_t k) {
    const size_t c = k / kChunk;
    if (c != current) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return ready > c; });
        consumed = c + 1;
        // Done with the one before the previous: a batch of inserts that began in the
        // previous chunk still has its text bound (BindStatic) until it runs.
        if (c > 1) chunks[c - 2].reset();
      }
      cv.notify_all();
      current = c;
    }
    return *chunks[c];
  }
  ~ContactTexts() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
  }
};

struct Suppressions {
  std::vector<std::string> reasons;
  std::unordered_map<std::string, uint32_t> documents;  // value -> reason index
  std::unordered_map<std::string, uint32_t> phones;
};

Result<Suppressions> LoadSuppressions(store::Db& db) {
  Suppressions s;
  auto st = db.Prepare("SELECT kind, value, reason FROM suppressions");
  if (!st.ok()) return st.error();
  std::unordered_map<std::string, uint32_t> reason_index;
  while (true) {
    auto more = st->Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    std::string reason = st->Text(2);
    auto [it, added] = reason_index.emplace(reason, static_cast<uint32_t>(s.reasons.size()));
    if (added) s.reasons.push_back(std::move(reason));
    (st->Text(0) == "document" ? s.documents : s.phones).emplace(st->Text(1), it->second);
  }
  return s;
}

Result<ExistingContacts> LoadExisting(store::Db& db, const std::string& campaign) {
  ExistingContacts e;
  auto docs = db.Prepare(
      "SELECT id, document FROM contacts WHERE campaign_id = ? AND document IS NOT NULL "
      "ORDER BY id");
  if (!docs.ok()) return docs.error();
  docs->Bind(1, campaign);
  while (true) {
    auto more = docs->Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    e.by_document.emplace(docs->Text(1), docs->Int(0));
  }
  auto phones = db.Prepare(
      "SELECT c.id, p.e164 FROM phones p JOIN contacts c ON c.id = p.contact_id "
      "WHERE c.campaign_id = ? ORDER BY c.id");
  if (!phones.ok()) return phones.error();
  phones->Bind(1, campaign);
  while (true) {
    auto more = phones->Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    e.by_phone.emplace(phones->Text(1), phones->Int(0));
  }
  return e;
}

std::string_view At(const std::vector<std::string_view>& f, int col) {
  if (col < 0 || static_cast<size_t>(col) >= f.size()) return {};
  return f[static_cast<size_t>(col)];
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Appends `s` as a JSON string, as nlohmann::json::dump() writes it.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  AppendJsonEscaped(out, s);
  out.push_back('"');
}

// The rejects file's writer thread. Its destructor (every early return) stops and joins the
// thread and removes the temporary file unless it was renamed.
struct RejectsWriter {
  std::string tmp_path;
  std::FILE* file = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};
  bool ok = false;  // written and closed; read after Join()

  void Join() {
    if (thread.joinable()) thread.join();
  }
  ~RejectsWriter() {
    stop = true;
    Join();
    if (file != nullptr) std::fclose(file);
    if (!tmp_path.empty()) std::remove(tmp_path.c_str());
  }
};

std::string_view KeyText(DupKey k) { return k == DupKey::kDocument ? "documento" : "teléfono"; }

}  // namespace

std::string_view RowCodeName(RowCode code) {
  switch (code) {
    case RowCode::kNone:
      return "";
    case RowCode::kIrregular:
      return "FILA_IRREGULAR";
    case RowCode::kNoPhone:
      return "SIN_TELEFONO";
    case RowCode::kDigitsLost:
      return "DIGITOS_PERDIDOS";
    case RowCode::kPlaceholder:
      return "NUMERO_RELLENO";
    case RowCode::kNeedsZone:
      return "SIN_INDICATIVO";
    case RowCode::kNotCallable:
      return "NO_LLAMABLE";
    case RowCode::kForeign:
      return "NUMERO_EXTRANJERO";
    case RowCode::kInvalid:
      return "TELEFONO_INVALIDO";
  }
  return "";
}

std::string_view RowCodeText(RowCode code) {
  switch (code) {
    case RowCode::kNone:
      return "";
    case RowCode::kIrregular:
      return "la fila no tiene el mismo número de columnas que el encabezado";
    case RowCode::kNoPhone:
      return "sin teléfono";
    case RowCode::kDigitsLost:
      return "dígitos perdidos en la hoja de cálculo (notación científica)";
    case RowCode::kPlaceholder:
      return "número de relleno";
    case RowCode::kNeedsZone:
      return "fijo de 7 dígitos sin departamento ni municipio para deducir el indicativo";
    case RowCode::kNotCallable:
      return "número no llamable (línea gratuita, premium o corta)";
    case RowCode::kForeign:
      return "número de otro país";
    case RowCode::kInvalid:
      return "teléfono inválido";
  }
  return "";
}

RowCode FromPhoneReject(PhoneReject r) {
  switch (r) {
    case PhoneReject::kInvalid:
      return RowCode::kInvalid;
    case PhoneReject::kDigitsLost:
      return RowCode::kDigitsLost;
    case PhoneReject::kPlaceholder:
      return RowCode::kPlaceholder;
    case PhoneReject::kNotCallable:
      return RowCode::kNotCallable;
    case PhoneReject::kNeedsZone:
      return RowCode::kNeedsZone;
    case PhoneReject::kForeign:
      return RowCode::kForeign;
  }
  return RowCode::kInvalid;
}

RowCode MostSpecific(const std::vector<PhoneReject>& rejects) {
  RowCode best = RowCode::kNoPhone;
  for (PhoneReject r : rejects) {
    const RowCode c = FromPhoneReject(r);
    if (best == RowCode::kNoPhone || static_cast<int>(c) < static_cast<int>(best)) best = c;
  }
  return best;
}

bool NeedsForeignVerdict(const PieceRejects& pieces) {
  if (pieces.unchecked.empty()) return false;
  const RowCode code = MostSpecific(pieces.judged);
  return code == RowCode::kNoPhone || static_cast<int>(code) > static_cast<int>(RowCode::kForeign);
}

RowCode ForeignVerdict(const std::vector<std::string>& unchecked, CellNormalizer& normalizer) {
  for (const std::string& raw : unchecked) {
    if (normalizer.CheckForeign(raw) == PhoneReject::kForeign) return RowCode::kForeign;
  }
  return RowCode::kInvalid;
}

std::vector<ReasonInfo> RejectReasons() {
  std::vector<ReasonInfo> out;
  for (RowCode c :
       {RowCode::kIrregular, RowCode::kNoPhone, RowCode::kDigitsLost, RowCode::kPlaceholder,
        RowCode::kNeedsZone, RowCode::kNotCallable, RowCode::kForeign, RowCode::kInvalid}) {
    out.push_back({std::string(RowCodeName(c)), std::string(RowCodeText(c))});
  }
  return out;
}

void AppendCsvField(std::string& line, std::string_view field) {
  // A plain loop: find_first_of with a set of five calls memchr once per byte of the field,
  // and the rejects file of a large base passes every field of most of its rows here.
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (size_t i = 0; i < field.size() && !quote; ++i) {
    const char c = field[i];
    quote = c == ',' || c == '"' || c == '\r' || c == '\n' || c == ';';
  }
  if (!quote) {
    line.append(field);
    return;
  }
  line.push_back('"');
  for (char c : field) {
    if (c == '"') line.push_back('"');
    line.push_back(c);
  }
  line.push_back('"');
}

size_t EstimatedRecords(uint64_t consumed, uint64_t range, size_t sampled) {
  if (consumed == 0) return sampled;
  // At most one record per 32 bytes: a file whose first records are tiny and the rest huge
  // must not reserve gigabytes (past the estimate the vectors just grow).
  const double rows = std::min(static_cast<double>(range) / static_cast<double>(consumed) *
                                   static_cast<double>(sampled) * 1.1,
                               static_cast<double>(range) / 32);
  return static_cast<size_t>(rows) + sampled;
}

bool AppendPlainRecordAsCsv(std::string& line, std::string_view raw, char separator,
                            size_t fields) {
  // A field needs quotes when it holds , ; " or a line end (the last two cannot be in `raw`)
  // or starts or ends with a space: a space at either end of `raw`, or next to a separator.
  if (raw.empty()) return fields == 1;
  if (raw.front() == ' ' || raw.back() == ' ') return false;
  const size_t start = line.size();
  line.resize(start + raw.size());
  char* out = line.data() + start;
  const char* in = raw.data();
  const size_t n = raw.size();
  size_t separators = 0;
  size_t i = 0;
  bool space_before = false;      // raw[i - 1] is a space
  bool separator_before = false;  // raw[i - 1] is the separator
  auto decline = [&] {
    line.resize(start);
    return false;
  };
#ifdef __SSE2__
  // 16 bytes at a time (the rejects file copies most of a base this way): masks of the
  // separators, spaces and other commas or semicolons; separators become commas.
  const __m128i sep = _mm_set1_epi8(separator);
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i semicolon = _mm_set1_epi8(';');
  const __m128i space = _mm_set1_epi8(' ');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i is_sep = _mm_cmpeq_epi8(v, sep);
    const auto seps = static_cast<unsigned>(_mm_movemask_epi8(is_sep));
    const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)));
    const auto others = static_cast<unsigned>(_mm_movemask_epi8(
                            _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, semicolon)))) &
                        ~seps;
    const unsigned spaces_before = (spaces << 1) | (space_before ? 1u : 0u);
    const unsigned seps_before = (seps << 1) | (separator_before ? 1u : 0u);
    if (others != 0 || (seps & spaces_before) != 0 || (spaces & seps_before) != 0) {
      return decline();
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm_or_si128(_mm_andnot_si128(is_sep, v), _mm_and_si128(is_sep, comma)));
    separators += static_cast<size_t>(std::popcount(seps));
    space_before = (spaces >> 15) != 0;
    separator_before = (seps >> 15) != 0;
  }
#endif
  for (; i < n; ++i) {
    char c = in[i];
    const bool is_space = c == ' ';
    const bool is_sep = c == separator;
    if (is_sep) {
      if (space_before) return decline();
      ++separators;
      c = ',';
    } else if (c == ',' || c == ';' || (is_space && separator_before)) {
      return decline();
    }
    space_before = is_space;
    separator_before = is_sep;
    out[i] = c;
  }
  if (separators + 1 != fields) return decline();
  return true;
}

std::string FormatFunnel(const Funnel& f) {
  std::string out;
  auto line = [&](std::string_view label, int64_t n) {
    out += fmt::format("{:<28}{:>12}\n", label, n);
  };
  line("BASE INICIAL", f.initial);
  line("RECHAZADOS", f.rejected);
  for (const auto& [code, n] : f.reasons) line(fmt::format("  {}", code), n);
  line("BASE DEPURADA", f.cleaned);
  line("DUPLICADOS", f.duplicates);
  line("SUPRIMIDOS", f.suppressed);
  line("REGISTROS A GESTIONAR", f.callable);
  return out;
}

std::string FunnelJson(const Funnel& f) {
  nlohmann::ordered_json j;
  j["initial"] = f.initial;
  j["rejected"] = f.rejected;
  j["cleaned"] = f.cleaned;
  j["duplicates"] = f.duplicates;
  j["suppressed"] = f.suppressed;
  j["callable"] = f.callable;
  j["reasons"] = nlohmann::ordered_json::object();
  for (const auto& [code, n] : f.reasons) j["reasons"][code] = n;
  return j.dump();
}

Result<ImportResult> ImportWith(store::Db& db, const std::string& path,
                                const ImportOptions& options, Clock& clock,
                                CellNormalizer& normalizer, const ImportHooks& hooks) {
  if (options.campaign_id.empty()) return Status::InvalidArgument("falta --campaign");
  StageTimer timer;
  TableOptions topts;
  if (!encoding::ParseEncoding(options.encoding, topts.encoding)) {
    return Status::InvalidArgument(
        fmt::format("--encoding '{}': se espera auto, utf-8 o windows-1252", options.encoding));
  }
  topts.sheet = options.sheet;
  auto reader = OpenTable(path, topts);
  if (!reader.ok()) return reader.error();
  const bool xlsx = (*reader)->EncodingName() == "xlsx";
  const std::string encoding_used((*reader)->EncodingName());
  timer.Mark("apertura y verificación de la codificación");

  TableRecord record;
  auto got = (*reader)->Next(record);
  if (!got.ok()) return got.error();
  if (!*got) return Status::InvalidArgument(path + ": archivo vacío");
  std::vector<std::string> header = std::move(record.fields);
  for (auto& h : header) h = std::string(Trim(h));
  auto mapped = MapHeader(header, options.map, path);
  if (!mapped.ok()) return mapped.error();
  ColumnMap map = std::move(*mapped);
  // With both "nombres" and "nombre", the full name stays an extra attribute.
  if (map.nombres >= 0 && map.full_name >= 0) {
    map.extras.push_back(static_cast<size_t>(map.full_name));
    std::sort(map.extras.begin(), map.extras.end());
    map.full_name = -1;
  }
  const int name_col = map.nombres >= 0 ? map.nombres : map.full_name;
  // Extra attribute keys: the header, made unique.
  std::vector<std::string> extra_keys;
  {
    std::unordered_set<std::string> seen;
    for (size_t col : map.extras) {
      std::string key = header[col].empty() ? fmt::format("columna_{}", col + 1) : header[col];
      for (int k = 2; !seen.insert(key).second; ++k) key = fmt::format("{} ({})", header[col], k);
      extra_keys.push_back(std::move(key));
    }
  }

  // The extra attributes in key order (how the JSON object is written).
  std::vector<size_t> extra_order(extra_keys.size());
  for (size_t k = 0; k < extra_order.size(); ++k) extra_order[k] = k;
  std::sort(extra_order.begin(), extra_order.end(),
            [&](size_t a, size_t b) { return extra_keys[a] < extra_keys[b]; });

  // Pass 1: read, normalise, pre-classify. Fields are views into the reader's text; a record
  // is read again by its mark when it is inserted or written to the rejects file.
  TableReader& table = **reader;
  // An XLSX row is padded to the header (the sheet leaves trailing cells out).
  auto pad = [&](std::vector<std::string_view>& fields) {
    if (xlsx && fields.size() < header.size()) fields.resize(header.size());
  };
  // One record into `part` (const captures only: called by both threads of a split).
  auto classify = [&](PassPart& part, CellNormalizer& norm, std::vector<std::string_view>& view,
                      uint64_t mark, PieceRejects& piece_rejects) {
    pad(view);
    part.marks.push_back(mark);
    RowState st;
    bool ragged = view.size() < header.size();
    for (size_t i = header.size(); i < view.size() && !ragged; ++i) {
      if (!view[i].empty()) ragged = true;
    }
    if (ragged) {
      st.cls = RowClass::kRejected;
      st.code = RowCode::kIrregular;
      part.states.push_back(st);
      return;
    }
    const auto& f = view;
    auto field = [&](int col) -> std::string_view {
      return col < 0 ? std::string_view() : f[static_cast<size_t>(col)];
    };
    RowPlace place{field(map.departamento), field(map.municipio)};
    DedupRow row;
    piece_rejects.Clear();
    for (size_t col : map.phones) {
      const CellResult& cell = norm.Normalize(f[col], place);
      for (const auto& p : cell.phones) {
        if (std::none_of(row.phones.begin(), row.phones.end(),
                         [&](const Phone& q) { return q.e164 == p.e164; })) {
          row.phones.push_back(p);
        }
      }
      piece_rejects.Add(cell);
    }
    if (row.phones.empty()) {
      st.cls = RowClass::kRejected;
      if (NeedsForeignVerdict(piece_rejects)) {
        st.code = RowCode::kInvalid;  // until judged
        part.verdicts.push_back({part.states.size(), piece_rejects.unchecked});
      } else {
        st.code = MostSpecific(piece_rejects.judged);
      }
      part.states.push_back(st);
      return;
    }
    row.document = NormalizeDocument(field(map.document));
    st.candidate = static_cast<int64_t>(part.candidates.size());
    part.candidates.push_back(std::move(row));
    part.candidate_row.push_back(part.states.size());
    part.states.push_back(st);
  };

  // A large CSV is read in two halves at once: this thread reads from the start, a second
  // one from the first line start after the middle (with a normaliser of its own). The
  // middle can fall inside a quoted field, so the second half's records count only from the
  // first mark this thread's reader also reaches; this thread stops there and the second
  // half's records follow its own. When the two never meet (the second half started inside
  // a quoted field and never fell in step), this thread reads on to the end by itself. Same
  // records, same order, same errors as one thread.
  std::unique_ptr<CellNormalizer> second_normalizer;  // outlives `second`'s thread
  SecondHalf second;
  if (std::unique_ptr<TableCursor> cursor = table.SplitHalf(hooks.split_min_bytes)) {
    second_normalizer = normalizer.ForAnotherThread();
    if (second_normalizer != nullptr) {
      second.Start(std::move(cursor), table.TextBytes(),
                   [&, norm = second_normalizer.get()](
                       PassPart& part, std::vector<std::string_view>& view, uint64_t mark,
                       PieceRejects& rejects) { classify(part, *norm, view, mark, rejects); });
    }
  }
  const double text_bytes = static_cast<double>(std::max<uint64_t>(1, table.TextBytes()));
  PassPart first;
  std::vector<std::string_view> view;
  PieceRejects piece_rejects;
  bool checking = second.started();  // looking for the mark where the halves meet
  std::optional<size_t> meet;        // index of that mark among the second half's
  size_t judged = 0;                 // first.verdicts judged already
  while (true) {
    uint64_t mark = 0;
    got = table.NextView(view, mark);
    if (!got.ok()) return got.error();
    if (!*got) break;
    if (checking && mark >= second.start) {
      // This half is read: its foreign verdicts (libphonenumber, microseconds each) while
      // the second half finishes.
      first.Judge(judged, normalizer);
      judged = first.verdicts.size();
      second.Join();
      auto it = std::lower_bound(second.part.marks.begin(), second.part.marks.end(), mark);
      if (it != second.part.marks.end() && *it == mark) {
        meet = static_cast<size_t>(it - second.part.marks.begin());
        break;
      }
      // Past the second half's last record: it read nothing this thread would; read on.
      if (it == second.part.marks.end()) checking = false;
    }
    classify(first, normalizer, view, mark, piece_rejects);
    // Room for the whole file: the second half's records are appended after this half's.
    if (first.states.size() == PassPart::kSampleRows) {
      first.ReserveFor(static_cast<uint64_t>(table.Progress() * text_bytes), table.TextBytes());
    }
    if (options.progress && first.states.size() % 8192 == 0) {
      if (second.started()) {
        options.progress(static_cast<int64_t>(first.states.size()) + second.rows.load(),
                         std::min(1.0, table.Progress() +
                                           static_cast<double>(second.bytes.load()) / text_bytes));
      } else {
        options.progress(static_cast<int64_t>(first.states.size()), table.Progress());
      }
    }
  }
  second.Join();
  timer.Mark("lectura y normalización (hilo principal)");
  if (second.started()) {
    // Thousands of rows: a count of 6 digits or more would be redacted as a number.
    log::Debug("importación: segunda mitad {}, {} mil filas, {:.0f} ms de CPU de su hilo",
               meet ? "usada" : "descartada", (second.part.states.size() + 500) / 1000,
               second.cpu_ms);
  }
  if (hooks.split_report != nullptr) {
    const auto read = static_cast<int64_t>(second.part.states.size());
    *hooks.split_report =
        SplitReport{second.started(), meet.has_value(), meet ? static_cast<int64_t>(*meet) : read,
                    meet ? read - static_cast<int64_t>(*meet) : 0};
  }
  if (meet) {
    // The second half's error after the meeting mark is the file's own.
    if (!second.error.ok()) return second.error;
    const size_t k = *meet;
    for (auto& v : second.part.verdicts) {
      if (v.row < k) continue;
      v.row = first.states.size() + (v.row - k);
      first.verdicts.push_back(std::move(v));
    }
    first.marks.reserve(first.marks.size() + second.part.marks.size() - k);
    first.states.reserve(first.states.size() + second.part.states.size() - k);
    for (size_t i = k; i < second.part.states.size(); ++i) {
      first.marks.push_back(second.part.marks[i]);
      RowState st = second.part.states[i];
      if (st.candidate >= 0) {
        first.candidates.push_back(
            std::move(second.part.candidates[static_cast<size_t>(st.candidate)]));
        st.candidate = static_cast<int64_t>(first.candidates.size() - 1);
        first.candidate_row.push_back(first.states.size());
      }
      first.states.push_back(st);
    }
  }
  second.part = PassPart{};
  // The other foreign verdicts: on the second half's thread's normaliser while this thread
  // goes on with the transaction and the de-duplication (they touch other rows), or here.
  std::thread verdicts;
  auto judge = [&first, judged](CellNormalizer& norm) { first.Judge(judged, norm); };
  struct JoinOnExit {
    std::thread& t;
    ~JoinOnExit() {
      if (t.joinable()) t.join();
    }
  } join_verdicts{verdicts};
  if (second_normalizer != nullptr && judged < first.verdicts.size()) {
    verdicts = std::thread([&] { judge(*second_normalizer); });
  } else {
    judge(normalizer);
  }
  std::vector<uint64_t>& marks = first.marks;
  std::vector<RowState>& states = first.states;
  std::vector<DedupRow>& candidates = first.candidates;
  std::vector<size_t>& candidate_row = first.candidate_row;
  if (options.progress) options.progress(static_cast<int64_t>(states.size()), 1.0);

  // Pass 2: under the write lock, classify against the suppression list and the campaign.
  // A bulk load gets a page cache of its own size (at most 256 MiB; the default 2 MiB makes
  // SQLite spill and re-read pages); the previous size comes back at the end.
  const store::ScopedCacheSize cache_size(
      db, std::clamp<int64_t>(static_cast<int64_t>(candidates.size()) * 160, 8 << 20, 256 << 20));
  // Every reference written below is built here, in this transaction: the campaign (created
  // first when new), this import's record, and contact ids assigned under the write lock.
  // SQLite's per-row check of them would double the insert work; the tests run
  // PRAGMA foreign_key_check after each import instead.
  const store::ScopedForeignKeysOff foreign_keys_off(db);
  auto txn = store::Transaction::Begin(db);
  if (!txn.ok()) return txn.error();
  const int64_t now_ms = ToUnixMillis(clock.Now());
  {
    auto ins = db.Prepare("INSERT OR IGNORE INTO campaigns(id, name, created_ms) VALUES(?, ?, ?)");
    if (!ins.ok()) return ins.error();
    ins->Bind(1, options.campaign_id).Bind(2, options.campaign_id).Bind(3, now_ms);
    if (Status s = ins->Run(); !s.ok()) return s;
  }
  auto supp = LoadSuppressions(db);
  if (!supp.ok()) return supp.error();
  auto existing = LoadExisting(db, options.campaign_id);
  if (!existing.ok()) return existing.error();

  timer.Mark("transacción, supresiones y contactos existentes");
  // Suppression: a suppressed document suppresses the row; suppressed phones are dropped,
  // and a row left without phones is suppressed.
  std::vector<uint32_t> supp_reason(states.size(), 0);
  std::vector<DedupRow> live;
  std::vector<size_t> live_row;
  if (supp->documents.empty() && supp->phones.empty()) {
    // Nothing to suppress: every candidate goes on as it is.
    live = std::move(candidates);
    live_row = std::move(candidate_row);
    candidates.clear();
  }
  live.reserve(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    DedupRow& row = candidates[c];
    const size_t r = candidate_row[c];
    if (auto d = supp->documents.find(row.document);
        !row.document.empty() && d != supp->documents.end()) {
      states[r].cls = RowClass::kSuppressed;
      states[r].code = RowCode::kNone;
      supp_reason[r] = d->second * 2;  // even: by document
      continue;
    }
    uint32_t phone_reason = 0;
    bool any_suppressed = false;
    std::erase_if(row.phones, [&](const Phone& p) {
      auto it = supp->phones.find(p.e164);
      if (it == supp->phones.end()) return false;
      any_suppressed = true;
      phone_reason = it->second;
      return true;
    });
    if (row.phones.empty() && any_suppressed) {
      states[r].cls = RowClass::kSuppressed;
      supp_reason[r] = phone_reason * 2 + 1;  // odd: by phone
      continue;
    }
    live.push_back(std::move(row));
    live_row.push_back(r);
  }
  candidates.clear();
  candidates.shrink_to_fit();

  timer.Mark("supresión");
  // Who is a duplicate, now; of whom and the winners' phones on another thread while the new
  // contacts are written (they need only the first).
  Deduplication links(std::move(live), *existing);
  timer.Mark("deduplicación");

  if (verdicts.joinable()) verdicts.join();
  timer.Mark("veredictos de números extranjeros");
  ImportResult result;
  result.encoding = encoding_used;
  Funnel& fun = result.funnel;
  fun.initial = static_cast<int64_t>(states.size());
  std::vector<size_t> winners;  // indexes into the de-duplicated rows
  winners.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    if (links.IsDuplicate(i)) {
      states[live_row[i]].cls = RowClass::kDuplicate;
    } else {
      winners.push_back(i);
    }
  }
  std::array<int64_t, static_cast<size_t>(RowCode::kInvalid) + 1> by_code{};
  for (const auto& st : states) {
    switch (st.cls) {
      case RowClass::kRejected:
        ++fun.rejected;
        ++by_code[static_cast<size_t>(st.code)];
        break;
      case RowClass::kDuplicate:
        ++fun.duplicates;
        break;
      case RowClass::kSuppressed:
        ++fun.suppressed;
        break;
      case RowClass::kCallable:
        ++fun.callable;
        break;
    }
  }
  fun.cleaned = fun.duplicates + fun.suppressed + fun.callable;
  for (size_t code = 0; code < by_code.size(); ++code) {
    if (by_code[code] > 0)
      fun.reasons[std::string(RowCodeName(static_cast<RowCode>(code)))] = by_code[code];
  }

  // The import record.
  {
    nlohmann::json reasons = nlohmann::json::object();
    for (const auto& [code, n] : fun.reasons) reasons[code] = n;
    auto ins = db.Prepare(
        "INSERT INTO imports(campaign_id, file_name, imported_ms, initial, rejected, cleaned, "
        "duplicates, suppressed, callable, reasons_json) VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.error();
    ins->Bind(1, options.campaign_id)
        .Bind(2, std::filesystem::path(path).filename().string())
        .Bind(3, now_ms)
        .Bind(4, fun.initial)
        .Bind(5, fun.rejected)
        .Bind(6, fun.cleaned)
        .Bind(7, fun.duplicates)
        .Bind(8, fun.suppressed)
        .Bind(9, fun.callable)
        .Bind(10, reasons.dump());
    if (Status s = ins->Run(); !s.ok()) return s;
    result.import_id = db.LastInsertRowId();
  }

  // The rest of the de-duplication, then the rejects file, on a thread of its own while this
  // one inserts. The file goes beside its destination, renamed after the commit, removed on
  // any failure.
  DedupResult dedup;
  std::atomic<bool> dedup_finished{false};
  RejectsWriter rejects;
  if (!options.rejects_path.empty()) {
    rejects.tmp_path = options.rejects_path + ".tmp";
    rejects.file = std::fopen(rejects.tmp_path.c_str(), "wb");
    if (rejects.file == nullptr) {
      return Status::InvalidArgument(options.rejects_path + ": no se puede escribir el archivo");
    }
  }
  {
    rejects.thread = std::thread([&] {
      dedup = links.Finish();
      dedup_finished = true;
      dedup_finished.notify_all();
      if (rejects.file == nullptr) return;
      std::string buf = "\xEF\xBB\xBF";
      for (size_t k = 0; k < header.size(); ++k) {
        if (k > 0) buf.push_back(',');
        AppendCsvField(buf, header[k]);
      }
      buf += ",fila,clase,codigo,motivo\r\n";
      std::vector<std::string_view> fields;
      std::string scratch;
      std::string motivo;
      // The reason of each reject code, quoted once (most non-callable rows are rejects).
      std::array<std::string, static_cast<size_t>(RowCode::kInvalid) + 1> code_text;
      for (size_t code = 0; code < code_text.size(); ++code) {
        AppendCsvField(code_text[code], RowCodeText(static_cast<RowCode>(code)));
      }
      char number[24];
      auto append_number = [&](std::string& to, auto n) {
        to.append(number, std::to_chars(number, number + sizeof number, n).ptr);
      };
      bool ok = true;
      size_t outcome = 0;  // the first de-duplicated row at or after r (live_row is sorted)
      for (size_t r = 0; r < states.size() && ok; ++r) {
        const auto& st = states[r];
        if (st.cls == RowClass::kCallable) continue;
        std::string_view clase;
        std::string_view codigo;
        motivo.clear();
        if (st.cls == RowClass::kRejected) {
          clase = "rechazado";
          codigo = RowCodeName(st.code);
        } else if (st.cls == RowClass::kSuppressed) {
          clase = "suprimido";
          const bool by_doc = supp_reason[r] % 2 == 0;
          codigo = by_doc ? "SUPRIMIDO_DOCUMENTO" : "SUPRIMIDO_TELEFONO";
          const std::string& why = supp->reasons[supp_reason[r] / 2];
          fmt::format_to(std::back_inserter(motivo), "en la lista de supresión por {}{}{}",
                         by_doc ? "documento" : "teléfono", why.empty() ? "" : ": ", why);
        } else {
          clase = "duplicado";
          // Find this row's outcome.
          while (live_row[outcome] < r) ++outcome;  // a duplicate row is among them
          const auto& out_row = dedup.rows[outcome];
          codigo = out_row.key == DupKey::kDocument ? "DUPLICADO_DOCUMENTO" : "DUPLICADO_TELEFONO";
          // "duplicado del contacto N ya cargado en la campaña (mismo K)" or "duplicado de
          // la fila N (mismo K)", appended piece by piece (a quarter of a million rows).
          if (out_row.of_contact != 0) {
            motivo += "duplicado del contacto ";
            append_number(motivo, out_row.of_contact);
            motivo += " ya cargado en la campaña (mismo ";
          } else {
            motivo += "duplicado de la fila ";
            append_number(motivo, live_row[static_cast<size_t>(out_row.of_row)] + 1);
            motivo += " (mismo ";
          }
          motivo += KeyText(out_row.key);
          motivo += ')';
        }
        // Most records have no quotes and no field that needs them: their bytes are copied
        // (separators made commas) instead of being read again field by field.
        std::string_view raw;
        char separator = ',';
        const bool plain = table.PlainRecord(marks[r], raw, separator) &&
                           AppendPlainRecordAsCsv(buf, raw, separator, header.size());
        if (!plain) {
          table.Reread(marks[r], fields, scratch);
          pad(fields);
          for (size_t k = 0; k < header.size(); ++k) {
            if (k > 0) buf.push_back(',');
            if (k < fields.size()) AppendCsvField(buf, fields[k]);
          }
        }
        buf.push_back(',');
        append_number(buf, r + 1);
        buf.push_back(',');
        buf.append(clase);
        buf.push_back(',');
        buf.append(codigo);
        buf.push_back(',');
        if (st.cls == RowClass::kRejected) {
          buf.append(code_text[static_cast<size_t>(st.code)]);
        } else {
          AppendCsvField(buf, motivo);
        }
        for (size_t k = header.size(); !plain && k < fields.size(); ++k) {
          buf.push_back(',');
          AppendCsvField(buf, fields[k]);
        }
        buf += "\r\n";
        if (buf.size() >= (1 << 20)) {
          ok = std::fwrite(buf.data(), 1, buf.size(), rejects.file) == buf.size();
          buf.clear();
          if (rejects.stop.load(std::memory_order_relaxed)) return;
        }
      }
      ok = ok && std::fwrite(buf.data(), 1, buf.size(), rejects.file) == buf.size();
      ok = std::fclose(std::exchange(rejects.file, nullptr)) == 0 && ok;
      rejects.ok = ok;
    });
    // Only on a core nothing else wants until this thread waits for it: the contacts' texts,
    // which the inserts wait for, go first (at nice 10 it still took them half a core in
    // one run of two, 50 ms).
    RunWhenIdle(rejects.thread, true);
  }

  // A load larger than everything already in the tables: the secondary indexes are dropped
  // and built once after the insert (sorted, in this same transaction) instead of being
  // updated row by row.
  bool rebuild_indexes = false;
  {
    const auto new_contacts = static_cast<int64_t>(winners.size());
    auto count = db.Prepare("SELECT COUNT(*) FROM contacts");
    if (!count.ok()) return count.error();
    auto row = count->Step();
    if (!row.ok()) return row.error();
    rebuild_indexes = new_contacts >= kBulkIndexRows && new_contacts > count->Int(0);
  }
  if (rebuild_indexes) {
    for (const auto& index : ContactsBulkIndexes()) {
      if (Status s = db.Exec(fmt::format("DROP INDEX IF EXISTS {}", index.name)); !s.ok()) {
        return s;
      }
    }
  }

  timer.Mark("embudo, registro de la importación, índices retirados");
  // Contacts and phones, with prepared statements reused for every row.
  auto ins_contact = db.Prepare(
      "INSERT INTO contacts(campaign_id, import_id, source_row, document, nombres, apellidos, "
      "municipio, departamento, email, extra_json) VALUES(?,?,?,?,?,?,?,?,?,?)");
  if (!ins_contact.ok()) return ins_contact.error();
  auto ins_phone =
      db.Prepare("INSERT INTO phones(contact_id, e164, type, position, flags) VALUES(?,?,?,?,?)");
  if (!ins_phone.ok()) return ins_phone.error();
  auto insert_phone = [&](int64_t contact, const Phone& p, int64_t position) -> Status {
    ins_phone->Reset();
    ins_phone->Bind(1, contact)
        .Bind(2, p.e164)
        .Bind(3, p.type == PhoneType::kMobile ? "mobile" : "fixed")
        .Bind(4, position)
        .Bind(5, p.unknown_to_libphonenumber ? "unknown_to_libphonenumber" : "");
    return ins_phone->Run();
  };
  // The new contacts go in multi-row INSERTs (one statement start for many rows), then their
  // phones (the de-duplication's second step has worked them out meanwhile). Contact ids are
  // assigned here as SQLite itself would (the largest id + 1; the write lock is held), so the
  // phones know them without a round trip per contact.
  constexpr size_t kContactColumns = 11;
  constexpr size_t kPhoneColumns = 5;
  constexpr size_t kContactRows = 32;
  constexpr size_t kPhoneRows = 64;
  int64_t next_id = 1;
  {
    auto max_id = db.Prepare("SELECT COALESCE(MAX(id), 0) FROM contacts");
    if (!max_id.ok()) return max_id.error();
    auto row = max_id->Step();
    if (!row.ok()) return row.error();
    next_id = max_id->Int(0) + 1;
  }
  // The statements for 1..N rows, compiled when first needed (N and the last partial batch).
  auto multi_insert = [&](std::string_view head, size_t columns, size_t rows) {
    std::string sql(head);
    sql += " VALUES";
    for (size_t r = 0; r < rows; ++r) {
      sql += r == 0 ? "(" : ",(";
      for (size_t c = 0; c < columns; ++c) sql += c == 0 ? "?" : ",?";
      sql += ')';
    }
    return db.Prepare(sql);
  };
  std::vector<std::optional<store::Statement>> contact_batches(kContactRows + 1);
  std::vector<std::optional<store::Statement>> phone_batches(kPhoneRows + 1);
  auto batch = [&](std::vector<std::optional<store::Statement>>& cache, std::string_view head,
                   size_t columns, size_t rows) -> Result<store::Statement*> {
    if (!cache[rows]) {
      auto st = multi_insert(head, columns, rows);
      if (!st.ok()) return st.error();
      cache[rows].emplace(std::move(*st));
    }
    cache[rows]->Rewind();  // every parameter is bound again
    return &*cache[rows];
  };
  constexpr std::string_view kContactHead =
      "INSERT INTO contacts(id, campaign_id, import_id, source_row, document, nombres, "
      "apellidos, municipio, departamento, email, extra_json)";
  constexpr std::string_view kPhoneHead =
      "INSERT INTO phones(contact_id, e164, type, position, flags)";
  struct PendingPhone {
    int64_t contact;
    const Phone* phone;
    int64_t position;
  };
  std::vector<size_t> pending;  // indexes into dedup.rows
  std::vector<PendingPhone> pending_phones;
  int64_t inserted = 0;
  // The pending phones in batches of kPhoneRows; the last, shorter one only with `all`.
  auto flush_phones = [&](bool all) -> Status {
    size_t start = 0;
    for (; start < pending_phones.size(); start += kPhoneRows) {
      const size_t rows = std::min(kPhoneRows, pending_phones.size() - start);
      if (rows < kPhoneRows && !all) break;
      auto st = batch(phone_batches, kPhoneHead, kPhoneColumns, rows);
      if (!st.ok()) return st.error();
      for (size_t j = 0; j < rows; ++j) {
        const PendingPhone& pp = pending_phones[start + j];
        const int base = static_cast<int>(j * kPhoneColumns);
        (*st)
            ->Bind(base + 1, pp.contact)
            .BindStatic(base + 2, pp.phone->e164)
            .BindStatic(base + 3, pp.phone->type == PhoneType::kMobile ? "mobile" : "fixed")
            .Bind(base + 4, pp.position)
            .BindStatic(base + 5,
                        pp.phone->unknown_to_libphonenumber ? "unknown_to_libphonenumber" : "");
      }
      if (Status s = (*st)->Run(); !s.ok()) return s;
    }
    pending_phones.erase(pending_phones.begin(),
                         pending_phones.begin() +
                             static_cast<std::ptrdiff_t>(std::min(start, pending_phones.size())));
    return Status::Ok();
  };
  // The new contacts' text, prepared on another thread.
  ContactTexts texts;
  texts.chunks.resize((winners.size() + ContactTexts::kChunk - 1) / ContactTexts::kChunk);
  texts.thread = std::thread([&] {
    const double cpu0 = ThreadCpuMs();
    std::vector<std::string_view> fields;
    std::string scratch;
    std::string extra_json;
    for (size_t c = 0; c < texts.chunks.size(); ++c) {
      if (!texts.MayPrepare(c)) return;
      auto chunk = std::make_unique<ContactTexts::Chunk>();
      const size_t end = std::min(winners.size(), (c + 1) * ContactTexts::kChunk);
      chunk->ends.reserve((end - c * ContactTexts::kChunk) * ContactTexts::kFields);
      auto add = [&](std::string_view field) {
        chunk->arena.append(field);
        chunk->ends.push_back(chunk->arena.size());
      };
      for (size_t w = c * ContactTexts::kChunk; w < end; ++w) {
        table.Reread(marks[live_row[winners[w]]], fields, scratch);
        pad(fields);
        // {"key":"value",...}, keys in order: what nlohmann::json::dump() writes, no tree.
        extra_json.assign("{");
        for (size_t n = 0; n < extra_order.size(); ++n) {
          const size_t k = extra_order[n];
          if (n > 0) extra_json.push_back(',');
          AppendJsonString(extra_json, extra_keys[k]);
          extra_json.push_back(':');
          AppendJsonString(extra_json, At(fields, static_cast<int>(map.extras[k])));
        }
        extra_json.push_back('}');
        if (encoding::FirstInvalidUtf8(extra_json) != std::string::npos) {
          // Not reached with the readers (they give UTF-8); nlohmann replaces bad bytes.
          nlohmann::json extra = nlohmann::json::object();
          for (size_t k = 0; k < map.extras.size(); ++k) {
            extra[extra_keys[k]] = std::string(At(fields, static_cast<int>(map.extras[k])));
          }
          extra_json = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        add(NormalizeDocument(At(fields, map.document)));
        add(Trim(At(fields, name_col)));
        add(Trim(At(fields, map.apellidos)));
        add(Trim(At(fields, map.municipio)));
        add(Trim(At(fields, map.departamento)));
        add(Trim(At(fields, map.email)));
        add(extra_json);
      }
      texts.Done(c, std::move(chunk));
    }
    texts.cpu_ms = ThreadCpuMs() - cpu0;
  });
  size_t next_text = 0;  // index among the new contacts
  auto flush_contacts = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    auto st = batch(contact_batches, kContactHead, kContactColumns, pending.size());
    if (!st.ok()) return st.error();
    store::Statement& ins = **st;
    for (size_t j = 0; j < pending.size(); ++j) {
      const size_t r = live_row[pending[j]];
      const size_t nth = next_text++;
      const ContactTexts::Chunk& text = texts.Wait(nth);
      const size_t in_chunk = nth % ContactTexts::kChunk;
      const std::string_view doc = text.Field(in_chunk, 0);
      const int64_t id = next_id++;
      const int base = static_cast<int>(j * kContactColumns);
      // Text bound without a copy: the chunk and the options outlive the run.
      ins.Bind(base + 1, id)
          .BindStatic(base + 2, options.campaign_id)
          .Bind(base + 3, result.import_id)
          .Bind(base + 4, static_cast<int64_t>(r + 1));
      if (doc.empty()) {
        ins.BindNull(base + 5);
      } else {
        ins.BindStatic(base + 5, doc);
      }
      ins.BindStatic(base + 6, text.Field(in_chunk, 1))
          .BindStatic(base + 7, text.Field(in_chunk, 2))
          .BindStatic(base + 8, text.Field(in_chunk, 3))
          .BindStatic(base + 9, text.Field(in_chunk, 4))
          .BindStatic(base + 10, text.Field(in_chunk, 5))
          .BindStatic(base + 11, text.Field(in_chunk, 6));
    }
    if (Status s = ins.Run(); !s.ok()) return s;
    inserted += static_cast<int64_t>(pending.size());
    pending.clear();
    return Status::Ok();
  };
  const int64_t first_id = next_id;
  for (const size_t i : winners) {
    pending.push_back(i);
    if (pending.size() < kContactRows) continue;
    if (Status s = flush_contacts(); !s.ok()) return s;
    if (hooks.fail_after_contacts >= 0 && inserted >= hooks.fail_after_contacts) {
      return Status::Internal("fallo inyectado durante la importación (prueba)");
    }
  }
  if (Status s = flush_contacts(); !s.ok()) return s;
  if (hooks.fail_after_contacts >= 0 && inserted >= hooks.fail_after_contacts) {
    return Status::Internal("fallo inyectado durante la importación (prueba)");
  }
  timer.Mark("inserción de contactos");
  // Their phones, in the same order (contact by contact, mobile first), once the
  // de-duplication has gathered them.
  RunWhenIdle(rejects.thread, false);
  dedup_finished.wait(false);
  timer.Mark("espera de la deduplicación");
  for (size_t w = 0; w < winners.size(); ++w) {
    const auto& phones = dedup.rows[winners[w]].phones;
    for (size_t k = 0; k < phones.size(); ++k) {
      pending_phones.push_back(
          {first_id + static_cast<int64_t>(w), &phones[k], static_cast<int64_t>(k)});
    }
    if (pending_phones.size() >= kPhoneRows) {
      if (Status s = flush_phones(false); !s.ok()) return s;
    }
  }
  if (Status s = flush_phones(true); !s.ok()) return s;
  timer.Mark("inserción de teléfonos");
  if (rebuild_indexes) {
    for (const auto& index : ContactsBulkIndexes()) {
      if (Status s = db.Exec(index.create_sql); !s.ok()) return s;
    }
  }
  timer.Mark("construcción de índices");
  // Existing contacts gain the phones of their duplicates, after their own.
  if (!dedup.gained.empty()) {
    auto max_pos =
        db.Prepare("SELECT COALESCE(MAX(position), -1) FROM phones WHERE contact_id = ?");
    if (!max_pos.ok()) return max_pos.error();
    for (const auto& [contact, phones] : dedup.gained) {
      max_pos->Reset();
      max_pos->Bind(1, contact);
      auto row = max_pos->Step();
      if (!row.ok()) return row.error();
      int64_t next = max_pos->Int(0) + 1;
      for (const auto& p : phones) {
        if (Status s = insert_phone(contact, p, next++); !s.ok()) return s;
        ++result.phones_added_to_existing;
      }
    }
  }
  if (!rejects.tmp_path.empty()) {
    rejects.Join();
    timer.Mark("espera del archivo de rechazos");
    if (!rejects.ok) {
      return Status::InvalidArgument(options.rejects_path + ": no se puede escribir el archivo");
    }
  }
  // What is left of pass 1 and of the de-duplication (a large base's phones are hundreds of
  // thousands of small heap blocks: 50 ms to free) and the file's text are freed on a thread
  // of its own while this one commits. Nothing reads them any more: the texts' thread has
  // handed every chunk over, the rejects file is written.
  if (texts.thread.joinable()) texts.thread.join();
  rejects.Join();
  log::Debug("importación: textos de los contactos, {:.0f} ms de CPU de su hilo", texts.cpu_ms);
  std::thread disposal([dead_dedup = std::move(dedup), dead_pass = std::move(first),
                        dead_links = std::move(links), dead_reader = std::move(*reader),
                        dead_normalizer = std::move(second_normalizer)]() mutable {
    dead_dedup = DedupResult{};
    dead_pass = PassPart{};
    const Deduplication links_gone = std::move(dead_links);
    dead_reader.reset();
    dead_normalizer.reset();
  });
  const JoinOnExit join_disposal{disposal};

  if (Status s = store::Audit(
          db, options.actor, "contacts.import",
          fmt::format("campaign={} import={} file={} initial={} rejected={} duplicates={} "
                      "suppressed={} callable={}",
                      options.campaign_id, result.import_id,
                      std::filesystem::path(path).filename().string(), fun.initial, fun.rejected,
                      fun.duplicates, fun.suppressed, fun.callable),
          now_ms);
      !s.ok()) {
    return s;
  }
  if (Status s = txn->Commit(); !s.ok()) return s;
  timer.Mark("auditoría y commit");
  if (!rejects.tmp_path.empty()) {
    std::error_code ec;
    std::filesystem::rename(rejects.tmp_path, options.rejects_path, ec);
    if (ec) {
      return Status::Internal(options.rejects_path +
                              ": la importación quedó guardada pero no se "
                              "pudo escribir el archivo de rechazos");
    }
    rejects.tmp_path.clear();  // renamed: nothing to remove
  }
  timer.Total();
  log::Debug("importación {} en la campaña {}: {} filas, {} a gestionar", result.import_id,
             options.campaign_id, fun.initial, fun.callable);
  return result;
}

}  // namespace sondeo::campaigns
