/* ops/query.c - Query and Scan.
 *
 * Both walk the items B-tree in a read transaction on the loop thread and
 * feed each item to one page builder, which applies DynamoDB's page rules:
 * Limit counts items evaluated (before the filter), a page stops after
 * 1 MB of evaluated items, and LastEvaluatedKey is the key of the last
 * item evaluated whenever the walk stopped early. */
#include <string.h>

#include "storage/index.h"
#include "storage/itemstore.h"
#include "ops/legacy.h"
#include "ops/ops.h"
#include "ops/query_internal.h"

static const char *const selects[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT",
                                      NULL};

static void page_write(page_t *pg)
{
    ddb_req_t *r = pg->r;
    buf_putc(&r->out, '{');
    if (pg->select != SEL_COUNT) {
        jw_key(&r->out, "Items");
        buf_putc(&r->out, '[');
        buf_append(&r->out, pg->items.data, pg->items.len);
        buf_putc(&r->out, ']');
    }
    jw_key(&r->out, "Count");
    jw_int(&r->out, pg->count);
    jw_key(&r->out, "ScannedCount");
    jw_int(&r->out, pg->scanned);
    if (pg->stopped) {
        value_t k = key_of_item(&r->arena, &pg->t->ks, &pg->last);
        if (pg->ix) { /* an index's LastEvaluatedKey: the table key and the index key */
            k = index_key_of(&r->arena, pg->ix, &pg->last, k);
        }
        jw_key(&r->out, "LastEvaluatedKey");
        item_to_json(&r->out, &k);
    }
    ops_capacity_t cap;
    ops_capacity_init(&cap, pg->t->name);
    double units = ops_read_units(pg->bytes, pg->consistent);
    if (pg->ix) {
        cap.table_units = pg->table_units;
        ops_capacity_add_index(&cap, pg->ix->name, pg->ix->local, units);
    } else {
        cap.table_units = units;
    }
    ops_capacity_reply(r, pg->capacity, &cap);
    buf_putc(&r->out, '}');
}

