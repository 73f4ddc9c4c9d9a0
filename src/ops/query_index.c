/* ops/query_index.c - Query on an index: its key condition and the walk
 * over its entries (see query_internal.h).
 *
 * Entries of one partition sort by the index's sort key (each RANGE
 * attribute in turn), then by the hash of the base key that ends each
 * entry key (index.h); the exclusive start and the key condition are
 * settled by that order, by value, so the cursor only has to start close.
 * Escaped sort keys longer than INDEX_SORT_INLINE_MAX keep that many
 * bytes plus a hash, so entries that share those bytes (a group) are read
 * whole and sorted before any is offered, as the table walk does. */
#include <string.h>

#include "ops/legacy.h"
#include "ops/query_internal.h"

#define IX_GROUP_LEN (INDEX_PREFIX_LEN + INDEX_SORT_INLINE_MAX)

static bool multi_key(const table_index_t *ix) { return ix->n_hash > 1 || ix->n_range > 1; }

int query_index_condition(page_t *pg, key_multi_t *out)
{
    ddb_req_t *r = pg->r;
    const table_index_t *ix = pg->ix;
    if (multi_key(ix)) /* KeyConditions arrive translated: the expression's rules are theirs */
        return expr_key_condition_multi(pg->x.key_condition, ix->hash, ix->n_hash, ix->range, ix->n_range, out,
                                        &r->err);
    key_cond_t kc;
    memset(out, 0, sizeof *out);
    if (legacy_query_check(r, pg->ks) || expr_key_condition(pg->x.key_condition, pg->ks, &kc, &r->err))
        return -1;
    out->hash[0] = kc.hash;
    out->last = kc;
    return 0;
}

bool query_index_same_partition(const page_t *pg, const value_t *entry, const key_multi_t *c)
{
    for (size_t i = 0; i < pg->ix->n_hash; i++) {
        const value_t *h = item_get(entry, pg->ix->hash[i].name);
        if (!h || !value_equal(h, c->hash[i]))
            return false;
    }
    return true;
}

typedef struct ix_walk {
    page_t *pg;
    const key_multi_t *c;
    bool forward;
    const value_t *esk; /* ExclusiveStartKey, or NULL */
    const uint8_t *esk_hash; /* the hash ending its entry key */
} ix_walk_t;

typedef struct ix_entry {
    value_t v;
    uint8_t hash[INDEX_SUFFIX_LEN];
} ix_entry_t;

/* DynamoDB's order of two entries of one partition. */
static int ix_order(const table_index_t *ix, const value_t *a, const uint8_t *ah, const value_t *b, const uint8_t *bh)
{
    for (size_t i = 0; i < ix->n_range; i++) {
        int c = value_cmp(item_get(a, ix->range[i].name), item_get(b, ix->range[i].name));
        if (c)
            return c;
    }
    return memcmp(ah, bh, INDEX_SUFFIX_LEN);
}

/* Where an entry stands against the condition: -1 below, 0 inside, 1
 * above (the equality prefix first, then the last condition). */
static int ix_position(const table_index_t *ix, const key_multi_t *c, const value_t *entry)
{
    for (size_t i = 0; i < c->n_eq; i++) {
        int cmp = value_cmp(item_get(entry, ix->range[i].name), c->eq[i]);
        if (cmp)
            return cmp < 0 ? -1 : 1;
    }
    if (c->last.op == KEY_OP_NONE)
        return 0;
    return query_sort_position(&c->last, item_get(entry, ix->range[c->n_eq].name));
}

static int index_visit(ix_walk_t *iw, const value_t *entry, const uint8_t *hash)
{
    page_t *pg = iw->pg;
    if (!query_index_same_partition(pg, entry, iw->c))
        return 0; /* a 128-bit hash collision: not ours */
    if (iw->esk) {
        int c = ix_order(pg->ix, entry, hash, iw->esk, iw->esk_hash);
        if (iw->forward ? c <= 0 : c >= 0)
            return 0;
    }
    int pos = ix_position(pg->ix, iw->c, entry);
    if (pos != 0)
        return (iw->forward ? pos > 0 : pos < 0) ? 1 : 0;
    return query_page_add(pg, entry);
}

typedef struct ix_group_ctx {
    const table_index_t *ix;
    bool descending;
} ix_group_ctx_t;

static int ix_group_order(const void *a, const void *b, void *ctx)
{
    const ix_group_ctx_t *g = ctx;
    const ix_entry_t *x = a, *y = b;
    int c = ix_order(g->ix, &x->v, x->hash, &y->v, y->hash);
    return g->descending ? -c : c;
}

/* Reads the group of long entry keys the cursor is on (advancing past
 * it), sorts it, and offers it in order. */
