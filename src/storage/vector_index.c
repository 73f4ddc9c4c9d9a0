/* vector_index.c - vector index entries and exact k-NN search (see
 * vector_index.h). Messages for bad vectors are ddbd's: AWS documents that
 * such writes are rejected, not its words. */
#include "storage/vector_index.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"

#define MSG_INVALID "One or more parameter values were invalid: "
#define FILTER_BYTES (1 + KEY_HASH_LEN)

/* ---- checks ------------------------------------------------------------------------------- */

/* A number as the 32-bit float the index keeps; false when it has none. */
static bool to_float(const value_t *v, float *out)
{
    char buf[64];
    if (v->type != VT_N || v->s.len >= sizeof buf)
        return false;
    memcpy(buf, v->s.ptr, v->s.len);
    buf[v->s.len] = 0;
    double d = strtod(buf, NULL);
    float f = (float)d;
    if (!isfinite(f))
        return false;
    *out = f;
    return true;
}

static int check_vector(const vector_index_t *vi, const value_t *v, err_t *e)
{
    if (v->type != VT_L)
        return err_set(e, ERR_VALIDATION,
                       MSG_INVALID "Type mismatch for vector attribute %.*s of vector index %s: expected a List of "
                                   "Numbers, actual: %s",
                       STR_FMT(vi->attr), vi->name, vtype_name(v->type));
    if (v->l.n != vi->dims)
        return err_set(e, ERR_VALIDATION,
                       MSG_INVALID "Vector attribute %.*s has %zu dimensions; vector index %s requires %u",
                       STR_FMT(vi->attr), v->l.n, vi->name, vi->dims);
    for (size_t i = 0; i < v->l.n; i++) {
        float f;
        if (!to_float(&v->l.v[i], &f))
            return err_set(e, ERR_VALIDATION,
                           MSG_INVALID "Element %zu of vector attribute %.*s is not a Number that fits a 32-bit float",
                           i, STR_FMT(vi->attr));
    }
    return 0;
}

static int check_schema_attr(const vector_index_t *vi, const key_attr_t *ka, const value_t *item, err_t *e)
{
    const value_t *v = ka->name.len ? item_get(item, ka->name) : NULL;
    if (!v)
        return 0;
    if (v->type != ka->type)
        return err_set(e, ERR_VALIDATION,
                       MSG_INVALID "Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
                       STR_FMT(ka->name), vtype_name(ka->type), vtype_name(v->type), vi->name);
    if (v->type != VT_N && v->s.len == 0)
        return err_set(e, ERR_VALIDATION,
                       "One or more parameter values are not valid. A value specified for a secondary index key is "
                       "not supported. The AttributeValue for a key attribute cannot contain an empty %s value. "
                       "IndexName: %s, IndexKey: %.*s",
                       v->type == VT_S ? "string" : "binary", vi->name, STR_FMT(ka->name));
    return 0;
}

int vindex_check_item(const table_t *t, const value_t *item, err_t *e)
{
    for (size_t i = 0; i < t->n_vindexes; i++) {
        const vector_index_t *vi = &t->vindexes[i];
        const value_t *v = item_get(item, vi->attr);
        if (v && check_vector(vi, v, e))
            return -1;
        if (check_schema_attr(vi, &vi->hash, item, e))
            return -1;
        for (size_t f = 0; f < vi->n_filters; f++)
            if (check_schema_attr(vi, &vi->filters[f], item, e))
                return -1;
    }
    return 0;
}

/* ---- entries ------------------------------------------------------------------------------ */

static bool in_index(const vector_index_t *vi, const value_t *item)
{
    const value_t *v = item_get(item, vi->attr);
    if (!v || v->type != VT_L || v->l.n != vi->dims)
        return false;
    if (!vi->hash.name.len)
        return true;
    const value_t *h = item_get(item, vi->hash.name);
    return h && h->type == vi->hash.type;
}

static str_t kstr(const key_buf_t *k) { return (str_t){(const char *)k->b, k->len}; }