/* Parameters Query and Scan share. */
static int page_params(ddb_req_t *r, page_t *pg, unsigned exprs)
{
    bool has_limit;
    if (req_int(r, "Limit", &pg->limit, &has_limit) || req_enum(r, "Select", selects, &pg->select, -1) ||
        req_bool(r, "ConsistentRead", &pg->consistent) || ops_return_capacity(r, &pg->capacity))
        return -1;
    if (has_limit && pg->limit < 1)
        req_constraint(r, arena_printf(&r->arena, "'%lld'", (long long)pg->limit), "limit",
                       "Member must have value greater than or equal to 1");
    if (req_constraints_done(r) || ops_parse_exprs(r, exprs | OPS_FILTER | OPS_PROJECTION, &pg->x))
        return -1;
    pg->has_index = req_member(r, "IndexName") != NULL;
    if (pg->select == -1)
        pg->select = pg->x.projection.n ? SEL_SPECIFIC_ATTRIBUTES
                     : pg->has_index    ? SEL_ALL_PROJECTED_ATTRIBUTES
                                        : SEL_ALL_ATTRIBUTES;
    if (pg->select == SEL_SPECIFIC_ATTRIBUTES && !pg->x.projection.n)
        return err_set(&r->err, ERR_VALIDATION,
                       "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                       "SPECIFIC_ATTRIBUTES");
    if (pg->select != SEL_SPECIFIC_ATTRIBUTES && pg->x.projection.n)
        return err_set(&r->err, ERR_VALIDATION, "Cannot specify the ProjectionExpression when choosing to get %s",
                       pg->select == SEL_COUNT ? "only the Count" : selects[pg->select]);
    if (pg->select == SEL_ALL_PROJECTED_ATTRIBUTES && !pg->has_index)
        return err_set(&r->err, ERR_VALIDATION,
                       "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    return 0;
}

typedef struct unprojected {
    const page_t *pg;
    buf_t names; /* "a, b" */
    str_t seen[32];
    size_t n;
} unprojected_t;

static void note_unprojected(void *ud, str_t name)
{
    unprojected_t *u = ud;
    if (index_projects(u->pg->t, u->pg->ix, name))
        return;
    for (size_t i = 0; i < u->n; i++)
        if (str_eq(u->seen[i], name))
            return;
    if (u->n < sizeof u->seen / sizeof u->seen[0])
        u->seen[u->n++] = name;
    buf_printf(&u->names, "%s%.*s", u->names.len ? ", " : "", STR_FMT(name));
}

/* DynamoDB's rules for reading an index: what Select and
 * ProjectionExpression may ask of it, and whether an LSI read must fetch
 * the table's items for attributes the index does not hold. */
static int index_read_rules(ddb_req_t *r, page_t *pg)
{
    const table_index_t *ix = pg->ix;
    if (ix->creating)
        return err_set(&r->err, ERR_VALIDATION, "Cannot read from backfilling global secondary index");
    if (!ix->local && pg->consistent)
        return err_set(&r->err, ERR_VALIDATION, "Consistent reads are not supported on global secondary indexes");
    bool all = ix->projection == PROJ_ALL;
    if (!ix->local && pg->select == SEL_ALL_ATTRIBUTES && !all)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                       "global secondary index %s because its projection type is not ALL",
                       ix->name);
    /* A Query's filter reads the index alone (DynamoDB Local rejects a
     * filter on unprojected attributes of an LSI too; AWS's documentation
     * is silent); a Scan's may name any attribute, which an LSI fetches. */
    unprojected_t filter = {.pg = pg};
    expr_each_attribute(pg->x.filter, note_unprojected, &filter);
    unprojected_t wanted = {.pg = pg};
    for (size_t i = 0; i < pg->x.projection.n; i++)
        if (!pg->x.projection.paths[i].elems[0].is_index)
            note_unprojected(&wanted, pg->x.projection.paths[i].elems[0].name);
    int rc = 0;
    if (wanted.names.len && !ix->local)
        rc = err_set(&r->err, ERR_VALIDATION,
                     "One or more parameter values were invalid: Global secondary index %s does not project [%.*s]",
                     ix->name, (int)wanted.names.len, wanted.names.data);
    else if (filter.names.len && pg->is_query)
        rc = err_set(&r->err, ERR_VALIDATION,
                     "One or more parameter values were invalid: Secondary index %s does not project one or more "
                     "filter attributes: [%.*s]",
                     ix->name, (int)filter.names.len, filter.names.data);
    pg->fetch = ix->local && !all && (pg->select == SEL_ALL_ATTRIBUTES || wanted.names.len || filter.names.len);
    buf_free(&filter.names);
    buf_free(&wanted.names);
    return rc;
}

static int check_index_name(ddb_req_t *r, page_t *pg)
{
    str_t index;
    pg->ks = &pg->t->ks;
    if (req_string(r, "IndexName", false, &index))
        return -1;
    if (!index.ptr)
        return 0;
    pg->ix = table_index(pg->t, index);
    if (!pg->ix)
        return err_set(&r->err, ERR_VALIDATION, "The table does not have the specified index: %.*s", STR_FMT(index));
    pg->ks = &pg->ix->ks;
    return index_read_rules(r, pg);
}

/* Finds the table (and index) the page reads, in the request's read
 * transaction. */
static int page_open(ddb_req_t *r, page_t *pg, store_txn_t **txn)
{
    *txn = pg->txn = r->txn;
    int rc = req_table(r, *txn, r->env->loop_catalog, &pg->t);
    return rc ? rc : check_index_name(r, pg);
}

/* An index's start key holds the table key and the index key, nothing else. */
static bool index_start_key_ok(const page_t *pg, const value_t *esk)
{
    const table_index_t *ix = pg->ix;
    const key_attr_t *keys[2 + 2 * INDEX_KEY_ATTRS_MAX];
    size_t n = 0, distinct = 0;
    keys[n++] = &pg->t->ks.hash;
    keys[n++] = &pg->t->ks.range;
    for (size_t i = 0; i < ix->n_hash; i++)
        keys[n++] = &ix->hash[i];
    for (size_t i = 0; i < ix->n_range; i++)
        keys[n++] = &ix->range[i];
    for (size_t i = 0; i < n; i++) {
        if (!keys[i]->name.len)
            continue;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup = dup || str_eq(keys[j]->name, keys[i]->name);
        distinct += !dup;
        const value_t *v = item_get(esk, keys[i]->name);
        if (!v || v->type != keys[i]->type)
            return false;
    }
    return esk->m.n == distinct;
}

/* The decoded ExclusiveStartKey, checked against the schema; NULL if none. */
static int start_key(ddb_req_t *r, const page_t *pg, value_t *out, bool *present)
{
    const json_t *j;
    *present = false;
    if (req_object(r, "ExclusiveStartKey", false, &j) || !j)
        return r->err.code ? -1 : 0;
    if (item_from_json(&r->arena, j, out, &r->err))
        return -1;
    err_t e;
    err_clear(&e);
    value_t table_key = pg->ix ? key_of_item(&r->arena, &pg->t->ks, out) : *out;
    if (pg->ix && !index_start_key_ok(pg, out))
        err_set(&e, ERR_VALIDATION, "The provided key element does not match the schema");
    else
        key_check_key(&pg->t->ks, &table_key, &e);
    if (e.code)
        return err_set(&r->err, ERR_VALIDATION, "The provided starting key is invalid: %s", e.msg);
    *present = true;
    return 0;
}

/* ---- Query ---------------------------------------------------------------- */

/* Sort keys longer than KEY_SORT_INLINE_MAX keep that many bytes plus a
 * hash (keys.h), so LMDB orders keys that share those bytes by hash. A
 * Query restores DynamoDB's order by reading such a group whole and
 * sorting it by value before it emits any of it. */
#define KEY_GROUP_LEN (KEY_PREFIX_LEN + KEY_SORT_INLINE_MAX)
#define KEY_LONG_LEN (KEY_GROUP_LEN + KEY_HASH_LEN)

/* A seek key for kb that lands before every member of its group. */
static void key_group_start(key_buf_t *kb)
{
    if (kb->len == KEY_LONG_LEN)
        kb->len = KEY_GROUP_LEN;
}

/* The first key to look at going forward: the partition start or the
 * lower bound of the sort condition. */
static void forward_start(const table_t *t, const key_cond_t *kc, key_buf_t *kb)
{
    key_encode_partition(t->id, kc->hash, kb);
    if (kc->op == KEY_OP_EQ || kc->op == KEY_OP_GT || kc->op == KEY_OP_GE || kc->op == KEY_OP_BETWEEN ||
        kc->op == KEY_OP_BEGINS_WITH)
        key_append_sort(kb, kc->lo);
    key_group_start(kb);
}

/* Positions the cursor on the last key at or before kb's group, going
 * backward: every key that starts with kb sorts after it. */
static int seek_last_within(store_cursor_t *cur, key_buf_t *kb, str_t *k, str_t *v)
{
    key_group_start(kb);
    if (!query_key_successor(kb))
        return store_cursor_seek_before(cur, (str_t){"\xff\xff\xff\xff\xff", 5}, k, v);
    return store_cursor_seek_before(cur, (str_t){(const char *)kb->b, kb->len}, k, v);
}

/* The last key to look at going backward: the upper bound of the sort
 * condition, or the partition's end. Items above the range are skipped by
 * sort_position. */
static int backward_start(store_cursor_t *cur, const table_t *t, const key_cond_t *kc, str_t *k, str_t *v)
{
    key_buf_t kb;
    key_encode_partition(t->id, kc->hash, &kb);
    if (kc->op == KEY_OP_EQ || kc->op == KEY_OP_LT || kc->op == KEY_OP_LE || kc->op == KEY_OP_BETWEEN ||
        kc->op == KEY_OP_BEGINS_WITH)
        key_append_sort(&kb, kc->op == KEY_OP_BETWEEN ? kc->hi : kc->lo);
    return seek_last_within(cur, &kb, k, v);
}

static bool same_partition(const key_schema_t *ks, const value_t *item, const value_t *hash)
{
    const value_t *h = item_get(item, ks->hash.name);
    return h && value_equal(h, hash);
}

typedef struct query_walk {
    page_t *pg;
    const key_cond_t *kc;
    bool forward;
    const value_t *esk; /* ExclusiveStartKey, or NULL */
} query_walk_t;

/* Offers one item to the page: 0 go on, 1 stop (page full or past the
 * range), -1 error. Every test is by value, so positioning the cursor only
 * has to be close: start keys, the exclusive start and long-key groups are
 * all settled here. */
static int query_visit(query_walk_t *w, const value_t *item)
{
    const table_t *t = w->pg->t;
    if (!same_partition(&t->ks, item, w->kc->hash))
        return 0; /* a 128-bit hash collision: not ours */
    const value_t *sk = key_schema_has_range(&t->ks) ? item_get(item, t->ks.range.name) : NULL;
    if (w->esk) {
        const value_t *esk_sk = key_schema_has_range(&t->ks) ? item_get(w->esk, t->ks.range.name) : NULL;
        if (!sk || !esk_sk)
            return 0; /* the start key's own item: the only one in its partition */
        int c = value_cmp(sk, esk_sk);
        if (w->forward ? c <= 0 : c >= 0)
            return 0;
    }
    int pos = query_sort_position(w->kc, sk);
    if (pos != 0)
        return (w->forward ? pos > 0 : pos < 0) ? 1 : 0;
    return query_page_add(w->pg, item);
}

typedef struct group {
    value_t *items;
    size_t n, cap;
    const str_t *sk_name;
    bool descending;
} group_t;

static int group_order(const void *a, const void *b, void *ctx)
{
    const group_t *g = ctx;
    int c = value_cmp(item_get(a, *g->sk_name), item_get(b, *g->sk_name));
    return g->descending ? -c : c;
}

/* Reads the group of long keys the cursor is on (advancing past it),
 * sorts it by sort key value, and offers it in order. */
static int visit_group(query_walk_t *w, store_cursor_t *cur, str_t *k, str_t *v, int *rc)
{
    ddb_req_t *r = w->pg->r;
    char group_key[KEY_GROUP_LEN];
    memcpy(group_key, k->ptr, KEY_GROUP_LEN);
    group_t g = {.sk_name = &w->pg->t->ks.range.name, .descending = !w->forward};
    while (*rc == 0 && k->len == KEY_LONG_LEN && memcmp(k->ptr, group_key, KEY_GROUP_LEN) == 0) {
        if (g.n == g.cap) {
            size_t cap = g.cap ? g.cap * 2 : 8;
            g.items = arena_realloc(&r->arena, g.items, g.cap * sizeof *g.items, cap * sizeof *g.items);
            g.cap = cap;
        }
        if (value_decode(&r->arena, (const uint8_t *)v->ptr, v->len, &g.items[g.n++])) {
            *rc = STORE_ERR_IO;
            return -1;
        }
        *rc = w->forward ? store_cursor_next(cur, k, v) : store_cursor_prev(cur, k, v);
    }
    qsort_r(g.items, g.n, sizeof *g.items, group_order, &g);
    for (size_t i = 0; i < g.n; i++) {
        int s = query_visit(w, &g.items[i]);
        if (s)
            return s;
    }
    return 0;
}

static int query_walk(page_t *pg, store_txn_t *txn, const key_cond_t *kc, bool forward, const value_t *esk)
{
    ddb_req_t *r = pg->r;
    const table_t *t = pg->t;
    query_walk_t w = {pg, kc, forward, esk};
    key_buf_t prefix, kb;
    key_encode_partition(t->id, kc->hash, &prefix);
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, STORE_DB_ITEMS, &cur);
    if (rc)
        return rc;
    str_t k, v;
    if (esk) {
        key_encode(t->id, &t->ks, esk, &kb);
        if (forward) {
            key_group_start(&kb);
            rc = store_cursor_seek(cur, (str_t){(const char *)kb.b, kb.len}, &k, &v);
        } else {
            rc = seek_last_within(cur, &kb, &k, &v);
        }
    } else if (forward) {
        forward_start(t, kc, &kb);
        rc = store_cursor_seek(cur, (str_t){(const char *)kb.b, kb.len}, &k, &v);
    } else {
        rc = backward_start(cur, t, kc, &k, &v);
    }
    int stop = 0;
    while (rc == 0 && !stop) {
        if (k.len < prefix.len || memcmp(k.ptr, prefix.b, prefix.len) != 0)
            break; /* left the partition */
        if (k.len == KEY_LONG_LEN) {
            stop = visit_group(&w, cur, &k, &v, &rc);
            continue;
        }
        value_t item;
        if (value_decode(&r->arena, (const uint8_t *)v.ptr, v.len, &item)) {
            rc = STORE_ERR_IO;
            break;
        }
        stop = query_visit(&w, &item);
        if (!stop)
            rc = forward ? store_cursor_next(cur, &k, &v) : store_cursor_prev(cur, &k, &v);
    }
    store_cursor_close(cur);
    if (rc < 0) /* a storage error */
        return rc;
    return stop < 0 ? -1 : 0;
}