static int index_visit_group(ix_walk_t *iw, store_cursor_t *cur, str_t *k, str_t *v, int *rc)
{
    ddb_req_t *r = iw->pg->r;
    char group_key[IX_GROUP_LEN];
    memcpy(group_key, k->ptr, IX_GROUP_LEN);
    ix_entry_t *items = NULL;
    size_t n = 0, cap = 0;
    while (*rc == 0 && k->len == KEY_LMDB_MAX && memcmp(k->ptr, group_key, IX_GROUP_LEN) == 0) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            items = arena_realloc(&r->arena, items, cap * sizeof *items, ncap * sizeof *items);
            cap = ncap;
        }
        if (value_decode(&r->arena, (const uint8_t *)v->ptr, v->len, &items[n].v)) {
            *rc = STORE_ERR_IO;
            return -1;
        }
        memcpy(items[n++].hash, k->ptr + k->len - INDEX_SUFFIX_LEN, INDEX_SUFFIX_LEN);
        *rc = iw->forward ? store_cursor_next(cur, k, v) : store_cursor_prev(cur, k, v);
    }
    ix_group_ctx_t ctx = {iw->pg->ix, !iw->forward};
    qsort_r(items, n, sizeof *items, ix_group_order, &ctx);
    for (size_t i = 0; i < n; i++) {
        int s = index_visit(iw, &items[i].v, items[i].hash);
        if (s)
            return s;
    }
    return 0;
}

static bool bounds_below(key_op_t op)
{
    return op == KEY_OP_EQ || op == KEY_OP_GT || op == KEY_OP_GE || op == KEY_OP_BETWEEN || op == KEY_OP_BEGINS_WITH;
}

static bool bounds_above(key_op_t op)
{
    return op == KEY_OP_EQ || op == KEY_OP_LT || op == KEY_OP_LE || op == KEY_OP_BETWEEN || op == KEY_OP_BEGINS_WITH;
}

/* Going backward: the last entry before every key that starts with kb. */
static int ix_seek_last_within(store_cursor_t *cur, key_buf_t *kb, str_t *k, str_t *v)
{
    if (!query_key_successor(kb))
        return store_cursor_seek_before(cur, (str_t){"\xff\xff\xff\xff\xff", 5}, k, v);
    return store_cursor_seek_before(cur, (str_t){(const char *)kb->b, kb->len}, k, v);
}

/* The partition prefix, then the equality prefix's components, then the
 * last condition's bound (lower going forward, upper going backward),
 * open: every entry at or past the bound starts at or after it. */
static void ix_bound(const page_t *pg, const key_multi_t *c, bool forward, key_buf_t *kb)
{
    index_key_partition_of(pg->t->id, pg->ix->number, c->hash, pg->ix->n_hash, kb);
    buf_t esc = BUF_INIT;
    for (size_t i = 0; i < c->n_eq; i++)
        index_escape_sort(c->eq[i], true, &esc);
    key_op_t op = c->last.op;
    if (forward ? bounds_below(op) : bounds_above(op))
        index_escape_sort(!forward && op == KEY_OP_BETWEEN ? c->last.hi : c->last.lo, false, &esc);
    index_key_append_sort_seek(kb, &esc);
    buf_free(&esc);
}

static int index_query_start(page_t *pg, store_cursor_t *cur, const key_multi_t *c, bool forward, const key_buf_t *esk,
                             str_t *k, str_t *v)
{
    key_buf_t kb;
    if (esk) { /* a long start key: from the edge of its group */
        kb = *esk;
        bool group = kb.len == KEY_LMDB_MAX;
        if (group)
            kb.len = IX_GROUP_LEN;
        if (forward)
            return store_cursor_seek(cur, (str_t){(const char *)kb.b, kb.len}, k, v);
        if (group)
            return ix_seek_last_within(cur, &kb, k, v);
        return store_cursor_seek_before(cur, (str_t){(const char *)kb.b, kb.len}, k, v);
    }
    ix_bound(pg, c, forward, &kb);
    if (forward)
        return store_cursor_seek(cur, (str_t){(const char *)kb.b, kb.len}, k, v);
    return ix_seek_last_within(cur, &kb, k, v);
}

int query_index_walk(page_t *pg, store_txn_t *txn, const key_multi_t *c, bool forward, const value_t *esk)
{
    ddb_req_t *r = pg->r;
    ix_walk_t iw = {pg, c, forward, esk, NULL};
    key_buf_t prefix, esk_key;
    index_key_partition_of(pg->t->id, pg->ix->number, c->hash, pg->ix->n_hash, &prefix);
    if (esk) {
        index_key_entry(pg->t, pg->ix, esk, &esk_key);
        iw.esk_hash = esk_key.b + esk_key.len - INDEX_SUFFIX_LEN;
    }
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, STORE_DB_INDEX, &cur);
    if (rc)
        return rc;
    str_t k, v;
    rc = index_query_start(pg, cur, c, forward, esk ? &esk_key : NULL, &k, &v);
    int stop = 0;
    while (rc == 0 && !stop) {
        if (k.len < prefix.len || memcmp(k.ptr, prefix.b, prefix.len) != 0)
            break; /* left the partition */
        if (k.len == KEY_LMDB_MAX) {
            stop = index_visit_group(&iw, cur, &k, &v, &rc);
            continue;
        }
        value_t entry;
        if (value_decode(&r->arena, (const uint8_t *)v.ptr, v.len, &entry)) {
            rc = STORE_ERR_IO;
            break;
        }
        stop = index_visit(&iw, &entry, (const uint8_t *)k.ptr + k.len - INDEX_SUFFIX_LEN);
        if (!stop)
            rc = forward ? store_cursor_next(cur, &k, &v) : store_cursor_prev(cur, &k, &v);
    }
    store_cursor_close(cur);
    if (rc < 0)
        return rc;
    return stop < 0 ? (r->err.code ? -1 : stop) : 0;
}
