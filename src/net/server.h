/* server.h - the HTTP server: a libuv loop serving keep-alive,
 * pipelined connections. The only module that touches sockets; it knows
 * nothing of DynamoDB.
 *
 * Each request goes to the application's handler on the loop thread, in
 * arrival order per connection, each after the one before it has been
 * answered: a request pipelined behind a write sees that write, as it
 * would over separate round trips. The handler answers through its slot,
 * at once or later (from any loop callback); until it does, the
 * connection's later requests wait, and replies leave strictly in order.
 * A connection that closes while a reply is outstanding keeps its slot
 * until the reply comes, so late answers never touch freed memory. */
#ifndef DDBD_SERVER_H
#define DDBD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "base/buf.h"
#include "net/http.h"

typedef struct server_slot server_slot_t; /* one request awaiting its reply */

/* A request: hr is valid during the call only. The handler answers with
 * server_reply, now or later, exactly once. */
typedef void (*server_handler_fn)(void *ud, server_slot_t *slot, const http_request_t *hr);

typedef struct server_opts {
    uv_loop_t *loop;
    const char *host; /* "127.0.0.1" */
    int port; /* 0: any free port */
    size_t max_body; /* larger bodies are refused with 413 */
    server_handler_fn handler;
    void *ud;
    /* The reply to a body over max_body (the application's error shape). */
    void (*too_large)(buf_t *wire, bool keep_alive);
} server_opts_t;

/* Binds and listens; *port_out gets the port. Non-zero on failure, with a
 * log line saying why. */
int server_start(const server_opts_t *o, int *port_out);
/* Stops accepting connections (shutdown's first step). */
void server_stop_listening(void);
/* Closes every connection once its outstanding replies are written. */
void server_close_all(void);

/* Whether the client may send more requests on this connection after the
 * reply (the reply must say "Connection: close" otherwise). */
bool server_slot_keep_alive(const server_slot_t *s);
/* The buffer the reply's whole HTTP bytes go into (http_response_write). */
buf_t *server_slot_wire(server_slot_t *s);
/* The reply in the wire buffer is complete: send it (in order). */
void server_reply(server_slot_t *s);
/* A label for the debug log ("PutItem"); static storage. */
void server_slot_label(server_slot_t *s, const char *label);
/* fn(ud) runs when the slot is freed (after its reply is written, or when
 * its connection goes): the application releases its request state. */
void server_slot_on_free(server_slot_t *s, void (*fn)(void *ud), void *ud);

/* ---- streaming replies (server-sent events) ----------------------------
 * A handler may answer with a body sent in pieces for as long as the
 * client stays. server_stream_begin() (instead of server_reply) sends what
 * the wire buffer holds, a head written by http_response_head (no
 * Content-Length, "Connection: close"), once the replies before it have
 * left, and keeps the slot open: the connection serves no further requests
 * and reads only to notice the client leaving. server_stream_write() sends
 * more. The slot is freed, running its on_free callback, when the client
 * goes, when server_close_all() runs, when the client reads too slowly
 * (SERVER_STREAM_MAX_QUEUED bytes waiting) or after server_stream_end():
 * from that callback on the application must not use the slot. */
#define SERVER_STREAM_MAX_QUEUED (4u * 1024 * 1024)

void server_stream_begin(server_slot_t *s);
/* Queues len bytes; false when the stream is closing (the bytes are
 * dropped; on_free follows, maybe before this returns). */
bool server_stream_write(server_slot_t *s, const char *data, size_t len);
/* Bytes written but not yet taken by the client (for pacing). */
size_t server_stream_queued(const server_slot_t *s);
/* Closes the stream from the application's side (on_free follows, maybe
 * before this returns). */
void server_stream_end(server_slot_t *s);

#endif
