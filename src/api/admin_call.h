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

/* Who may use the admin endpoints, and where run-time settings may point
 * (admin.c's admin_access, admin_triggers.c). */
typedef struct admin_access {
    const char *token; /* --admin-token: then every call must carry it; NULL: none set */
    bool off; /* --no-admin: /_ddbd/ does not exist (404) */
    bool exposed; /* ddbd listens beyond loopback: no token set means no admin */
    const char *trigger_dir; /* --trigger-dir: run-time on-failure files only inside it; NULL: none */
    bool any_trigger_target; /* --allow-any-trigger-target: no limit on URLs or files */
} admin_access_t;

/* What handlers can reach: fixed after start-up. */
typedef struct admin_env {
    store_t *store; /* store_read_begin for reads */
    writer_t *writer; /* writer_submit_job for writes */
    const server_env_t *server; /* loop_catalog, account_id, shared_db */
    uv_loop_t *loop; /* for timers */
    admin_access_t access;
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
