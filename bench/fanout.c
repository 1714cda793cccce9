/* SSE fan-out: how long until every lobby display hears a call.
 *
 * Opens N connections (default 2,000) to GET /api/v1/locations/LOCATION/events with one epoll
 * loop, waits until every one has its response headers, then, per round, POSTs call-next for
 * COUNTER on a separate blocking socket, notes the send time and measures for each stream the
 * time until its `event: called` arrives. Prints min/median/p99/max and how many streams got it.
 *
 * Given the server's PID, it also reads the server's resident memory (VmRSS in /proc/PID/status)
 * before the first stream opens, once all are open, and after the last round, and prints what the
 * streams added, in all and per stream.
 *
 * At most FANOUT_PER_SOURCE (environment, default 2,000) streams come from one address: against
 * 127.0.0.1 stream i binds 127.0.0.(1 + i / FANOUT_PER_SOURCE) first (all of 127/8 is loopback), so
 * 10,000 streams stay under the server's per-address cap (2,500 by default) without a flag.
 *
 *   gcc -O2 -o fanout bench/fanout.c
 *   ./fanout HOST PORT LOCATION COUNTER CLERK_TOKEN [CONNECTIONS [ROUNDS [SERVER_PID]]]
 *
 * Lines starting with "@ key=value" are for bench/run.sh. Exit status 0 only when every stream
 * received every round's event and every call-next answered 200.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING, SENT, STREAMING, DEAD };

struct conn {
  int fd;
  int state;
  char head[4096];     /* response headers until the blank line */
  size_t head_len;
  char tail[16];       /* last bytes of the stream, to find a marker split across reads */
  size_t tail_len;
  int64_t got_ns;      /* when this round's event arrived; 0 = not yet */
};

static const char MARKER[] = "event: called\n";
#define MARKER_LEN (sizeof MARKER - 1)
#define POST_TAG (-1)  /* epoll data for the call-next socket */

static struct conn *conns;
static int nconns;
static char request[512];
static struct sockaddr_in server;
static int per_source = 2000;  /* streams per client address (loopback only) */

/* VmRSS of process `pid` in KiB, or -1. */
static long
rss_kib (int pid)
{
  char path[64], line[256];
  long kib = -1;
  snprintf (path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen (path, "r");
  if (!f)
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "VmRSS: %ld kB", &kib) == 1)
      break;
  fclose (f);
  return kib;
}

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die (const char *what)
{
  perror (what);
  exit (2);
}

static int
cmp_i64 (const void *a, const void *b)
{
  int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
  return (x > y) - (x < y);
}

static double
pct_ms (const int64_t *sorted, int n, double p)
{
  if (n == 0)
    return -1;
  int i = (int) ((n - 1) * p + 0.5);
  return sorted[i] / 1e6;
}

/* Scans newly read stream bytes for the marker; the tail keeps a marker split over two reads. */
static void
scan (struct conn *c, const char *data, size_t n, int64_t t)
{
  if (c->got_ns)
    return;
  char joined[sizeof c->tail + 65536];
  size_t m = c->tail_len;
  memcpy (joined, c->tail, m);
  size_t take = n < 65536 ? n : 65536;
  memcpy (joined + m, data + (n - take), take);
  m += take;
  if (memmem (joined, m, MARKER, MARKER_LEN)) {
    c->got_ns = t;
    c->tail_len = 0;
    return;
  }
  size_t keep = m < MARKER_LEN - 1 ? m : MARKER_LEN - 1;
  memcpy (c->tail, joined + m - keep, keep);
  c->tail_len = keep;
}

static void
open_one (int ep, int i)
{
  struct conn *c = &conns[i];
  memset (c, 0, sizeof *c);
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    die ("socket");
  if (i >= per_source && server.sin_addr.s_addr == htonl (INADDR_LOOPBACK)) {
    struct sockaddr_in local = { .sin_family = AF_INET };
    local.sin_addr.s_addr = htonl (INADDR_LOOPBACK + (uint32_t) (i / per_source));
    if (bind (c->fd, (struct sockaddr *) &local, sizeof local) < 0)
      die ("bind (client address)");
  }
  if (connect (c->fd, (struct sockaddr *) &server, sizeof server) < 0 && errno != EINPROGRESS)
    die ("connect");
  c->state = CONNECTING;
  struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t) i };
  if (epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    die ("epoll_ctl");
}

