/* listener.c - the listening socket, accepted by hand (see listener.h). */
#include "net/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"

#define LISTENER_BACKLOG 1024
#define LISTENER_BATCH 64 /* accepts per wake-up, so one busy port cannot starve the loop */
#define LISTENER_WARN_MS 10000 /* at most one EMFILE warning per this long */

static struct {
    listener_opts_t o;
    int fd;
    int spare; /* a descriptor held back to answer a client when none are left */
    uv_poll_t poll;
    uv_timer_t pause;
    bool live, paused;
    char *busy;
    unsigned long pauses;
    uint64_t warned_at;
} lsn = {.fd = -1, .spare = -1};

unsigned long listener_emfile_pauses(void) { return lsn.pauses; }

void listener_refuse(int fd, const char *bytes, size_t len)
{
    /* A fresh socket's send buffer takes a short reply whole; if it does
     * not, the client sees the connection close, which SDKs retry too. */
    if (len && send(fd, bytes, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        log_debug("refused client: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    char sink[4096]; /* what the client already sent: closing over unread bytes would reset */
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    close(fd);
}

static void spare_open(void)
{
    if (lsn.spare < 0)
        lsn.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void on_poll(uv_poll_t *h, int status, int events);

static void on_pause_over(uv_timer_t *t)
{
    (void)t;
    lsn.paused = false;
    spare_open();
    if (lsn.live)
        uv_poll_start(&lsn.poll, UV_READABLE, on_poll);
}

/* Out of descriptors: answer one waiting client with the spare one, then
 * stop polling for a moment instead of failing accept in a tight loop. */
static void out_of_fds(int err)
{
    if (lsn.spare >= 0) {
        close(lsn.spare);
        lsn.spare = -1;
        int fd = accept4(lsn.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            listener_refuse(fd, lsn.busy, lsn.o.busy_len);
        spare_open();
    }
    lsn.pauses++;
    uint64_t now = uv_now(lsn.o.loop);
    if (!lsn.warned_at || now - lsn.warned_at >= LISTENER_WARN_MS) {
        log_warn("accept: %s: refusing new connections for %d ms at a time until descriptors are free", strerror(err),
                 LISTENER_PAUSE_MS);
        lsn.warned_at = now;
    }
    lsn.paused = true;
    uv_poll_stop(&lsn.poll);
    uv_timer_start(&lsn.pause, on_pause_over, LISTENER_PAUSE_MS, 0);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)h;
    (void)events;
    if (status < 0)
        return;
    for (int i = 0; i < LISTENER_BATCH && lsn.live && !lsn.paused; i++) {
        int fd = accept4(lsn.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            lsn.o.on_accept(lsn.o.ud, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            out_of_fds(errno);
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            log_warn("accept: %s", strerror(errno));
        return;
    }
}

static int bind_socket(const listener_opts_t *o)
{
    struct sockaddr_storage addr;
    socklen_t alen = sizeof(struct sockaddr_in);
    memset(&addr, 0, sizeof addr);
    if (uv_ip4_addr(o->host, o->port, (struct sockaddr_in *)&addr) != 0) {
        if (uv_ip6_addr(o->host, o->port, (struct sockaddr_in6 *)&addr) != 0) {
            log_error("invalid --host %s", o->host);
            return -1;
        }
        alen = sizeof(struct sockaddr_in6);
    }
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&addr, alen) != 0 || listen(fd, LISTENER_BACKLOG) != 0) {
        log_error("cannot listen on %s:%d: %s", o->host, o->port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int listener_start(const listener_opts_t *o, int *port_out)
{
    lsn.o = *o;
    lsn.fd = bind_socket(o);
    if (lsn.fd < 0)
        return 1;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    getsockname(lsn.fd, (struct sockaddr *)&bound, &blen);
    *port_out = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
    lsn.busy = xmalloc(o->busy_len + 1);
    memcpy(lsn.busy, o->busy, o->busy_len);
    spare_open();
    uv_poll_init_socket(o->loop, &lsn.poll, lsn.fd);
    uv_timer_init(o->loop, &lsn.pause);
    lsn.live = true;
    uv_poll_start(&lsn.poll, UV_READABLE, on_poll);
    return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
    (void)h;
    close(lsn.fd);
    lsn.fd = -1;
}

void listener_stop(void)
{
    if (!lsn.live)
        return;
    lsn.live = false;
    uv_close((uv_handle_t *)&lsn.poll, on_poll_closed);
    uv_close((uv_handle_t *)&lsn.pause, NULL);
    if (lsn.spare >= 0)
        close(lsn.spare);
    lsn.spare = -1;
    free(lsn.busy);
    lsn.busy = NULL;
}
