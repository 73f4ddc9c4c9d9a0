/* ops/query_page.c - the page builder Query and Scan share (see
 * query_internal.h), and the sort-key helpers of both walks. */
#include <string.h>

#include "storage/itemstore.h"
#include "ops/query_internal.h"

/* One evaluated item. Returns 1 when the page is full. */
int query_page_add(page_t *pg, const value_t *item)
{
    ddb_req_t *r = pg->r;
    pg->scanned++;
    pg->bytes += item_size(item);
    pg->last = *item;
    const value_t *entry = item;
    value_t base;
    if (pg->fetch) { /* an LSI entry: the table's item, read in the same snapshot */
        key_buf_t kb;
        bool found;
        key_encode(pg->t->id, &pg->t->ks, item, &kb);
        int rc = itemstore_get(pg->txn, &r->arena, pg->t, &kb, &base, &found);
        if (rc)
            return rc;
        if (found) {
            pg->table_units += ops_read_units(item_size(&base), pg->consistent);
            item = &base;
        }
    }
    bool keep = true;
    if (pg->x.filter && expr_eval(pg->x.filter, item, &keep, &r->err))
        return -1;
    if (keep) {
        pg->count++;
        if (pg->select != SEL_COUNT) /* item_to_json writes the separating comma */
            ops_write_item(r, &pg->items, pg->select == SEL_ALL_PROJECTED_ATTRIBUTES ? entry : item, &pg->x.projection);
    }
    if ((pg->limit && pg->scanned >= pg->limit) || pg->bytes >= PAGE_MAX_BYTES) {
        pg->stopped = true;
        return 1;
    }
    return 0;
}

static bool begins_with(const value_t *v, const value_t *prefix)
{
    return v->s.len >= prefix->s.len && memcmp(v->s.ptr, prefix->s.ptr, prefix->s.len) == 0;
}

/* Where an item's sort key stands against the condition: -1 below the
 * range (in key order), 0 inside, 1 above. */
int query_sort_position(const key_cond_t *kc, const value_t *sk)
{
    switch (kc->op) {
    case KEY_OP_NONE: return 0;
    case KEY_OP_EQ: {
        int c = value_cmp(sk, kc->lo);
        return c;
    }
    case KEY_OP_LT: return value_cmp(sk, kc->lo) < 0 ? 0 : 1;
    case KEY_OP_LE: return value_cmp(sk, kc->lo) <= 0 ? 0 : 1;
    case KEY_OP_GT: return value_cmp(sk, kc->lo) > 0 ? 0 : -1;
    case KEY_OP_GE: return value_cmp(sk, kc->lo) >= 0 ? 0 : -1;
    case KEY_OP_BETWEEN: return value_cmp(sk, kc->lo) < 0 ? -1 : value_cmp(sk, kc->hi) > 0 ? 1 : 0;
    case KEY_OP_BEGINS_WITH:
        if (begins_with(sk, kc->lo))
            return 0;
        return value_cmp(sk, kc->lo) < 0 ? -1 : 1;
    }
    return 0;
}

bool query_key_successor(key_buf_t *kb)
{
    while (kb->len && kb->b[kb->len - 1] == 0xff)
        kb->len--;
    if (!kb->len)
        return false;
    kb->b[kb->len - 1]++;
    return true;
}