static void
kill_conn (int ep, struct conn *c, int *dead)
{
  if (c->state == DEAD)
    return;
  epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->state = DEAD;
  (*dead)++;
}

/* Handles readiness of stream i; returns 1 when its headers just completed. */
static int
on_ready (int ep, int i, uint32_t events, int64_t t, int *dead)
{
  struct conn *c = &conns[i];
  int became_ready = 0;
  if (c->state == CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      fprintf (stderr, "fanout: connection %d: %s\n", i, strerror (err));
      kill_conn (ep, c, dead);
      return 0;
    }
    size_t n = strlen (request);
    if (send (c->fd, request, n, MSG_NOSIGNAL) != (ssize_t) n) {
      kill_conn (ep, c, dead);
      return 0;
    }
    c->state = SENT;
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t) i };
    epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->state == DEAD)
    return 0;
  char buf[65536];
  for (;;) {
    ssize_t r = recv (c->fd, buf, sizeof buf, 0);
    if (r > 0) {
      const char *p = buf;
      size_t n = (size_t) r;
      if (c->state == SENT) {
        size_t room = sizeof c->head - 1 - c->head_len;
        size_t take = n < room ? n : room;
        memcpy (c->head + c->head_len, p, take);
        c->head_len += take;
        c->head[c->head_len] = 0;
        char *end = strstr (c->head, "\r\n\r\n");
        if (!end) {
          if (c->head_len >= sizeof c->head - 1) {
            fprintf (stderr, "fanout: connection %d: headers too long\n", i);
            kill_conn (ep, c, dead);
            return 0;
          }
          continue;
        }
        if (strncmp (c->head, "HTTP/1.1 200", 12) != 0) {
          fprintf (stderr, "fanout: connection %d: %.40s\n", i, c->head);
          kill_conn (ep, c, dead);
          return 0;
        }
        size_t used = (size_t) (end + 4 - c->head) - (c->head_len - take);
        p += used;
        n -= used;
        c->state = STREAMING;
        became_ready = 1;
      }
      if (n > 0)
        scan (c, p, n, t);
      continue;
    }
    if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      fprintf (stderr, "fanout: connection %d closed by the server\n", i);
      kill_conn (ep, c, dead);
    }
    break;
  }
  return became_ready;
}

/* Sends call-next on a fresh blocking socket; returns the socket (its answer is read later). */
static int
post_call_next (const char *host, int port, const char *counter, const char *token, int64_t *sent_ns)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die ("socket");
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *) &server, sizeof server) < 0)
    die ("connect (call-next)");
  char req[1024];
  int n = snprintf (req, sizeof req,
                    "POST /api/v1/counters/%s/call-next HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                    "Content-Length: 0\r\nConnection: close\r\n\r\n", counter, host, port, token);
  *sent_ns = now_ns ();
  if (send (fd, req, (size_t) n, MSG_NOSIGNAL) != n)
    die ("send (call-next)");
  return fd;
}

