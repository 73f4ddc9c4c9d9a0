/* vector_cache.h - vector index partitions packed into plain memory for
 * searching, and a bounded cache of them.
 *
 * A search that walks a partition's entries in LMDB spends most of its
 * time stepping the cursor and copying each vector out of its page (the
 * scan is memory-bound, not arithmetic-bound). A pack holds the same
 * entries as contiguous arrays, so a search is one sequential pass.
 *
 * A pack is a copy of one snapshot: the cache files it under the index
 * partition's key prefix and the partition's stamp in that snapshot
 * (vector_index.c writes a new stamp in every transaction that changes the
 * partition's entries), so a reader whose snapshot has the same stamp sees
 * exactly the pack's entries, and any other reader builds its own. Stale
 * packs are replaced on the next search, or evicted, least recently used
 * first, when the cache outgrows its limit.
 *
 * Not thread-safe: one cache per thread (the loop thread's is in
 * server_env_t). */
#ifndef DDBD_VECTOR_CACHE_H
#define DDBD_VECTOR_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "model/keys.h"

/* One partition's entries in index order: entry i's vector is
 * vecs[i * dims ...], its norm norms[i], its INLINE_FILTER blocks
 * filters[i * filter_bytes ...] and its base key hash keys[i]. */
typedef struct vpack {
    uint32_t dims;
    size_t filter_bytes;
    size_t n, cap;
    float *vecs;
    float *norms;
    uint8_t *filters;
    uint8_t (*keys)[KEY_HASH_LEN];
} vpack_t;

vpack_t *vpack_new(uint32_t dims, size_t filter_bytes);
/* Empties p for entries of this shape, keeping its memory when the shape
 * is the same (fresh memory costs page faults; a partition is packed
 * again after every write to it). */
void vpack_reset(vpack_t *p, uint32_t dims, size_t filter_bytes);
void vpack_add(vpack_t *p, const void *vec, float norm, const uint8_t *filters, const uint8_t *key);
size_t vpack_bytes(const vpack_t *p);
void vpack_free(vpack_t *p);

typedef struct vcache vcache_t;

/* What the server's cache may hold: 1M vectors of 128 dimensions. */
#define VECTOR_CACHE_BYTES (600u * 1024 * 1024)

/* A cache of at most max_bytes of packs. */
vcache_t *vcache_new(size_t max_bytes);
void vcache_free(vcache_t *c);

/* The pack filed under prefix and stamp, or NULL. */
const vpack_t *vcache_find(vcache_t *c, str_t prefix, uint64_t stamp);
/* Takes the pack filed under prefix, whatever its stamp, out of the
 * cache: the caller owns it (NULL when there is none). */
vpack_t *vcache_take(vcache_t *c, str_t prefix);
/* Files p under prefix and stamp, replacing what was there, and evicts
 * the least recently used others until the cache fits. Returns false when
 * p alone is over the limit: then it is not kept and the caller frees it. */
bool vcache_put(vcache_t *c, str_t prefix, uint64_t stamp, vpack_t *p);

#endif
