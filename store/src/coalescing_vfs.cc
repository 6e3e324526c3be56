#include "store/src/coalescing_vfs.h"

#include <cstdint>
#include <cstring>
#include <mutex>

#include <sqlite3.h>

namespace sondeo::store {

namespace {

// Below 128 KiB: the default VFS writes at most that much per call (it masks the size with
// 0x1ffff, so a larger write would come out short and be reported as a full disk).
constexpr int kBufferBytes = (1 << 17) - 4096;
constexpr const char* kName = "sondeo-coalescing";

// Our sqlite3_file; the default VFS's own file object follows it in the same allocation.
struct File {
  sqlite3_file base;     // base.pMethods = &g_methods once open
  sqlite3_file* real;    // the default VFS's file
  bool is_wal;           // a WAL file
  bool is_main;          // a main database file
  File* wal;             // a main database: its WAL while that is open
  File* main;            // a WAL: its main database
  char* buffer;          // gathered writes (sqlite3_malloc, kBufferBytes), or null
  int length;            // bytes gathered
  sqlite3_int64 offset;  // where they go in the file
  bool commit_pending;   // a WAL: the last write was a commit frame's header
  int deferred_error;    // a failed write of gathered bytes that no call could return yet
};

constexpr size_t kFileBytes = (sizeof(File) + 15) & ~size_t{15};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};

File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
const sqlite3_io_methods& Real(File* f) { return *f->real->pMethods; }

// Writes what `f` gathered. Its result, or an earlier deferred error.
int Flush(File* f) {
  if (f == nullptr) return SQLITE_OK;
  if (f->length > 0) {
    const int n = f->length;
    f->length = 0;
    const int rc = Real(f).xWrite(f->real, f->buffer, n, f->offset);
    if (rc != SQLITE_OK && f->deferred_error == SQLITE_OK) f->deferred_error = rc;
  }
  const int rc = f->deferred_error;
  f->deferred_error = SQLITE_OK;
  return rc;
}

// Before a shared-memory call on a main database: its WAL's frames and its own writes.
int FlushBoth(File* f) {
  const int wal_rc = Flush(f->wal);
  const int rc = Flush(f);
  return wal_rc != SQLITE_OK ? wal_rc : rc;
}

bool Gathers(const File* f) { return f->is_wal || (f->is_main && f->wal != nullptr); }

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int Close(sqlite3_file* file) {
  File* f = Of(file);
  const int flushed = Flush(f);
  if (f->is_wal && f->main != nullptr) f->main->wal = nullptr;
  if (f->is_main && f->wal != nullptr) f->wal->main = nullptr;
  const int rc = Real(f).xClose(f->real);
  sqlite3_free(f->buffer);
  f->buffer = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int Write(sqlite3_file* file, const void* data, int n, sqlite3_int64 offset) {
  File* f = Of(file);
  if (f->buffer == nullptr && Gathers(f)) {
    f->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
  }
  if (!Gathers(f) || f->buffer == nullptr) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return Real(f).xWrite(f->real, data, n, offset);
  }
  if (f->length > 0 && (offset != f->offset + f->length || f->length + n > kBufferBytes)) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (n >= kBufferBytes) return Real(f).xWrite(f->real, data, n, offset);
  if (f->length == 0) f->offset = offset;
  std::memcpy(f->buffer + f->length, data, static_cast<size_t>(n));
  f->length += n;
  if (!f->is_wal) return SQLITE_OK;
  // A frame is a 24-byte header (one write) and its page (the next). Bytes 4-7 of the header
  // are the database's size in pages for a commit frame, 0 for any other. The commit frame's
  // page is written now, and this call fails if that fails.
  if (f->commit_pending) {
    f->commit_pending = false;
    return Flush(f);
  }
  if (n == 24 && offset >= 32 && BigEndian32(static_cast<const unsigned char*>(data) + 4) != 0) {
    f->commit_pending = true;
  }
  return SQLITE_OK;
}

// Writes what `file` gathered (with `both`, a main database's WAL's too), then makes the
// default VFS's call `method`.
template <auto Method, bool both, typename... Args>
int Forward(sqlite3_file* file, Args... args) {
  File* f = Of(file);
  if (int rc = both ? FlushBoth(f) : Flush(f); rc != SQLITE_OK) return rc;
  return (Real(f).*Method)(f->real, args...);
}

int SectorSize(sqlite3_file* file) {
  File* f = Of(file);
  return Real(f).xSectorSize(f->real);
}

int DeviceCharacteristics(sqlite3_file* file) {
  File* f = Of(file);
  return Real(f).xDeviceCharacteristics(f->real);
}

int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  File* f = Of(file);
  if (int rc = FlushBoth(f); rc != SQLITE_OK) return rc;
  if (Real(f).iVersion < 2 || Real(f).xShmMap == nullptr) return SQLITE_IOERR;
  return Real(f).xShmMap(f->real, region, size, extend, out);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  File* f = Of(file);
  if (int rc = FlushBoth(f); rc != SQLITE_OK) return rc;
  if (Real(f).iVersion < 2 || Real(f).xShmLock == nullptr) return SQLITE_IOERR;
  return Real(f).xShmLock(f->real, offset, n, flags);
}

