/* test_vector_cache.c - storage/vector_cache.c: packs keep their entries in
 * order and reuse their memory; the cache finds a pack only by its
 * partition and stamp, and stays within its byte and partition limits,
 * least recently used out first. */
#include <stdlib.h>

#include "check.h"
#include "storage/vector_cache.h"

static str_t S(const char *s) { return (str_t){s, strlen(s)}; }

/* A pack of n entries of 4 dimensions: entry i is (i, i, i, i). */
static vpack_t *pack_of(size_t n)
{
    vpack_t *p = vpack_new(4, 2);
    for (size_t i = 0; i < n; i++) {
        float v[4] = {(float)i, (float)i, (float)i, (float)i};
        uint8_t filters[2] = {(uint8_t)i, 1}, key[KEY_HASH_LEN] = {(uint8_t)i};
        vpack_add(p, v, (float)i * 2, filters, key);
    }
    return p;
}

static void test_pack(void)
{
    vpack_t *p = pack_of(3000); /* grows past its first capacity */
    CHECK(p->n == 3000 && p->cap >= 3000);
    CHECK(p->vecs[2999 * 4 + 3] == 2999.0f && p->norms[1234] == 2468.0f);
    CHECK(p->keys[17][0] == 17 && p->filters[17 * 2] == 17 && p->filters[17 * 2 + 1] == 1);
    float *mem = p->vecs;
    size_t cap = p->cap;
    vpack_reset(p, 4, 2); /* the same shape: the memory stays */
    CHECK(p->n == 0 && p->vecs == mem && p->cap == cap);
    vpack_reset(p, 8, 0); /* another shape: starts afresh */
    CHECK(p->n == 0 && p->cap == 0 && p->dims == 8 && p->filter_bytes == 0);
    float v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t key[KEY_HASH_LEN] = {9};
    vpack_add(p, v, 1, NULL, key);
    CHECK(p->n == 1 && p->vecs[7] == 8.0f && p->filters == NULL);
    vpack_free(p);
}

static void test_cache(void)
{
    vpack_t *probe = pack_of(1000);
    size_t one = vpack_bytes(probe);
    vpack_free(probe);
    vcache_t *c = vcache_new(2 * one + one / 2); /* room for two */

    vpack_t *a = pack_of(1000), *b = pack_of(1000), *d = pack_of(1000);
    CHECK(vcache_put(c, S("part-a"), 7, a));
    CHECK(vcache_find(c, S("part-a"), 7) == a);
    CHECK(vcache_find(c, S("part-a"), 8) == NULL); /* another state */
    CHECK(vcache_find(c, S("part-"), 7) == NULL && vcache_find(c, S("part-ab"), 7) == NULL);
    CHECK(vcache_put(c, S("part-b"), 1, b));
    CHECK(vcache_find(c, S("part-a"), 7) == a); /* a used last: b is the oldest now */
    CHECK(vcache_put(c, S("part-d"), 1, d)); /* no room for three: b goes */
    CHECK(vcache_find(c, S("part-b"), 1) == NULL);
    CHECK(vcache_find(c, S("part-a"), 7) == a && vcache_find(c, S("part-d"), 1) == d);

    /* take: the caller owns it, whatever its stamp; put back under a new one */
    vpack_t *t = vcache_take(c, S("part-a"));
    CHECK(t == a && vcache_find(c, S("part-a"), 7) == NULL && vcache_take(c, S("part-a")) == NULL);
    CHECK(vcache_put(c, S("part-a"), 9, t));
    CHECK(vcache_find(c, S("part-a"), 9) == a);

    /* a new state of a filed partition replaces the old one */
    vpack_t *a2 = pack_of(10);
    CHECK(vcache_put(c, S("part-a"), 10, a2));
    CHECK(vcache_find(c, S("part-a"), 10) == a2 && vcache_find(c, S("part-a"), 9) == NULL);

    /* one pack over the limit is not kept: the caller frees it */
    vpack_t *big = pack_of(4000);
    CHECK(!vcache_put(c, S("part-big"), 1, big));
    CHECK(vcache_find(c, S("part-big"), 1) == NULL);
    vpack_free(big);
    vcache_free(c);

    /* at most 256 partitions, however small: the least recently used go */
    c = vcache_new(1u << 30);
    for (int i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        CHECK(vcache_put(c, S(name), 1, pack_of(1)));
    }
    CHECK(vcache_find(c, S("p0"), 1) == NULL && vcache_find(c, S("p43"), 1) == NULL);
    CHECK(vcache_find(c, S("p44"), 1) != NULL && vcache_find(c, S("p299"), 1) != NULL);
    vcache_free(c); /* frees what it holds (LeakSanitizer checks under ASan) */
}

int main(void)
{
    RUN(test_pack);
    RUN(test_cache);
    return check_done();
}
