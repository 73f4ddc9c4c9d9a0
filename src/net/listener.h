/* listener.h - the listening socket and its accept loop (server.c's front
 * step), written for the day the process runs out of file descriptors.
 *
 * libuv's own accept loop cannot stop accepting for a while: when accept
 * fails with EMFILE it drops every waiting connection and, once its spare
 * descriptor is gone too, retries at once. Here the socket is polled
 * directly: on EMFILE/ENFILE the listener answers one waiting client
 * through a spare descriptor kept for that purpose (the busy reply), then
 * pauses accepting for LISTENER_PAUSE_MS and tries again, so the loop
 * never spins and accepting resumes by itself once descriptors are free.
 * The other waiting clients stay in the kernel's backlog meanwhile. */
#ifndef DDBD_LISTENER_H
#define DDBD_LISTENER_H

#include <stddef.h>
#include <uv.h>

#define LISTENER_PAUSE_MS 100

/* An accepted connection: fd is non-blocking and close-on-exec; the
 * callee owns it. */
typedef void (*listener_accept_cb)(void *ud, int fd);

typedef struct listener_opts {
    uv_loop_t *loop;
    const char *host; /* an IPv4 or IPv6 address */
    int port; /* 0: any free port */
    listener_accept_cb on_accept;
    void *ud;
    /* The bytes sent to a client refused for want of descriptors (a whole
     * HTTP reply); copied. */
    const char *busy;
    size_t busy_len;
} listener_opts_t;

/* Binds and listens; *port_out gets the port. Non-zero on failure, with a
 * log line saying why. */
int listener_start(const listener_opts_t *o, int *port_out);
/* Closes the listening socket (shutdown). */
void listener_stop(void);
/* Sends bytes (best effort, without blocking) and closes fd: for a client
 * turned away before it is served. */
void listener_refuse(int fd, const char *bytes, size_t len);
/* How many times accepting was paused for want of descriptors. */
unsigned long listener_emfile_pauses(void);

#endif
