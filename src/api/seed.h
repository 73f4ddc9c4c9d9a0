/* seed.h - seed and load files applied to a namespace: their tables
 * created and their items put through the operations themselves
 * (inproc.h), in the caller's write transaction, so a bad file is refused
 * with DynamoDB's own message and the caller's abort leaves nothing
 * behind (--seed refuses to start; ddbd load changes nothing). */
#ifndef DDBD_SEED_H
#define DDBD_SEED_H

#include "api/inproc.h"
#include "api/seed_file.h"

typedef enum seed_mode {
    /* --seed: a table that exists already is left as it is, items
     * included, so seeding a persistent data dir twice changes nothing */
    SEED_CREATE,
    /* ddbd load: tables that exist keep their definition and get the
     * items (PutItem: an item with the same key is replaced) */
    SEED_LOAD,
} seed_mode_t;

/* A server's --seed: the files read at start, kept to seed again after
 * POST /_ddbd/reset, and the namespace they go to. */
typedef struct seed_config {
    seed_set_t set;
    const char *ns; /* "" with --shared-db */
} seed_config_t;

typedef struct seed_counts {
    size_t created, kept, items;
} seed_counts_t;

/* Creates s's tables (CreateTable, then UpdateTimeToLive for their
 * TimeToLiveSpecification) and puts their items, in ip's namespace and
 * transaction. Returns 0, -1 with "FILE:LINE: PutItem: ValidationException:
 * <message>" in why, or a STORE_ERR_*; on failure the transaction holds a
 * part of the work: abort it. */
int seed_apply(const inproc_t *ip, const seed_set_t *s, seed_mode_t mode, seed_counts_t *out, char *why,
               size_t why_len);

#endif