/* A Query's filter may not test key attributes: that is the key
 * condition's job. */
static int check_filter_keys(ddb_req_t *r, const page_t *pg, const expr_node_t *filter)
{
    const table_index_t *ix = pg->ix;
    const key_attr_t *keys[2 * INDEX_KEY_ATTRS_MAX];
    size_t n = 0;
    if (!ix) {
        keys[n++] = &pg->t->ks.hash;
        keys[n++] = &pg->t->ks.range;
    }
    for (size_t i = 0; ix && i < ix->n_hash; i++)
        keys[n++] = &ix->hash[i];
    for (size_t i = 0; ix && i < ix->n_range; i++)
        keys[n++] = &ix->range[i];
    for (size_t i = 0; i < n; i++)
        if (keys[i]->name.len && expr_refers_to(filter, keys[i]->name))
            return err_set(&r->err, ERR_VALIDATION,
                           "Filter Expression can only contain non-primary key attributes: Primary key "
                           "attribute: %.*s",
                           STR_FMT(keys[i]->name));
    return 0;
}

/* Query(TableName, KeyConditionExpression, FilterExpression?,
 *       ProjectionExpression?, ExpressionAttributeNames/Values?, Select?,
 *       Limit?, ExclusiveStartKey?, ScanIndexForward?, ConsistentRead?,
 *       ReturnConsumedCapacity?) */