static void partition_key(const table_t *t, const vector_index_t *vi, const value_t *hash, key_buf_t *out)
{
    key_encode_table(t->id, out);
    uint8_t n[2];
    n[0] = (uint8_t)(vi->number >> 8);
    n[1] = (uint8_t)vi->number;
    key_append_bytes(out, n, 2);
    if (!hash) {
        static const uint8_t zero[KEY_HASH_LEN];
        key_append_bytes(out, zero, sizeof zero);
        return;
    }
    key_buf_t item_prefix; /* keys.c's typed hash of one value */
    key_encode_partition(t->id, hash, &item_prefix);
    key_append_bytes(out, item_prefix.b + 4, KEY_HASH_LEN);
}

static void entry_key(const table_t *t, const vector_index_t *vi, const value_t *item, key_buf_t *out)
{
    partition_key(t, vi, vi->hash.name.len ? item_get(item, vi->hash.name) : NULL, out);
    key_buf_t base;
    key_encode(t->id, &t->ks, item, &base);
    key_append_hash(out, base.b, base.len);
}

static value_t with_attr(arena_t *a, value_t m, const value_t *item, str_t name)
{
    const value_t *v = name.len ? item_get(item, name) : NULL;
    return v && !item_get(&m, name) ? item_with(a, &m, name, v) : m;
}

/* The attributes an entry carries: the table key, the vector, the search
 * schema's attributes and the projection. */
static value_t project(arena_t *a, const table_t *t, const vector_index_t *vi, const value_t *item)
{
    if (vi->projection == PROJ_ALL)
        return *item;
    value_t m = {.type = VT_M};
    m = with_attr(a, m, item, t->ks.hash.name);
    m = with_attr(a, m, item, t->ks.range.name);
    m = with_attr(a, m, item, vi->attr);
    m = with_attr(a, m, item, vi->hash.name);
    for (size_t i = 0; i < vi->n_filters; i++)
        m = with_attr(a, m, item, vi->filters[i].name);
    for (size_t i = 0; i < vi->n_include; i++)
        m = with_attr(a, m, item, vi->include[i]);
    return m;
}

bool vindex_projects(const table_t *t, const vector_index_t *vi, str_t name)
{
    if (vi->projection == PROJ_ALL || str_eq(name, t->ks.hash.name) || str_eq(name, t->ks.range.name) ||
        str_eq(name, vi->attr) || str_eq(name, vi->hash.name))
        return true;
    for (size_t i = 0; i < vi->n_filters; i++)
        if (str_eq(name, vi->filters[i].name))
            return true;
    for (size_t i = 0; i < vi->n_include; i++)
        if (str_eq(name, vi->include[i]))
            return true;
    return false;
}

static void value_hash(const value_t *v, uint8_t out[KEY_HASH_LEN])
{
    key_buf_t kb;
    key_encode_partition(0, v, &kb);
    memcpy(out, kb.b + 4, KEY_HASH_LEN);
}

static void encode_entry(const table_t *t, const vector_index_t *vi, const value_t *item, buf_t *out)
{
    const value_t *v = item_get(item, vi->attr);
    double norm = 0;
    for (uint32_t i = 0; i < vi->dims; i++) {
        float f = 0;
        to_float(&v->l.v[i], &f);
        norm += (double)f * f;
        buf_append(out, &f, sizeof f);
    }
    float nf = (float)sqrt(norm);
    buf_append(out, &nf, sizeof nf);
    for (size_t i = 0; i < vi->n_filters; i++) {
        uint8_t block[FILTER_BYTES] = {0};
        const value_t *fv = item_get(item, vi->filters[i].name);
        if (fv && fv->type == vi->filters[i].type) {
            block[0] = 1;
            value_hash(fv, block + 1);
        }
        buf_append(out, block, sizeof block);
    }
    key_buf_t base;
    key_encode(t->id, &t->ks, item, &base);
    uint8_t len[2] = {(uint8_t)(base.len >> 8), (uint8_t)base.len};
    buf_append(out, len, 2);
    buf_append(out, base.b, base.len);
}

static size_t header_bytes(const vector_index_t *vi)
{
    return (size_t)vi->dims * sizeof(float) + sizeof(float) + vi->n_filters * FILTER_BYTES;
}

/* ---- statistics (STORE_DB_STATS under table id . index number, as index.c) ---- */

