// Large buffers on transparent huge pages.
#pragma once

#include <cstddef>

namespace sondeo {

// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with transparent huge
// pages (madvise(MADV_HUGEPAGE); Debian's default THP mode honours only advised memory). A
// buffer of a hundred megabytes is then faulted in 2 MiB at a time instead of 4 KiB: the
// import of a large base spent a tenth of its main thread in page faults. Call it before
// the memory is first written. Below 4 MiB it does nothing. False when the kernel refused
// (no THP support); the memory works the same either way.
bool AdviseHugePages(void* p, size_t bytes);

}  // namespace sondeo
