#include "common/memory.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace sondeo {
namespace {

// The VmFlags of the mapping that holds `p`, from /proc/self/smaps ("" when not found).
std::string VmFlagsOf(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0;
    uintptr_t hi = 0;
    char dash = 0;
    if (std::sscanf(line.c_str(), "%lx%c%lx", &lo, &dash, &hi) == 3 && dash == '-') {
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(MemoryTest, SmallBuffersAreLeftAlone) {
  std::vector<char> small(1 << 20);
  EXPECT_FALSE(AdviseHugePages(small.data(), small.size()));
  EXPECT_FALSE(AdviseHugePages(nullptr, size_t{64} << 20));
}

TEST(MemoryTest, LargeBufferIsAdvisedAndWorks) {
  constexpr size_t kBytes = size_t{16} << 20;
  std::unique_ptr<char[]> buffer(new char[kBytes]);
  if (!AdviseHugePages(buffer.get(), kBytes)) {
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  }
  // The inner 2 MiB pages are flagged for huge pages ("hg"), and the memory works as before.
  const char* middle = buffer.get() + kBytes / 2;
  EXPECT_NE(VmFlagsOf(middle).find(" hg"), std::string::npos) << VmFlagsOf(middle);
  for (size_t i = 0; i < kBytes; i += 4096) buffer[i] = static_cast<char>(i / 4096);
  EXPECT_EQ(buffer[kBytes / 2], static_cast<char>((kBytes / 2 / 4096) & 0xFF));
}

}  // namespace
}  // namespace sondeo
