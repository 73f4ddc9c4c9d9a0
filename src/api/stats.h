/* stats.h - what ddbd has been doing, for GET /_ddbd/stats (the console's
 * server view): version, flags, data directory size, uptime, requests and
 * errors by operation, the last errors.
 *
 * Counting is cheap: the front door (service.c) calls stats_count once per
 * DynamoDB reply, on the loop thread; it is a lookup in a small table of
 * operation names and two increments. */
#ifndef DDBD_STATS_H
#define DDBD_STATS_H

#include <stdbool.h>

#include "api/admin_call.h"
#include "base/err.h"

#define STATS_RECENT_ERRORS 20 /* kept for the console's "recent errors" */

/* How ddbd was started (copied; set once at start-up). */
typedef struct stats_info {
    const char *host;
    int port;
    const char *data_dir;
    bool in_memory, shared_db, verify;
    const char *cors; /* NULL: none */
    int argc;
    char *const *argv; /* the command line as given (argv[0] skipped) */
} stats_info_t;

void stats_set_info(const stats_info_t *info);
/* One DynamoDB reply: op is the operation's static name (NULL when the
 * request never reached one); e the error it failed with, or NULL. */
void stats_count(const char *op, const err_t *e);
/* GET /_ddbd/stats (an admin route). */
void stats_admin(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);
/* Frees the copies stats_set_info made (at exit). */
void stats_free(void);

#endif