static int stats_add(store_txn_t *txn, const table_t *t, const vector_index_t *vi, int64_t items, int64_t bytes)
{
    key_buf_t kb;
    key_encode_table(t->id, &kb);
    uint8_t n[2] = {(uint8_t)(vi->number >> 8), (uint8_t)vi->number};
    key_append_bytes(&kb, n, 2);
    table_stats_t s = {0};
    str_t cur;
    int rc = store_get(txn, STORE_DB_STATS, kstr(&kb), &cur);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    if (rc == 0 && cur.len == sizeof s)
        memcpy(&s, cur.ptr, sizeof s);
    s.items = (uint64_t)((int64_t)s.items + items);
    s.bytes = (uint64_t)((int64_t)s.bytes + bytes);
    return store_put(txn, STORE_DB_STATS, kstr(&kb), (str_t){(const char *)&s, sizeof s});
}

/* ---- stamps (STORE_DB_STATS under table id . index number . 'S' . partition hash) ----
 * Every transaction that changes a partition's entries gives it a new
 * stamp, so a stamp names one state of the partition: a search finds its
 * snapshot's packed copy by it (vector_cache.h). Stamps are never reused
 * by this process and start at a random number, so a data directory or
 * snapshot written by another process does not reuse them either. The keys
 * lie under the index's statistics key, so index_drop removes them too. */

/* The stamp key of the partition that starts the entry key k (a partition
 * key, or a whole entry key with the item's hash after it). */
static str_t stamp_key(const key_buf_t *k, size_t partition_len, key_buf_t *kb)
{
    size_t head = partition_len - KEY_HASH_LEN; /* table id . index number */
    memcpy(kb->b, k->b, head);
    kb->b[head] = 'S';
    memcpy(kb->b + head + 1, k->b + head, KEY_HASH_LEN);
    kb->len = partition_len + 1;
    return kstr(kb);
}

static uint64_t next_stamp(void)
{
    static _Atomic uint64_t last;
    uint64_t cur = atomic_load(&last);
    if (cur == 0) {
        uint64_t seed;
        rand_bytes(&seed, sizeof seed);
        atomic_compare_exchange_strong(&last, &cur, seed >> 1); /* leaves room to count up */
    }
    return atomic_fetch_add(&last, 1) + 1;
}

/* A new stamp for the partition of the entry whose key is entry. */
static int stamp_bump(store_txn_t *txn, const key_buf_t *entry)
{
    key_buf_t kb;
    uint64_t s = next_stamp();
    return store_put(txn, STORE_DB_STATS, stamp_key(entry, entry->len - KEY_HASH_LEN, &kb),
                     (str_t){(const char *)&s, sizeof s});
}

/* The partition's stamp in txn's snapshot; 0 before its first entry. */
static int stamp_read(store_txn_t *txn, const key_buf_t *partition, uint64_t *out)
{
    key_buf_t kb;
    str_t v;
    *out = 0;
    int rc = store_get(txn, STORE_DB_STATS, stamp_key(partition, partition->len, &kb), &v);
    if (rc == 0 && v.len == sizeof *out)
        memcpy(out, v.ptr, sizeof *out);
    return rc < 0 ? rc : 0;
}

/* An entry's size as ItemCount/IndexSizeBytes and the write bytes count
 * it: the 32-bit vector plus the projected attributes. */
static size_t entry_size(const vector_index_t *vi, const value_t *projected)
{
    return (size_t)vi->dims * sizeof(float) + item_size(projected);
}

static void effect_add(itemstore_effect_t *effect, const vector_index_t *vi, size_t bytes)
{
    if (!effect)
        return;
    double kb = ceil((double)bytes / 1024.0) * 1024.0; /* 1 KB steps, as other writes */
    for (int i = 0; i < effect->n_index; i++)
        if (effect->index[i].vector && strcmp(effect->index[i].name, vi->name) == 0) {
            effect->index[i].write_units += kb;
            return;
        }
    if (effect->n_index < ITEMSTORE_MAX_INDEXES)
        effect->index[effect->n_index++] = (itemstore_index_units_t){vi->name, false, kb, true};
}