void ShmBarrier(sqlite3_file* file) {
  File* f = Of(file);
  // No result to give: a failed write is kept and returned by this file's next call (the
  // commit frame's own write has already reported it; see Write).
  if (int rc = FlushBoth(f); rc != SQLITE_OK) f->deferred_error = rc;
  if (Real(f).iVersion >= 2 && Real(f).xShmBarrier != nullptr) Real(f).xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* file, int remove) {
  File* f = Of(file);
  if (int rc = FlushBoth(f); rc != SQLITE_OK) return rc;
  if (Real(f).iVersion < 2 || Real(f).xShmUnmap == nullptr) return SQLITE_OK;
  return Real(f).xShmUnmap(f->real, remove);
}

int Fetch(sqlite3_file* file, sqlite3_int64 offset, int n, void** out) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  if (Real(f).iVersion < 3 || Real(f).xFetch == nullptr) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return Real(f).xFetch(f->real, offset, n, out);
}

int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  if (Real(f).iVersion < 3 || Real(f).xUnfetch == nullptr) return SQLITE_OK;
  return Real(f).xUnfetch(f->real, offset, p);
}

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = Of(file);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kFileBytes);
  const int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls xClose only when pMethods is set; the default VFS cleans up after itself.
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    return rc;
  }
  f->is_main = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (f->is_wal && name != nullptr) {
    sqlite3_file* main = sqlite3_database_file_object(name);
    if (main != nullptr && main->pMethods == &g_methods && Of(main)->wal == nullptr) {
      f->main = Of(main);
      Of(main)->wal = f;
    }
  }
  f->base.pMethods = &g_methods;
  return SQLITE_OK;
}

// The rest of the VFS is the default one's.
int Delete(sqlite3_vfs*, const char* name, int sync) { return g_real->xDelete(g_real, name, sync); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int Sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

void Register() {
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr) return;
  g_methods.iVersion = 3;
  g_methods.xClose = Close;
  g_methods.xRead = Forward<&sqlite3_io_methods::xRead, false>;
  g_methods.xWrite = Write;
  g_methods.xTruncate = Forward<&sqlite3_io_methods::xTruncate, false>;
  g_methods.xSync = Forward<&sqlite3_io_methods::xSync, false>;
  g_methods.xFileSize = Forward<&sqlite3_io_methods::xFileSize, false>;
  g_methods.xLock = Forward<&sqlite3_io_methods::xLock, true>;
  g_methods.xUnlock = Forward<&sqlite3_io_methods::xUnlock, true>;
  g_methods.xCheckReservedLock = Forward<&sqlite3_io_methods::xCheckReservedLock, true>;
  g_methods.xFileControl = Forward<&sqlite3_io_methods::xFileControl, true>;
  g_methods.xSectorSize = SectorSize;
  g_methods.xDeviceCharacteristics = DeviceCharacteristics;
  g_methods.xShmMap = ShmMap;
  g_methods.xShmLock = ShmLock;
  g_methods.xShmBarrier = ShmBarrier;
  g_methods.xShmUnmap = ShmUnmap;
  g_methods.xFetch = Fetch;
  g_methods.xUnfetch = Unfetch;
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(kFileBytes) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = kName;
  g_vfs.xOpen = Open;
  g_vfs.xDelete = Delete;
  g_vfs.xAccess = Access;
  g_vfs.xFullPathname = FullPathname;
  g_vfs.xDlOpen = DlOpen;
  g_vfs.xDlError = DlError;
  g_vfs.xDlSym = DlSym;
  g_vfs.xDlClose = DlClose;
  g_vfs.xRandomness = Randomness;
  g_vfs.xSleep = Sleep;
  g_vfs.xCurrentTime = CurrentTime;
  g_vfs.xGetLastError = GetLastError;
  g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&g_vfs, 0) != SQLITE_OK) g_real = nullptr;
}

}  // namespace

const char* CoalescingVfsName() {
  static std::once_flag once;
  std::call_once(once, Register);
  return g_real != nullptr ? kName : nullptr;
}

}  // namespace sondeo::store