req_result_t op_query(ddb_req_t *r)
{
    page_t pg = {.r = r, .is_query = true};
    str_t name;
    bool forward = true;
    if (req_table_name(r, &name) || page_params(r, &pg, OPS_KEY_CONDITION))
        return REQ_FAILED;
    const json_t *sif = req_member(r, "ScanIndexForward");
    if (sif && req_bool(r, "ScanIndexForward", &forward))
        return REQ_FAILED;
    if (!pg.x.key_condition)
        return req_result(
            r,
            err_set(&r->err, ERR_VALIDATION,
                    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."));
    store_txn_t *txn;
    int rc = page_open(r, &pg, &txn);
    if (rc)
        return req_result(r, rc);
    key_cond_t kc;
    key_multi_t ic;
    value_t esk;
    bool has_esk;
    if (pg.ix) {
        rc = query_index_condition(&pg, &ic);
    } else {
        rc = legacy_query_check(r, pg.ks);
        if (!rc)
            rc = expr_key_condition(pg.x.key_condition, pg.ks, &kc, &r->err);
    }
    if (!rc)
        rc = check_filter_keys(r, &pg, pg.x.filter);
    if (!rc)
        rc = start_key(r, &pg, &esk, &has_esk);
    if (!rc && has_esk && !(pg.ix ? query_index_same_partition(&pg, &esk, &ic) : same_partition(pg.ks, &esk, kc.hash)))
        rc = err_set(&r->err, ERR_VALIDATION,
                     "The provided starting key is outside query boundaries based on provided conditions");
    if (!rc && pg.ix)
        rc = query_index_walk(&pg, txn, &ic, forward, has_esk ? &esk : NULL);
    else if (!rc)
        rc = query_walk(&pg, txn, &kc, forward, has_esk ? &esk : NULL);
    if (!rc)
        page_write(&pg);
    buf_free(&pg.items);
    return req_result(r, rc);
}

/* ---- Scan ----------------------------------------------------------------- */

/* Segment s of n covers partition hashes whose first 8 bytes fall in
 * [s * 2^64 / n, (s+1) * 2^64 / n): a plain split of the hash order. */
static void segment_bound(const page_t *pg, uint64_t seg, uint64_t total, key_buf_t *kb)
{
    if (pg->ix)
        index_key_table(pg->t->id, pg->ix->number, kb);
    else
        key_encode_table(pg->t->id, kb);
    unsigned __int128 start = ((unsigned __int128)seg << 64) / total;
    uint64_t s = (uint64_t)start;
    if (seg == total) {
        /* the end of the last segment: the table's successor */
        query_key_successor(kb);
        return;
    }
    for (int i = 7; i >= 0; i--)
        kb->b[kb->len++] = (uint8_t)(s >> (i * 8));
}

static int scan_walk(page_t *pg, store_txn_t *txn, const value_t *esk, int64_t seg, int64_t total)
{
    ddb_req_t *r = pg->r;
    key_buf_t lo, hi, start;
    segment_bound(pg, (uint64_t)seg, (uint64_t)total, &lo);
    segment_bound(pg, (uint64_t)seg + 1, (uint64_t)total, &hi);
    if (esk) {
        if (pg->ix)
            index_key_entry(pg->t, pg->ix, esk, &start);
        else
            key_encode(pg->t->id, &pg->t->ks, esk, &start);
        /* a parallel scan's start key must lie in its segment (AWS's words) */
        str_t st = {(const char *)start.b, start.len};
        if (total > 1 && (str_cmp(st, (str_t){(const char *)lo.b, lo.len}) < 0 ||
                          str_cmp(st, (str_t){(const char *)hi.b, hi.len}) >= 0))
            return err_set(&r->err, ERR_VALIDATION,
                           "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                           "ExclusiveStartKey with correct Segment. TotalSegments: %lld Segment: %lld",
                           (long long)total, (long long)seg);
        lo = start;
    }
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, pg->ix ? STORE_DB_INDEX : STORE_DB_ITEMS, &cur);
    if (rc)
        return rc;
    str_t k, v, los = {(const char *)lo.b, lo.len}, his = {(const char *)hi.b, hi.len};
    rc = store_cursor_seek(cur, los, &k, &v);
    if (rc == 0 && esk && str_eq(k, los))
        rc = store_cursor_next(cur, &k, &v);
    for (; rc == 0; rc = store_cursor_next(cur, &k, &v)) {
        if (str_cmp(k, his) >= 0)
            break;
        value_t item;
        if (value_decode(&r->arena, (const uint8_t *)v.ptr, v.len, &item)) {
            rc = STORE_ERR_IO;
            break;
        }
        int full = query_page_add(pg, &item);
        if (full < 0) {
            rc = r->err.code ? -1 : full;
            break;
        }
        if (full)
            break;
    }
    store_cursor_close(cur);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Scan(TableName, FilterExpression?, ProjectionExpression?,
 *      ExpressionAttributeNames/Values?, Select?, Limit?, ExclusiveStartKey?,
 *      Segment?, TotalSegments?, ConsistentRead?, ReturnConsumedCapacity?) */
req_result_t op_scan(ddb_req_t *r)
{
    page_t pg = {.r = r};
    str_t name;
    int64_t seg, total;
    bool has_seg, has_total;
    if (req_table_name(r, &name) || req_int(r, "Segment", &seg, &has_seg) ||
        req_int(r, "TotalSegments", &total, &has_total))
        return REQ_FAILED;
    if (has_total)
        req_check_range(r, total, "totalSegments", 1, 1000000);
    if (has_seg)
        req_check_range(r, seg, "segment", 0, 999999);
    if (page_params(r, &pg, 0))
        return REQ_FAILED;
    if (has_seg != has_total)
        return req_fail(r, ERR_VALIDATION,
                        has_seg ? "The TotalSegments parameter is required but was not present in the request when "
                                  "Segment parameter is present"
                                : "The Segment parameter is required but was not present in the request when parameter "
                                  "TotalSegments is present");
    if (has_seg && seg >= total)
        return req_fail(r, ERR_VALIDATION,
                        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                        "Segment: %lld is not less than TotalSegments: %lld",
                        (long long)seg, (long long)total);
    if (!has_seg)
        seg = 0, total = 1;
    store_txn_t *txn;
    int rc = page_open(r, &pg, &txn);
    if (rc)
        return req_result(r, rc);
    value_t esk;
    bool has_esk;
    rc = start_key(r, &pg, &esk, &has_esk);
    if (!rc)
        rc = scan_walk(&pg, txn, has_esk ? &esk : NULL, seg, total);
    if (!rc)
        page_write(&pg);
    buf_free(&pg.items);
    return req_result(r, rc);
}
