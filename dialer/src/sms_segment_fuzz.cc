// libFuzzer target: segmentation, the GSM-7 alternative and templates never crash, and their
// invariants hold for any byte string.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string_view>

#include "dialer/sms.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sondeo::dialer;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const SmsSegmentation s = Segment(text);
  const int sum = std::accumulate(s.segment_sizes.begin(), s.segment_sizes.end(), 0);
  if (sum != s.units || s.segments != static_cast<int>(s.segment_sizes.size())) std::abort();
  const int single = s.encoding == SmsEncoding::kGsm7 ? kGsm7Single : kUcs2Single;
  const int per = s.encoding == SmsEncoding::kGsm7 ? kGsm7Segment : kUcs2Segment;
  if (s.segments == 1 && s.units > single) std::abort();
  if (s.segments > 1) {
    for (int size_i : s.segment_sizes) {
      if (size_i > per || size_i < 1) std::abort();
    }
  }
  if ((s.encoding == SmsEncoding::kGsm7) != s.non_gsm_chars.empty()) std::abort();
  const std::string alt = Gsm7Alternative(text);
  if (!IsPureGsm7(alt)) std::abort();
  if (Segment(alt).encoding != SmsEncoding::kGsm7) std::abort();
  auto r = RenderTemplate(text, [](std::string_view) { return std::optional<std::string>("x"); });
  (void)r;
  return 0;
}
