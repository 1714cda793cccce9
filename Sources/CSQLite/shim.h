/* Shim for SQLite. SQLITE_TRANSIENT is a cast macro (a destructor pointer of -1) that
 * Swift cannot import, so text and blob binding go through these stand-ins, which make
 * SQLite copy the bytes before the call returns. */
#ifndef LOKET_SQLITE_SHIM_H
#define LOKET_SQLITE_SHIM_H
#include <sqlite3.h>

static inline int
loket_sqlite_bind_text (sqlite3_stmt *stmt, int index, const char *text, int bytes)
{
  return sqlite3_bind_text (stmt, index, text, bytes, SQLITE_TRANSIENT);
}

static inline int
loket_sqlite_bind_blob (sqlite3_stmt *stmt, int index, const void *data, int bytes)
{
  return sqlite3_bind_blob (stmt, index, data, bytes, SQLITE_TRANSIENT);
}
/* sqlite3_config is variadic. Loket turns memory statistics off before the first connection:
 * with them on, every allocation in every connection takes one global mutex. */
static inline int
loket_sqlite_disable_memstatus (void)
{
  return sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
