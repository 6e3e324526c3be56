// A VFS over SQLite's default one that merges the small sequential writes of a WAL commit
// and of a checkpoint into large ones.
//
// A WAL commit writes each page as two writes (its 24-byte frame header, then the page), and
// a checkpoint copies the pages into the database one write each: a bulk import of 50 MB
// made 37,000 write calls, a third of its commit. Here, consecutive writes to a WAL file, and
// a checkpoint's writes to its database, are gathered in a buffer of 124 KiB and written at
// once.
//
// Nothing SQLite relies on changes:
// - the buffer is written before any other call on its file (read, sync, size, truncate,
//   lock, close...), so SQLite reads back what it wrote and syncs what it wrote;
// - a WAL's buffer is written before the database's shared-memory calls (the barrier and
//   locks around publishing new frames), so no connection, in this process or another, is
//   told of frames that are not in the file;
// - a commit frame is written within the write call that completes it, whose result is that
//   write's: a failed write fails the commit as before;
// - a database's writes are gathered only while its WAL is open (checkpoints); in rollback
//   mode every write goes straight through.
#pragma once

namespace sondeo::store {

// The VFS's name, registered (not as the default) on the first call.
const char* CoalescingVfsName();

}  // namespace sondeo::store
