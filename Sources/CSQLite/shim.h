/* Shim for SQLite: SQLITE_TRANSIENT is a cast macro (a destructor pointer of -1) that
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
#endif
