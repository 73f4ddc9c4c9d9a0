/* admin_call.h - one call to a /_ddbd/ endpoint and its reply: what every
 * endpoint family (admin_clock.c, admin_triggers.c, ...) uses.
 *
 * A handler answers exactly once with admin_reply(), either before it
 * returns or later from any loop-thread callback (e.g. a writer job's done
 * callback): the connection keeps the call's slot (and later pipelined
 * requests wait behind it) until then.
 *
 * Bodies are JSON: handlers answer with a status and a JSON body; errors
 * use {"error": "..."} with 400 (bad input), 404 (no such route) or 405
 * (method not allowed). */
#ifndef DDBD_ADMIN_CALL_H
#define DDBD_ADMIN_CALL_H

#include <stdbool.h>
#include <uv.h>

#include "base/str.h"
#include "ops/request.h"
#include "storage/writer.h"

/* What handlers can reach: fixed after start-up. */
typedef struct admin_env {
    store_t *store; /* store_read_begin for reads */
    writer_t *writer; /* writer_submit_job for writes */
    const server_env_t *server; /* loop_catalog, account_id, shared_db */
    uv_loop_t *loop; /* for timers */
    const struct seed_config *seeds; /* --seed (seed.h), or NULL: what a reset seeds again */
} admin_env_t;

typedef struct admin_call admin_call_t; /* one request; complete it exactly once */

/* method "GET"/"POST"/..., path without the query string, query after '?'
 * (empty when none), body (may be empty). All valid until admin_reply. */
typedef void (*admin_handler_fn)(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

/* Loop thread. json_body is copied. Frees the call. */
void admin_reply(admin_call_t *call, int status, str_t json_body);
/* Convenience: {"error": msg} with status. */
void admin_reply_error(admin_call_t *call, int status, const char *msg);
const admin_env_t *admin_call_env(const admin_call_t *call);

/* ---- for the router (admin.c) ---- */

/* The reply sink: the front door's slot gets status and body (loop thread). */
typedef void (*admin_done_cb)(void *ud, int status, str_t json_body);

/* A call with copies of method, target (path and query) and body. */
admin_call_t *admin_call_new(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done,
                             void *ud);
const char *admin_call_method(const admin_call_t *call);
str_t admin_call_target(const admin_call_t *call);
str_t admin_call_body(const admin_call_t *call);

#endif