static int put_entry(store_txn_t *txn, arena_t *a, const table_t *t, const vector_index_t *vi, const value_t *item,
                     const key_buf_t *k, int64_t count)
{
    value_t p = project(a, t, vi, item);
    buf_t enc = BUF_INIT;
    encode_entry(t, vi, item, &enc);
    int rc = store_put(txn, STORE_DB_INDEX, kstr(k), (str_t){enc.data, enc.len});
    buf_free(&enc);
    return rc ? rc : stats_add(txn, t, vi, count, (int64_t)entry_size(vi, &p));
}

/* Removes old's entry, with its statistics. */
static int del_entry(store_txn_t *txn, arena_t *a, const table_t *t, const vector_index_t *vi, const value_t *old,
                     const key_buf_t *k)
{
    int rc = store_del(txn, STORE_DB_INDEX, kstr(k));
    if (rc == STORE_NOTFOUND)
        return 0; /* not backfilled yet */
    value_t p = project(a, t, vi, old);
    return rc ? rc : stats_add(txn, t, vi, -1, -(int64_t)entry_size(vi, &p));
}

static int write_one(store_txn_t *txn, arena_t *a, const table_t *t, const vector_index_t *vi, const value_t *old,
                     const value_t *new_item, itemstore_effect_t *effect)
{
    bool in_old = old && in_index(vi, old), in_new = new_item && in_index(vi, new_item);
    if (!in_old && !in_new)
        return 0;
    if (in_old && in_new) {
        value_t po = project(a, t, vi, old), pn = project(a, t, vi, new_item);
        const value_t *vo = item_get(old, vi->attr), *vn = item_get(new_item, vi->attr);
        if (value_equal(&po, &pn) && value_equal(vo, vn))
            return 0; /* the entry would not change: no write, no charge */
    }
    key_buf_t k;
    int rc = 0;
    if (in_old) {
        entry_key(t, vi, old, &k);
        rc = del_entry(txn, a, t, vi, old, &k);
        if (!rc)
            rc = stamp_bump(txn, &k);
    }
    if (!rc && in_new) {
        entry_key(t, vi, new_item, &k);
        rc = put_entry(txn, a, t, vi, new_item, &k, 1);
        if (!rc)
            rc = stamp_bump(txn, &k);
        value_t p = project(a, t, vi, new_item);
        effect_add(effect, vi, entry_size(vi, &p));
    } else if (!rc) {
        effect_add(effect, vi, (size_t)vi->dims * sizeof(float));
    }
    return rc;
}

int vindex_write(store_txn_t *txn, const table_t *t, const value_t *old, const value_t *new_item,
                 itemstore_effect_t *effect)
{
    if (!t->n_vindexes)
        return 0;
    arena_t a;
    arena_init(&a);
    int rc = 0;
    for (size_t i = 0; i < t->n_vindexes && !rc; i++)
        rc = write_one(txn, &a, t, &t->vindexes[i], old, new_item, effect);
    arena_free(&a);
    return rc;
}

int vindex_backfill_item(store_txn_t *txn, const table_t *t, const vector_index_t *vi, const value_t *item)
{
    err_t e;
    err_clear(&e);
    const value_t *v = item_get(item, vi->attr);
    if (!in_index(vi, item) || check_vector(vi, v, &e) || check_schema_attr(vi, &vi->hash, item, &e))
        return 0; /* an item the index cannot hold is skipped, as GSI backfills skip bad keys */
    key_buf_t k;
    entry_key(t, vi, item, &k);
    str_t cur;
    int rc = store_get(txn, STORE_DB_INDEX, kstr(&k), &cur);
    if (rc != STORE_NOTFOUND)
        return rc < 0 ? rc : 0; /* a write since the index was created made it */
    arena_t a;
    arena_init(&a);
    rc = put_entry(txn, &a, t, vi, item, &k, 1);
    arena_free(&a);
    return rc ? rc : stamp_bump(txn, &k);
}

/* ---- search ------------------------------------------------------------------------------- */

/* Four independent sums so the loop pipelines; the order of additions is
 * fixed, so a score never depends on anything but the two vectors. */
