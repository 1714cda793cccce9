/* The HTTP ceiling: the smallest libmicrohttpd server, threaded exactly like Loket.
 *
 * Same daemon flags (internal polling thread + epoll + suspend/resume + error log), the same
 * thread pool size (one per core, or argv[2]), connection limit 4000, timeout 30 s and
 * per-connection memory limit as Sources/CMicroHTTPD/shim.h and Sources/LoketHTTP/HTTPServer.swift.
 * Like Loket it answers on the last access-handler call (after the empty body), not the first.
 * Every request gets the same small JSON body from static memory: no routing, no allocation.
 *
 *   gcc -O2 -o hello bench/hello.c $(pkg-config --cflags --libs libmicrohttpd)
 *   ./hello [PORT [THREADS]]      prints "hello listening on http://127.0.0.1:PORT"; stops on SIGTERM/SIGINT
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char BODY[] = "{\"status\":\"ok\",\"version\":\"hello\"}";
static struct MHD_Response *response;
static int marker; /* any non-NULL address marks "headers seen" in *req_cls */

static enum MHD_Result
access_handler (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
  (void) cls; (void) url; (void) method; (void) version; (void) upload_data;
  if (NULL == *req_cls) {          /* first call: headers only */
    *req_cls = &marker;
    return MHD_YES;
  }
  if (0 != *upload_data_size) {    /* body chunks: drop them */
    *upload_data_size = 0;
    return MHD_YES;
  }
  return MHD_queue_response (connection, MHD_HTTP_OK, response);
}

int
main (int argc, char **argv)
{
  unsigned int port = argc > 1 ? (unsigned int) atoi (argv[1]) : 0;
  long cores = sysconf (_SC_NPROCESSORS_ONLN);
  unsigned int threads = argc > 2 ? (unsigned int) atoi (argv[2]) : (unsigned int) (cores > 0 ? cores : 1);
  sigset_t stop;
  sigemptyset (&stop);
  sigaddset (&stop, SIGTERM);
  sigaddset (&stop, SIGINT);
  pthread_sigmask (SIG_BLOCK, &stop, NULL); /* MHD's threads inherit the mask; main waits below */

  response = MHD_create_response_from_buffer (strlen (BODY), (void *) BODY, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header (response, "Content-Type", "application/json");
  MHD_add_response_header (response, "Cache-Control", "no-store");

  struct sockaddr_in addr;
  memset (&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((uint16_t) port);
  inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);

  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon (flags, (uint16_t) port, NULL, NULL, access_handler, NULL,
                                           MHD_OPTION_SOCK_ADDR, (const struct sockaddr *) &addr,
                                           MHD_OPTION_THREAD_POOL_SIZE, threads,
                                           MHD_OPTION_CONNECTION_LIMIT, 4000u,
                                           MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                           MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (36 * 1024),
                                           MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
                                           MHD_OPTION_END);
  if (NULL == d) {
    fprintf (stderr, "hello: cannot start the daemon\n");
    return 1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (d, MHD_DAEMON_INFO_BIND_PORT);
  printf ("hello listening on http://127.0.0.1:%u (%u threads)\n", info ? info->port : 0, threads);
  fflush (stdout);

  int sig = 0;
  sigwait (&stop, &sig);
  MHD_stop_daemon (d);
  MHD_destroy_response (response);
  return 0;
}
