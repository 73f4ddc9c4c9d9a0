/* health.c - ddbd health: one blocking GET, bounded by a timer.
 *
 * A container health check runs this every few seconds, so it must never
 * hang: one interval timer covers name resolution, connect, write and read
 * alike, and when it fires the process says so and exits 1. */
#include "app/health.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/httpc.h"

static const char health_usage[] =
    "Usage: ddbd health [--timeout SECONDS] [URL]\n"
    "Exits 0 when the ddbd at URL (default " HEALTH_DEFAULT_URL ") answers GET with 200,\n"
    "1 when it does not within SECONDS (default 2), 2 on a bad command line.\n";

/* Written by the timer's handler, which may only call write and _exit. */
static char health_timeout_msg[2200];
static size_t health_timeout_len;

static void health_on_timer(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, health_timeout_msg, health_timeout_len);
    (void)w;
    _exit(1);
}

static int health_arm_timer(const char *url, long timeout_ms)
{
    int n = snprintf(health_timeout_msg, sizeof health_timeout_msg, "ddbd health: %s: no answer within %ld ms\n", url,
                     timeout_ms);
    health_timeout_len = n > 0 && (size_t)n < sizeof health_timeout_msg ? (size_t)n : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = health_on_timer;
    sigemptyset(&sa.sa_mask);
    struct itimerval t = {{0, 0}, {timeout_ms / 1000, (timeout_ms % 1000) * 1000}};
    return sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &t, NULL) ? -1 : 0;
}

/* "--timeout S" or "--timeout=S": seconds, fractions allowed, up to an hour. */
static int health_parse_timeout(const char *s, long *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.001 && v <= 3600))
        return -1;
    *ms = (long)(v * 1000 + 0.5);
    return 0;
}

static int health_parse_args(int argc, char **argv, const char **url, long *timeout_ms)
{
    bool have_url = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "-h") == 0) {
            fputs(health_usage, stdout);
            exit(0);
        }
        if (strcmp(a, "--timeout") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(a, "--timeout=", 10) == 0)
            v = a + 10;
        if (v) {
            if (health_parse_timeout(v, timeout_ms))
                return fprintf(stderr, "ddbd health: --timeout wants seconds (0.001 to 3600), got %s\n", v), -1;
        } else if (a[0] == '-' || have_url) {
            return fprintf(stderr, "ddbd health: unexpected argument %s\n%s", a, health_usage), -1;
        } else {
            *url = a;
            have_url = true;
        }
    }
    return 0;
}

static int health_connect(const httpc_url_t *u, char *why, size_t why_len)
{
    char port[16];
    snprintf(port, sizeof port, "%d", u->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai, *p;
    int rc = getaddrinfo(u->host, port, &hints, &ai);
    if (rc)
        return snprintf(why, why_len, "cannot resolve %s: %s", u->host, gai_strerror(rc)), -1;
    int fd = -1, err = 0;
    for (p = ai; p && fd < 0; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd >= 0 && connect(fd, p->ai_addr, p->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        snprintf(why, why_len, "%s", strerror(err ? err : EADDRNOTAVAIL));
    return fd;
}

/* Sends the GET and reads the response until the server closes or
 * HEALTH_MAX_RESPONSE bytes have come; returns the length read or -1. */
static ssize_t health_exchange(int fd, const httpc_url_t *u, char *resp, char *why, size_t why_len)
{
    char req[2600];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: ddbd-health\r\nConnection: close\r\n\r\n", u->path,
                     u->host, u->port);
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return snprintf(why, why_len, "cannot send: %s", strerror(errno)), -1;
        off += (int)w;
    }
    size_t got = 0;
    while (got < HEALTH_MAX_RESPONSE) {
        ssize_t r = recv(fd, resp + got, HEALTH_MAX_RESPONSE - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return snprintf(why, why_len, "cannot read: %s", strerror(errno)), -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

bool health_status_ok(const char *resp, size_t n)
{
    static const char prefix[] = "HTTP/1.";
    size_t plen = sizeof prefix - 1;
    /* "HTTP/1.1 200" then a space (the reason) or the end of the line */
    return n >= plen + 5 && memcmp(resp, prefix, plen) == 0 && resp[plen] >= '0' && resp[plen] <= '9' &&
           memcmp(resp + plen + 1, " 200", 4) == 0 &&
           (n == plen + 5 || resp[plen + 5] == ' ' || resp[plen + 5] == '\r' || resp[plen + 5] == '\n');
}

/* Prints the status line (unhealthy) or the body (healthy: "healthy: ddbd 0.1.0"). */
static void health_report(const char *url, const char *resp, size_t n, bool ok)
{
    const char *eol = memchr(resp, '\r', n), *body = NULL;
    for (size_t i = 0; i + 4 <= n && !body; i++)
        if (memcmp(resp + i, "\r\n\r\n", 4) == 0)
            body = resp + i + 4;
    if (ok && body) {
        const char *end = resp + n;
        while (end > body && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        printf("%.*s\n", (int)(end - body), body);
    } else if (!ok)
        fprintf(stderr, "ddbd health: %s answered %.*s\n", url, (int)(eol ? eol - resp : (long)(n > 80 ? 80 : n)),
                resp);
}

int health_main(int argc, char **argv)
{
    const char *url = HEALTH_DEFAULT_URL;
    long timeout_ms = HEALTH_DEFAULT_TIMEOUT_MS;
    if (health_parse_args(argc, argv, &url, &timeout_ms))
        return 2;
    httpc_url_t u;
    char why[512];
    if (httpc_url_parse(url, &u, why, sizeof why))
        return fprintf(stderr, "ddbd health: %s\n", why), 2;
    if (health_arm_timer(url, timeout_ms))
        return fprintf(stderr, "ddbd health: cannot set a timer: %s\n", strerror(errno)), 1;
    int fd = health_connect(&u, why, sizeof why);
    if (fd < 0)
        return fprintf(stderr, "ddbd health: %s: %s\n", url, why), 1;
    static char resp[HEALTH_MAX_RESPONSE];
    ssize_t n = health_exchange(fd, &u, resp, why, sizeof why);
    close(fd);
    if (n < 0)
        return fprintf(stderr, "ddbd health: %s: %s\n", url, why), 1;
    if (n == 0)
        return fprintf(stderr, "ddbd health: %s closed the connection without answering\n", url), 1;
    bool ok = health_status_ok(resp, (size_t)n);
    health_report(url, resp, (size_t)n, ok);
    return ok ? 0 : 1;
}
