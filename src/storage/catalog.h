/* catalog.h - table descriptions: the model, its storage, and its cache.
 *
 * A table description is stored as JSON in STORE_DB_CATALOG under
 * namespace \0 name. Parsing it on every request would cost more than the
 * request, so each thread keeps a cache of parsed tables keyed by catalog
 * key; an entry is reused only while its stored bytes are unchanged
 * (compared against the bytes in the caller's transaction), so the cache
 * can never disagree with the snapshot a request reads. */
#ifndef DDBD_CATALOG_H
#define DDBD_CATALOG_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "model/keys.h"
#include "storage/store.h"

typedef enum billing_mode { BILLING_PROVISIONED = 0, BILLING_PAY_PER_REQUEST } billing_mode_t;

/* A secondary index, parsed from the table's description (index.c keeps
 * its entries). Strings point into the table's desc. */
typedef enum index_projection { PROJ_KEYS_ONLY, PROJ_INCLUDE, PROJ_ALL } index_projection_t;

#define INDEX_KEY_ATTRS_MAX 4 /* HASH and RANGE attributes of a multi-attribute GSI key */

typedef struct table_index {
    const char *name;
    bool local; /* an LSI */
    key_schema_t ks; /* the first HASH and RANGE attribute: the whole key of a single-attribute index */
    key_attr_t hash[INDEX_KEY_ATTRS_MAX]; /* every HASH attribute, in KeySchema order */
    key_attr_t range[INDEX_KEY_ATTRS_MAX]; /* every RANGE attribute (n_range 0: none) */
    uint8_t n_hash, n_range;
    index_projection_t projection;
    str_t *include; /* NonKeyAttributes (PROJ_INCLUDE) */
    size_t n_include;
    uint16_t number; /* stable within the table, never reused: prefixes its entries */
    bool creating; /* IndexStatus CREATING: being backfilled */
} table_index_t;

/* A vector index (VectorIndexes), parsed from the description. Strings
 * point into the table's desc. */
typedef enum vector_distance { VDIST_COSINE, VDIST_EUCLIDEAN, VDIST_DOT_PRODUCT } vector_distance_t;
#define VECTOR_FILTERS_MAX 8 /* INLINE_FILTER attributes kept per index */

typedef struct vector_index {
    const char *name;
    str_t attr; /* VectorAttribute.AttributeName */
    uint32_t dims;
    vector_distance_t distance;
    key_attr_t hash; /* the SearchSchema's HASH attribute (name.len 0: none) */
    key_attr_t filters[VECTOR_FILTERS_MAX]; /* its INLINE_FILTER attributes */
    uint8_t n_filters;
    index_projection_t projection;
    str_t *include; /* NonKeyAttributes (PROJ_INCLUDE) */
    size_t n_include;
    uint16_t number; /* shares the numbering of the other indexes */
    bool creating; /* being backfilled */
} vector_index_t;

typedef struct table {
    char *ns; /* namespace: "accesskey/region", or "" with --shared-db */
    char *name;
    uint32_t id; /* unique in the environment; prefixes the table's items */
    char table_uuid[37]; /* TableId as DescribeTable shows it */
    double created; /* epoch seconds */
    key_schema_t ks;
    billing_mode_t billing;
    int64_t rcu, wcu; /* ProvisionedThroughput (0 for PAY_PER_REQUEST) */
    double billing_changed; /* LastUpdateToPayPerRequestDateTime, 0 if never */
    json_t *desc; /* the stored JSON (attribute definitions, indexes, ...) */
    table_index_t *indexes; /* LSIs then GSIs, as described */
    size_t n_indexes;
    vector_index_t *vindexes; /* VectorIndexes (not DELETING) */
    size_t n_vindexes;
    /* Writes keep the items' history (history.h): point-in-time recovery
     * is on ("ddbd_pitr") or a backup or restore is reading the table as
     * it was ("ddbd_pins" > 0). */
    bool keep_history;
    /* A restore is filling the table ("ddbd_restore"): TableStatus
     * CREATING, no item operations yet. */
    bool restoring;
} table_t;

/* The index named name, or NULL. */
const table_index_t *table_index(const table_t *t, str_t name);
/* The vector index named name, or NULL. */
const vector_index_t *table_vector_index(const table_t *t, str_t name);

/* Serializes / parses the stored form. */
void table_to_stored_json(const table_t *t, buf_t *out);
table_t *table_from_stored_json(const char *ns, const char *data, size_t len);
/* The table for a description built in memory; takes the reference to desc. */
table_t *table_from_json(const char *ns, json_t *desc);
void table_free(table_t *t);

/* The catalog key: ns \0 name. */
void catalog_key(const char *ns, str_t name, buf_t *out);

typedef struct catalog_cache catalog_cache_t;
catalog_cache_t *catalog_cache_new(void);
void catalog_cache_free(catalog_cache_t *c);

/* The table named name in ns as seen by txn, or NULL when absent (rc 0 and
 * *out NULL). Through a replica link, the home table as that namespace
 * sees it (replica_view.h): t->ns is ns, t->desc names "ddbd_home". The table_t stays valid until the cache's next lookup of the
 * same name finds it changed, so use it within the request only. */
int catalog_lookup(catalog_cache_t *c, store_txn_t *txn, const char *ns, str_t name, const table_t **out);

/* Stores t's description under t->ns / t->name. A replica's view (see
 * storage/replica_view.h) is split between its link and its home. */
int catalog_put(store_txn_t *txn, const table_t *t);
/* Makes ns/name a link to the table at home_ns/name, with the regional
 * members of regional (may be NULL). */
int catalog_put_link(store_txn_t *txn, const char *ns, str_t name, const char *home_ns, const json_t *regional);
int catalog_delete(store_txn_t *txn, const char *ns, str_t name);
int catalog_next_table_id(store_txn_t *txn, uint32_t *out);

/* Lists table names of ns in order, starting after `after` (may be empty);
 * calls fn until it returns non-zero. */
int catalog_list(store_txn_t *txn, const char *ns, str_t after, int (*fn)(void *ud, str_t name), void *ud);

/* Item count and total item bytes, kept by itemstore.c. */
typedef struct table_stats {
    uint64_t items;
    uint64_t bytes;
} table_stats_t;

int catalog_stats_get(store_txn_t *txn, uint32_t table_id, table_stats_t *out);
int catalog_stats_add(store_txn_t *txn, uint32_t table_id, int64_t items, int64_t bytes);
int catalog_stats_drop(store_txn_t *txn, uint32_t table_id);

#endif