static double dot(const float *a, const float *b, uint32_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)a[i] * b[i];
        s1 += (double)a[i + 1] * b[i + 1];
        s2 += (double)a[i + 2] * b[i + 2];
        s3 += (double)a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += (double)a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static double sq_dist(const float *a, const float *b, uint32_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double d0 = (double)a[i] - b[i], d1 = (double)a[i + 1] - b[i + 1];
        double d2 = (double)a[i + 2] - b[i + 2], d3 = (double)a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; i++) {
        double d = (double)a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

double vindex_score(vector_distance_t d, const float *a, const float *b, uint32_t dims, double norm_a, double norm_b)
{
    switch (d) {
    case VDIST_EUCLIDEAN: return sqrt(sq_dist(a, b, dims));
    case VDIST_DOT_PRODUCT: return dot(a, b, dims);
    case VDIST_COSINE: break;
    }
    if (norm_a == 0 || norm_b == 0)
        return 1.0;
    return 1.0 - dot(a, b, dims) / (norm_a * norm_b);
}

/* A candidate kept while scanning: its score and where its entry is. */
typedef struct cand {
    double rank; /* lower is better: the score, negated for DOT_PRODUCT */
    uint8_t key[KEY_HASH_LEN]; /* the base key hash: ties in entry order */
} cand_t;

static int cand_cmp(const cand_t *a, const cand_t *b)
{
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return memcmp(a->key, b->key, KEY_HASH_LEN);
}

static int cand_order(const void *a, const void *b) { return cand_cmp(a, b); }

/* A max-heap of the best k so far (its root the worst of them). */
static void heap_sift_down(cand_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cand_cmp(&h[l], &h[m]) > 0)
            m = l;
        if (r < n && cand_cmp(&h[r], &h[m]) > 0)
            m = r;
        if (m == i)
            return;
        cand_t tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

static void heap_offer(cand_t *h, size_t *n, size_t k, const cand_t *c)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = *c;
        while (i && cand_cmp(&h[(i - 1) / 2], &h[i]) < 0) {
            cand_t tmp = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
        return;
    }
    if (cand_cmp(c, &h[0]) >= 0)
        return;
    h[0] = *c;
    heap_sift_down(h, *n, 0);
}

typedef struct scan {
    const vector_index_t *vi;
    const vindex_query_t *q;
    double qnorm;
    uint8_t filter[VECTOR_FILTERS_MAX][KEY_HASH_LEN];
} scan_t;

static bool filters_match(const scan_t *s, const uint8_t *blocks)
{
    for (size_t i = 0; i < s->vi->n_filters; i++) {
        if (!s->q->filters[i])
            continue;
        const uint8_t *b = blocks + i * FILTER_BYTES;
        if (!b[0] || memcmp(b + 1, s->filter[i], KEY_HASH_LEN) != 0)
            return false;
    }
    return true;
}

/* Packs the partition's entries, as txn sees them, into p. */
static int pack_partition(store_txn_t *txn, const vector_index_t *vi, const key_buf_t *prefix, vpack_t *p)
{
    size_t vbytes = (size_t)vi->dims * sizeof(float);
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, STORE_DB_INDEX, &cur);
    if (rc == 0) {
        str_t k, v;
        for (rc = store_cursor_seek(cur, kstr(prefix), &k, &v); rc == 0; rc = store_cursor_next(cur, &k, &v)) {
            if (k.len != prefix->len + KEY_HASH_LEN || memcmp(k.ptr, prefix->b, prefix->len) != 0)
                break; /* past the partition */
            if (v.len < header_bytes(vi))
                continue;
            float norm;
            memcpy(&norm, v.ptr + vbytes, sizeof norm); /* LMDB values need not be aligned */
            vpack_add(p, v.ptr, norm, (const uint8_t *)v.ptr + vbytes + sizeof norm,
                      (const uint8_t *)k.ptr + prefix->len);
        }
        store_cursor_close(cur);
    }
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Offers every entry of p that passes the filters to the heap. */
static void scan_pack(const scan_t *s, const vpack_t *p, cand_t *heap, size_t *n)
{
    const vector_index_t *vi = s->vi;
    for (size_t i = 0; i < p->n; i++) {
        if (vi->n_filters && !filters_match(s, p->filters + i * p->filter_bytes))
            continue;
        double score = vindex_score(vi->distance, s->q->vector, p->vecs + i * p->dims, vi->dims, s->qnorm, p->norms[i]);
        cand_t c = {vi->distance == VDIST_DOT_PRODUCT ? -score : score, {0}};
        memcpy(c.key, p->keys[i], KEY_HASH_LEN);
        heap_offer(heap, n, s->q->top_k, &c);
    }
}

