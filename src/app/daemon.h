/* daemon.h - ddbd as a running service: wires the layers together,
 * starts them in order, and on SIGINT/SIGTERM stops them in the reverse
 * order without losing an acknowledged write. */
#ifndef DDBD_DAEMON_H
#define DDBD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "api/seed.h"
#include "api/sigv4.h"
#include "storage/store.h"
#include "streams/trigger.h"

typedef struct daemon_opts {
    const char *host; /* "127.0.0.1" */
    int port; /* 0: any free port (printed at start) */
    bool shared_db;
    store_t *store;
    trigger_cfg_t *triggers; /* from --trigger and --triggers-file (taken over) */
    size_t ntriggers;
    const char *cors; /* --cors: "*", a comma-separated list of origins, or NULL (none) */
    const sigv4_keys_t *keys; /* --auth verify's secrets, or NULL: any signature goes */
    const seed_config_t *seeds; /* --seed (applied before daemon_run), seeded again by a reset */
    /* for GET /_ddbd/stats: where the data lives, and the command line */
    const char *data_dir;
    bool in_memory;
    int argc;
    char *const *argv;
} daemon_opts_t;

/* Runs until SIGINT or SIGTERM; then finishes in-flight writes, answers
 * them, and returns 0. Returns non-zero when it cannot start. */
int daemon_run(const daemon_opts_t *o);

#endif
