/* vector_index.h - vector index entries: their checks, upkeep and the
 * exact k-nearest-neighbour search over them.
 *
 * An entry lives in STORE_DB_INDEX, beside the secondary indexes' (same
 * table id . index number prefix, so index.c's drop and statistics work
 * for it), under
 *     table id (u32 BE) . index number (u16 BE)
 *     . hash128(the SearchSchema's HASH value; 16 zero bytes without one)
 *     . hash128(the base item's LMDB key)
 * and holds
 *     float32[dims] (the vector, host order) . float32 norm
 *     . per INLINE_FILTER attribute: u8 present . 16-byte hash of the value
 *     . u16 BE length . the base item's LMDB key
 * so a search reads one partition's key range of small values in order
 * and computes each score from the floats; only the k items it returns are
 * read, from the table in the same snapshot, and projected as the index
 * projects (entries change in the same transaction as their items, so
 * that is what a stored projection would hold). The range is read once
 * per state of the partition: searches scan a copy packed in memory
 * (vector_cache.h), found by the partition's stamp, which every change to
 * its entries renews (STORE_DB_STATS under table id . index number . 'S'
 * . partition hash). */
#ifndef DDBD_VECTOR_INDEX_H
#define DDBD_VECTOR_INDEX_H

#include "storage/itemstore.h"
#include "storage/vector_cache.h"

#define VECTOR_DIMS_MAX 4096
#define VECTOR_TOPK_MAX 100

/* Checks the vector and search schema attributes an item carries: a
 * vector is a List of exactly Dimensions Numbers (each kept as a 32-bit
 * float); HASH and INLINE_FILTER attributes have their defined types and
 * are not empty. An item without the vector attribute is fine: it is not
 * in the index. */
int vindex_check_item(const table_t *t, const value_t *item, err_t *e);

/* Keeps every vector index of t in step with a write replacing old by
 * new_item (either may be NULL); adds the vector write bytes to effect. */
int vindex_write(store_txn_t *txn, const table_t *t, const value_t *old, const value_t *new_item,
                 itemstore_effect_t *effect);
/* Adds item's entry to vi if it belongs there and has none (backfill). */
int vindex_backfill_item(store_txn_t *txn, const table_t *t, const vector_index_t *vi, const value_t *item);

/* One search: the query vector (dims floats), the HASH value (NULL when
 * the index has none), and for each INLINE_FILTER attribute the value it
 * must equal (NULL: any). */
typedef struct vindex_query {
    const float *vector;
    const value_t *hash;
    const value_t *filters[VECTOR_FILTERS_MAX];
    uint32_t top_k;
} vindex_query_t;

typedef struct vindex_hit {
    double score;
    value_t item; /* the projected entry, decoded into the caller's arena */
} vindex_hit_t;

/* The top_k entries best for the index's distance function, best first;
 * equal scores in entry key order (the base key's hash), so the answer is
 * always the same. hits has room for q->top_k. The scan runs over the
 * partition packed in memory, kept in cache for the next search of the
 * same state (cache may be NULL: packed for this search only). */
int vindex_search(store_txn_t *txn, vcache_t *cache, arena_t *a, const table_t *t, const vector_index_t *vi,
                  const vindex_query_t *q, vindex_hit_t *hits, size_t *n_hits);

/* The score of two vectors as vi's distance function defines it:
 * COSINE 1 - cos (0 identical .. 2 opposite; 1 when either is all zero),
 * EUCLIDEAN the Euclidean distance, DOT_PRODUCT the dot product. */
double vindex_score(vector_distance_t d, const float *a, const float *b, uint32_t dims, double norm_a, double norm_b);

/* Whether ix's entries carry the top-level attribute name. */
bool vindex_projects(const table_t *t, const vector_index_t *vi, str_t name);

#endif
