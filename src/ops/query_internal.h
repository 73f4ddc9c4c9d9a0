/* ops/query_internal.h - what Query and Scan's files share: the page
 * builder (query_page.c) and the walk over an index's entries
 * (query_index.c). Private to query*.c. */
#ifndef DDBD_QUERY_INTERNAL_H
#define DDBD_QUERY_INTERNAL_H

#include "storage/index.h"
#include "ops/ops.h"

#define PAGE_MAX_BYTES (1024 * 1024)

enum { SEL_ALL_ATTRIBUTES, SEL_ALL_PROJECTED_ATTRIBUTES, SEL_SPECIFIC_ATTRIBUTES, SEL_COUNT };

typedef struct page {
    ddb_req_t *r;
    const table_t *t;
    ops_exprs_t x;
    int select;
    int64_t limit; /* 0: none */
    int capacity;
    bool consistent;
    int64_t count, scanned;
    size_t bytes;
    bool stopped; /* by Limit or size: LastEvaluatedKey follows */
    value_t last; /* the last item evaluated */
    buf_t items; /* the Items array's members */
    bool is_query;
    bool has_index; /* IndexName was given */
    const table_index_t *ix; /* its index */
    const key_schema_t *ks; /* the key schema walked: the index's or the table's */
    bool fetch; /* an LSI read that needs attributes from the table */
    store_txn_t *txn; /* for those reads */
    double table_units; /* what those reads cost */
} page_t;

/* One evaluated item. Returns 1 when the page is full, -1 on an error. */
int query_page_add(page_t *pg, const value_t *item);

/* Where a sort key value stands against the condition: -1 below the
 * range (in key order), 0 inside, 1 above. */
int query_sort_position(const key_cond_t *kc, const value_t *sk);

/* A key just past every key that starts with kb (kb incremented as a
 * big-endian number, trailing 0xff dropped). Returns false when kb is all
 * 0xff: then there is no such key and the walk starts at the very end. */
bool query_key_successor(key_buf_t *kb);

/* An index Query's key condition, resolved against pg->ix's key (one
 * attribute or several). */
int query_index_condition(page_t *pg, key_multi_t *out);
/* Whether entry (or an ExclusiveStartKey) lies in the condition's partition. */
bool query_index_same_partition(const page_t *pg, const value_t *entry, const key_multi_t *c);
/* Reads the index's entries that meet c into the page, from esk (may be
 * NULL) on, forward or backward. */
int query_index_walk(page_t *pg, store_txn_t *txn, const key_multi_t *c, bool forward, const value_t *esk);

#endif