int
main (int argc, char **argv)
{
  if (argc < 6) {
    fprintf (stderr, "usage: %s HOST PORT LOCATION COUNTER CLERK_TOKEN [CONNECTIONS [ROUNDS [SERVER_PID]]]\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi (argv[2]);
  const char *location = argv[3], *counter = argv[4], *token = argv[5];
  nconns = argc > 6 ? atoi (argv[6]) : 2000;
  int rounds = argc > 7 ? atoi (argv[7]) : 3;
  int server_pid = argc > 8 ? atoi (argv[8]) : 0;
  if (getenv ("FANOUT_PER_SOURCE") && atoi (getenv ("FANOUT_PER_SOURCE")) > 0)
    per_source = atoi (getenv ("FANOUT_PER_SOURCE"));

  /* Each stream is one descriptor: make room for them (the hard limit here is 20000). */
  struct rlimit rl;
  getrlimit (RLIMIT_NOFILE, &rl);
  rlim_t want = (rlim_t) nconns + 64;
  if (rl.rlim_cur < want) {
    rl.rlim_cur = want <= rl.rlim_max ? want : rl.rlim_max;
    setrlimit (RLIMIT_NOFILE, &rl);
    getrlimit (RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want) {
      fprintf (stderr, "fanout: RLIMIT_NOFILE is %lu, need %lu\n", (unsigned long) rl.rlim_cur, (unsigned long) want);
      return 2;
    }
  }

  memset (&server, 0, sizeof server);
  server.sin_family = AF_INET;
  server.sin_port = htons ((uint16_t) port);
  if (inet_pton (AF_INET, host, &server.sin_addr) != 1) {
    fprintf (stderr, "fanout: HOST must be an IPv4 address\n");
    return 2;
  }
  snprintf (request, sizeof request,
            "GET /api/v1/locations/%s/events HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n",
            location, host, port);

  conns = calloc ((size_t) nconns, sizeof *conns);
  int ep = epoll_create1 (EPOLL_CLOEXEC);
  if (!conns || ep < 0)
    die ("setup");

  /* Phase 1: open every stream, at most 200 handshakes in flight (the listen backlog is finite). */
  struct epoll_event events[1024];
  int opened = 0, ready = 0, dead = 0;
  long rss_before = server_pid ? rss_kib (server_pid) : -1;
  int64_t t_open = now_ns ();
  while (ready + dead < nconns) {
    while (opened < nconns && opened - ready - dead < 200)
      open_one (ep, opened++);
    int n = epoll_wait (ep, events, 1024, 1000);
    int64_t t = now_ns ();
    for (int k = 0; k < n; k++)
      ready += on_ready (ep, (int) events[k].data.u32, events[k].events, t, &dead);
    if (t - t_open > 60 * 1000000000LL) {
      fprintf (stderr, "fanout: only %d of %d streams opened in 60 s\n", ready, nconns);
      break;
    }
  }
  double open_s = (now_ns () - t_open) / 1e9;
  printf ("fan-out: %d of %d streams open to /api/v1/locations/%s/events in %.2f s\n", ready, nconns, location, open_s);
  fflush (stdout);
  if (ready == 0)
    return 1;

  /* Let the opening bytes (retry: ...) of every stream drain. */
  for (int64_t until = now_ns () + 300000000; now_ns () < until;) {
    int n = epoll_wait (ep, events, 1024, 50);
    int64_t t = now_ns ();
    for (int k = 0; k < n; k++)
      on_ready (ep, (int) events[k].data.u32, events[k].events, t, &dead);
  }
  long rss_open = server_pid ? rss_kib (server_pid) : -1;

  int64_t *all = malloc (sizeof (int64_t) * (size_t) nconns * (size_t) rounds);
  int64_t *round_delays = malloc (sizeof (int64_t) * (size_t) nconns);
  int64_t post_ns[64];
  int total = 0, min_received = nconns, ok = 1;
  if (rounds > 64)
    rounds = 64;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < nconns; i++) {
      conns[i].got_ns = 0;
      conns[i].tail_len = 0;
    }
    int64_t sent;
    int pfd = post_call_next (host, port, counter, token, &sent);
    struct epoll_event pev = { .events = EPOLLIN, .data.u32 = (uint32_t) POST_TAG };
    epoll_ctl (ep, EPOLL_CTL_ADD, pfd, &pev);
    char answer[8192];
    size_t answer_len = 0;
    int64_t answered = 0;
    int received = 0, dead_at_start = dead, target = 0;
    for (int i = 0; i < nconns; i++)
      target += conns[i].state == STREAMING;
    int64_t deadline = sent + 30 * 1000000000LL;
    while ((received < target - (dead - dead_at_start) || !answered) && now_ns () < deadline) {
      int n = epoll_wait (ep, events, 1024, 200);
      int64_t t = now_ns ();
      for (int k = 0; k < n; k++) {
        if (events[k].data.u32 == (uint32_t) POST_TAG) {
          ssize_t got = recv (pfd, answer + answer_len, sizeof answer - 1 - answer_len, MSG_DONTWAIT);
          if (got > 0) {
            if (!answer_len)
              answered = t;  /* first byte of the answer */
            answer_len += (size_t) got;
          } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            epoll_ctl (ep, EPOLL_CTL_DEL, pfd, NULL);
            if (!answered)
              answered = t;
          }
          continue;
        }
        struct conn *c = &conns[events[k].data.u32];
        int had = c->got_ns != 0;
        on_ready (ep, (int) events[k].data.u32, events[k].events, t, &dead);
        if (!had && c->got_ns)
          received++;
      }
    }
    answer[answer_len] = 0;
    epoll_ctl (ep, EPOLL_CTL_DEL, pfd, NULL);
    close (pfd);
    int status = answer_len > 12 ? atoi (answer + 9) : 0;
    int m = 0;
    for (int i = 0; i < nconns; i++)
      if (conns[i].got_ns)
        round_delays[m++] = conns[i].got_ns - sent;
    qsort (round_delays, (size_t) m, sizeof *round_delays, cmp_i64);
    memcpy (all + total, round_delays, sizeof *round_delays * (size_t) m);
    total += m;
    post_ns[r] = answered ? answered - sent : -1;
    if (m < min_received)
      min_received = m;
    if (status != 200 || m < nconns)
      ok = 0;
    printf ("round %d: call-next answered %d in %.2f ms; `event: called` on %d of %d streams:"
            " min %.2f, median %.2f, p99 %.2f, max %.2f ms\n",
            r + 1, status, post_ns[r] / 1e6, m, nconns, pct_ms (round_delays, m, 0), pct_ms (round_delays, m, 0.5),
            pct_ms (round_delays, m, 0.99), pct_ms (round_delays, m, 1));
    fflush (stdout);
    /* Let the round's other events (ticket, queue) drain before the next call. */
    for (int64_t until = now_ns () + 300000000; now_ns () < until;) {
      int n = epoll_wait (ep, events, 1024, 50);
      int64_t t = now_ns ();
      for (int k = 0; k < n; k++)
        on_ready (ep, (int) events[k].data.u32, events[k].events, t, &dead);
    }
  }
  long rss_after = server_pid ? rss_kib (server_pid) : -1;
  if (rss_before > 0 && rss_open > 0 && rss_after > 0) {
    /* VmRSS counts KiB; printed in MB and KB (10^6, 10^3 bytes), as the goal is stated. */
    double mb = 1024 / 1e6, kb = 1024 / 1e3;
    printf ("server RSS: %.1f MB before the streams, %.1f MB with %d open (+%.1f MB, %.1f KB per stream),"
            " %.1f MB after %d rounds (+%.1f MB, %.1f KB per stream)\n",
            rss_before * mb, rss_open * mb, ready, (rss_open - rss_before) * mb, (rss_open - rss_before) * kb / ready,
            rss_after * mb, rounds, (rss_after - rss_before) * mb, (rss_after - rss_before) * kb / ready);
    printf ("@ fanout_rss_before_kib=%ld\n@ fanout_rss_open_kib=%ld\n@ fanout_rss_after_kib=%ld\n",
            rss_before, rss_open, rss_after);
  }
  qsort (all, (size_t) total, sizeof *all, cmp_i64);
  qsort (post_ns, (size_t) rounds, sizeof *post_ns, cmp_i64);
  printf ("all rounds: %d deliveries, min %.2f, median %.2f, p99 %.2f, max %.2f ms; call-next answer median %.2f ms\n",
          total, pct_ms (all, total, 0), pct_ms (all, total, 0.5), pct_ms (all, total, 0.99), pct_ms (all, total, 1),
          post_ns[rounds / 2] / 1e6);
  printf ("@ fanout_streams=%d\n@ fanout_received_min=%d\n@ fanout_min_ms=%.3f\n@ fanout_median_ms=%.3f\n"
          "@ fanout_p99_ms=%.3f\n@ fanout_max_ms=%.3f\n@ fanout_post_ms=%.3f\n@ fanout_open_s=%.3f\n",
          ready, min_received, pct_ms (all, total, 0), pct_ms (all, total, 0.5), pct_ms (all, total, 0.99),
          pct_ms (all, total, 1), post_ns[rounds / 2] / 1e6, open_s);
  for (int i = 0; i < nconns; i++)
    if (conns[i].state != DEAD)
      close (conns[i].fd);
  return ok ? 0 : 1;
}
