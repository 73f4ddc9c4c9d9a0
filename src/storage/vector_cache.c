/* vector_cache.c - packed vector index partitions and their cache (see
 * vector_cache.h). */
#include "storage/vector_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* ---- packs -------------------------------------------------------------------------------- */

vpack_t *vpack_new(uint32_t dims, size_t filter_bytes)
{
    vpack_t *p = xcalloc(1, sizeof *p);
    p->dims = dims;
    p->filter_bytes = filter_bytes;
    return p;
}

void vpack_reset(vpack_t *p, uint32_t dims, size_t filter_bytes)
{
    p->n = 0;
    if (p->dims == dims && p->filter_bytes == filter_bytes)
        return;
    free(p->vecs);
    free(p->norms);
    free(p->filters);
    free(p->keys);
    *p = (vpack_t){.dims = dims, .filter_bytes = filter_bytes};
}

static void grow(vpack_t *p)
{
    p->cap = p->cap ? p->cap * 2 : 1024;
    p->vecs = xreallocarray(p->vecs, p->cap, (size_t)p->dims * sizeof *p->vecs);
    p->norms = xreallocarray(p->norms, p->cap, sizeof *p->norms);
    p->keys = xreallocarray(p->keys, p->cap, sizeof *p->keys);
    if (p->filter_bytes)
        p->filters = xreallocarray(p->filters, p->cap, p->filter_bytes);
}

void vpack_add(vpack_t *p, const void *vec, float norm, const uint8_t *filters, const uint8_t *key)
{
    if (p->n == p->cap)
        grow(p);
    memcpy(p->vecs + p->n * p->dims, vec, (size_t)p->dims * sizeof *p->vecs);
    p->norms[p->n] = norm;
    memcpy(p->keys[p->n], key, KEY_HASH_LEN);
    if (p->filter_bytes)
        memcpy(p->filters + p->n * p->filter_bytes, filters, p->filter_bytes);
    p->n++;
}

size_t vpack_bytes(const vpack_t *p)
{
    return sizeof *p + p->cap * ((size_t)p->dims * sizeof(float) + sizeof(float) + KEY_HASH_LEN + p->filter_bytes);
}

void vpack_free(vpack_t *p)
{
    if (!p)
        return;
    free(p->vecs);
    free(p->norms);
    free(p->filters);
    free(p->keys);
    free(p);
}

/* ---- the cache ---------------------------------------------------------------------------- */

/* A handful of partitions are searched at a time, so a list will do; it
 * holds at most MAX_SLOTS (a table with a partition per user, say, keeps
 * its most recently searched ones). */
#define MAX_SLOTS 256

typedef struct slot {
    struct slot *next;
    key_buf_t prefix;
    uint64_t stamp;
    uint64_t used; /* the cache's tick when last found or filed */
    vpack_t *pack;
} slot_t;

struct vcache {
    size_t max_bytes, bytes, n_slots;
    uint64_t tick;
    slot_t *slots;
};

vcache_t *vcache_new(size_t max_bytes)
{
    vcache_t *c = xcalloc(1, sizeof *c);
    c->max_bytes = max_bytes;
    return c;
}

/* Unlinks the slot at link and returns its pack. */
static vpack_t *unlink_slot(vcache_t *c, slot_t **link)
{
    slot_t *s = *link;
    vpack_t *p = s->pack;
    *link = s->next;
    c->bytes -= vpack_bytes(p);
    c->n_slots--;
    free(s);
    return p;
}

static void drop(vcache_t *c, slot_t **link) { vpack_free(unlink_slot(c, link)); }

void vcache_free(vcache_t *c)
{
    if (!c)
        return;
    while (c->slots)
        drop(c, &c->slots);
    free(c);
}

static slot_t **find_link(vcache_t *c, str_t prefix)
{
    slot_t **link = &c->slots;
    for (; *link; link = &(*link)->next)
        if ((*link)->prefix.len == prefix.len && memcmp((*link)->prefix.b, prefix.ptr, prefix.len) == 0)
            break;
    return link;
}

const vpack_t *vcache_find(vcache_t *c, str_t prefix, uint64_t stamp)
{
    slot_t *s = *find_link(c, prefix);
    if (!s || s->stamp != stamp)
        return NULL;
    s->used = ++c->tick;
    return s->pack;
}

vpack_t *vcache_take(vcache_t *c, str_t prefix)
{
    slot_t **link = find_link(c, prefix);
    return *link ? unlink_slot(c, link) : NULL;
}

static void evict_oldest(vcache_t *c)
{
    slot_t **oldest = &c->slots;
    for (slot_t **link = &c->slots; *link; link = &(*link)->next)
        if ((*link)->used < (*oldest)->used)
            oldest = link;
    drop(c, oldest);
}

bool vcache_put(vcache_t *c, str_t prefix, uint64_t stamp, vpack_t *p)
{
    slot_t **link = find_link(c, prefix);
    if (*link)
        drop(c, link); /* an older copy of the same partition */
    size_t bytes = vpack_bytes(p);
    if (bytes > c->max_bytes || prefix.len > KEY_LMDB_MAX)
        return false;
    while (c->slots && (c->bytes + bytes > c->max_bytes || c->n_slots >= MAX_SLOTS))
        evict_oldest(c);
    slot_t *s = xcalloc(1, sizeof *s);
    memcpy(s->prefix.b, prefix.ptr, prefix.len);
    s->prefix.len = prefix.len;
    s->stamp = stamp;
    s->used = ++c->tick;
    s->pack = p;
    s->next = c->slots;
    c->slots = s;
    c->bytes += bytes;
    c->n_slots++;
    return true;
}