/* The items of the best entries, read from the table in the same
 * snapshot and projected as the index projects them. */
static int fetch_hits(store_txn_t *txn, arena_t *a, const table_t *t, const key_buf_t *prefix, const scan_t *s,
                      const cand_t *heap, size_t n, vindex_hit_t *hits)
{
    size_t head = header_bytes(s->vi);
    for (size_t i = 0; i < n; i++) {
        key_buf_t k = *prefix;
        key_append_bytes(&k, heap[i].key, KEY_HASH_LEN);
        str_t v, item;
        int rc = store_get(txn, STORE_DB_INDEX, kstr(&k), &v);
        if (rc)
            return rc == STORE_NOTFOUND ? STORE_ERR_IO : rc;
        size_t blen = v.len >= head + 2 ? ((size_t)(uint8_t)v.ptr[head] << 8) | (uint8_t)v.ptr[head + 1] : 0;
        if (!blen || v.len != head + 2 + blen)
            return STORE_ERR_IO;
        rc = store_get(txn, STORE_DB_ITEMS, (str_t){v.ptr + head + 2, blen}, &item);
        value_t whole;
        if (rc || value_decode(a, (const uint8_t *)item.ptr, item.len, &whole))
            return rc && rc != STORE_NOTFOUND ? rc : STORE_ERR_IO;
        hits[i].item = project(a, t, s->vi, &whole);
        hits[i].score = s->vi->distance == VDIST_DOT_PRODUCT ? -heap[i].rank : heap[i].rank;
    }
    return 0;
}

/* The packed partition for txn's snapshot: from the cache when it has
 * that state (*owned NULL), else packed now (into the memory of an older
 * state's pack when there is one) and filed in the cache, or handed to the
 * caller to free (*owned) when there is no cache or no room. */
static int find_pack(store_txn_t *txn, vcache_t *cache, const vector_index_t *vi, const key_buf_t *prefix,
                     const vpack_t **pack, vpack_t **owned)
{
    *owned = NULL;
    uint64_t stamp;
    int rc = stamp_read(txn, prefix, &stamp);
    if (rc)
        return rc;
    *pack = cache ? vcache_find(cache, kstr(prefix), stamp) : NULL;
    if (*pack)
        return 0;
    size_t filter_bytes = vi->n_filters * FILTER_BYTES;
    vpack_t *p = cache ? vcache_take(cache, kstr(prefix)) : NULL;
    if (p)
        vpack_reset(p, vi->dims, filter_bytes);
    else
        p = vpack_new(vi->dims, filter_bytes);
    rc = pack_partition(txn, vi, prefix, p);
    if (rc || !cache || !vcache_put(cache, kstr(prefix), stamp, p))
        *owned = p;
    *pack = p;
    return rc;
}

int vindex_search(store_txn_t *txn, vcache_t *cache, arena_t *a, const table_t *t, const vector_index_t *vi,
                  const vindex_query_t *q, vindex_hit_t *hits, size_t *n_hits)
{
    *n_hits = 0;
    scan_t s = {.vi = vi, .q = q, .qnorm = sqrt(dot(q->vector, q->vector, vi->dims))};
    for (size_t i = 0; i < vi->n_filters; i++)
        if (q->filters[i])
            value_hash(q->filters[i], s.filter[i]);
    key_buf_t prefix;
    partition_key(t, vi, q->hash, &prefix);
    const vpack_t *pack;
    vpack_t *owned;
    int rc = find_pack(txn, cache, vi, &prefix, &pack, &owned);
    if (rc) {
        vpack_free(owned);
        return rc;
    }
    cand_t heap[VECTOR_TOPK_MAX];
    size_t n = 0;
    scan_pack(&s, pack, heap, &n);
    vpack_free(owned);
    qsort(heap, n, sizeof *heap, cand_order);
    rc = fetch_hits(txn, a, t, &prefix, &s, heap, n, hits);
    if (rc == 0)
        *n_hits = n;
    return rc;
}
