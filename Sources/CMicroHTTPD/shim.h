/* Shim for libmicrohttpd: what Swift cannot call or import directly.
 *
 * MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are C variadic
 * functions, and MHD_SIZE_UNKNOWN / MHD_CONTENT_READER_END_* are cast macros; Swift
 * imports neither, so each gets a small static inline stand-in here. */
#ifndef LOKET_MHD_SHIM_H
#define LOKET_MHD_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

static const uint64_t LOKET_MHD_SIZE_UNKNOWN = MHD_SIZE_UNKNOWN;
static const ssize_t LOKET_MHD_READER_END_OF_STREAM = MHD_CONTENT_READER_END_OF_STREAM;
static const ssize_t LOKET_MHD_READER_END_WITH_ERROR = MHD_CONTENT_READER_END_WITH_ERROR;

/* Defined in Swift (@_cdecl, HTTPServer+Connections.swift): one libmicrohttpd message, formatted. */
extern void loket_mhd_log_line (void *cls, const char *line);

/* MHD's external logger: formats the message (a variadic format Swift cannot take) and hands it on. */
static void
loket_mhd_log_adapter (void *cls, const char *format, va_list ap)
{
  char line[512];
  vsnprintf (line, sizeof line, format, ap);
  loket_mhd_log_line (cls, line);
}

/* Starts a daemon bound to `host` (IPv4 or IPv6 literal) and `port` (0 = any free port).
 * Returns NULL when the address does not parse or the daemon cannot start. */
static inline struct MHD_Daemon *
loket_mhd_start (unsigned int flags, const char *host, uint16_t port,
                 MHD_AccessHandlerCallback handler, void *handler_cls,
                 MHD_RequestCompletedCallback completed, void *completed_cls,
                 unsigned int thread_pool_size, unsigned int connection_limit,
                 unsigned int connection_timeout_seconds, size_t connection_memory_limit,
                 MHD_AcceptPolicyCallback accept_policy, void *accept_policy_cls,
                 MHD_NotifyConnectionCallback notify_connection, void *notify_connection_cls,
                 void *log_cls)
{
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  const struct sockaddr *addr;
  memset (&v4, 0, sizeof v4);
  memset (&v6, 0, sizeof v6);
  if (1 == inet_pton (AF_INET, host, &v4.sin_addr)) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons (port);
    addr = (const struct sockaddr *) &v4;
  } else if (1 == inet_pton (AF_INET6, host, &v6.sin6_addr)) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons (port);
    addr = (const struct sockaddr *) &v6;
    flags |= MHD_USE_IPv6;
  } else {
    return NULL;
  }
  return MHD_start_daemon (flags, port, accept_policy, accept_policy_cls, handler, handler_cls,
                           /* First, so MHD writes nothing to stderr itself. */
                           MHD_OPTION_EXTERNAL_LOGGER, loket_mhd_log_adapter, log_cls,
                           MHD_OPTION_SOCK_ADDR, addr,
                           MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                           MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                           MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                           MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                           MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
                           MHD_OPTION_NOTIFY_CONNECTION, notify_connection, notify_connection_cls,
                           MHD_OPTION_END);
}

/* The port the daemon listens on (useful after binding port 0), or 0. */
static inline uint16_t
loket_mhd_bound_port (struct MHD_Daemon *daemon)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

/* Writes an IPv4 or IPv6 socket address as text into `out` (at least INET6_ADDRSTRLEN bytes);
 * other families give "". */
static inline void
loket_sockaddr_text (const struct sockaddr *addr, char *out, size_t out_size)
{
  out[0] = '\0';
  if (! addr)
    return;
  if (addr->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) addr)->sin_addr, out, (socklen_t) out_size);
  else if (addr->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) addr)->sin6_addr, out, (socklen_t) out_size);
}

/* The connection's socket, or -1. */
static inline int
loket_mhd_connection_fd (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info ? info->connect_fd : -1;
}

/* Writes the peer's address as text into `out` (at least INET6_ADDRSTRLEN bytes). */
static inline void
loket_mhd_client_address (struct MHD_Connection *connection, char *out, size_t out_size)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  out[0] = '\0';
  if (! info || ! info->client_addr)
    return;
  if (info->client_addr->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) info->client_addr)->sin_addr, out, (socklen_t) out_size);
  else if (info->client_addr->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) info->client_addr)->sin6_addr, out, (socklen_t) out_size);
}

/* Adds one to a counter shared by MHD's threads and returns the new value: one atomic add, where a
 * lock was taken and contended on every request. Relaxed: the value orders nothing else, it only
 * has to be unique. */
static inline uint64_t
loket_counter_next (uint64_t *counter)
{
  return __atomic_add_fetch (counter, 1, __ATOMIC_RELAXED);
}

/* What a request's thread and the connection guard's reaper share about one connection
 * (HTTPServer+Connections.swift), written on the request path without any lock: since when
 * (uptime, ns) the connection has waited for a complete request, and whether one is being
 * answered. MHD keeps a pointer to it as the connection's socket context. */
struct loket_connection_clock {
  uint64_t since;
  uint32_t answering;
  /* The peer's address as text (INET6_ADDRSTRLEN is 46), written once when the connection starts:
   * each request read it with inet_ntop, whose sprintf was 1.7% of a health request's samples. */
  char address[48];
};

/* The connection's peer address, as text (NUL-terminated). */
static inline char *
loket_connection_address (struct loket_connection_clock *clock)
{
  return clock->address;
}

/* The connection's request is all in and is being answered. */
static inline void
loket_connection_answering (struct loket_connection_clock *clock)
{
  __atomic_store_n (&clock->answering, 1, __ATOMIC_RELEASE);
}

/* The connection's answer is done at `now`: it waits for its next request from then on. `since`
 * is stored before `answering` is cleared (release), so a reaper that sees it cleared (acquire)
 * sees the new `since` too. */
static inline void
loket_connection_answered (struct loket_connection_clock *clock, uint64_t now)
{
  __atomic_store_n (&clock->since, now, __ATOMIC_RELAXED);
  __atomic_store_n (&clock->answering, 0, __ATOMIC_RELEASE);
}

/* Since when the connection has waited for a request, or UINT64_MAX while one is being answered. */
static inline uint64_t
loket_connection_waiting_since (const struct loket_connection_clock *clock)
{
  if (__atomic_load_n (&clock->answering, __ATOMIC_ACQUIRE))
    return UINT64_MAX;
  return __atomic_load_n (&clock->since, __ATOMIC_RELAXED);
}

/* The connection's socket context (what the connection-notify callback set at its start), or NULL. */
static inline void *
loket_mhd_socket_context (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info (connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? info->socket_context : NULL;
}

#endif
