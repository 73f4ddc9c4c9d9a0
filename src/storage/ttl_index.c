/* ttl_index.c - the TTL expiry index (see ttl_index.h). */
#include "storage/ttl_index.h"
#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/endian.h"

#define TTL_HEADER_LEN 4

bool ttl_item_expiry(const value_t *item, const char *attr, int64_t *out)
{
    if (!item || !attr)
        return false;
    const value_t *v = item_get(item, str_from_cstr(attr));
    if (!v || v->type != VT_N || v->s.len > 64)
        return false;
    char text[72];
    memcpy(text, v->s.ptr, v->s.len);
    text[v->s.len] = '\0';
    double d = strtod(text, NULL);
    if (!(d >= 0) || d > 9e15)
        return false; /* negative or absurd: never due */
    *out = (int64_t)floor(d);
    return true;
}

static str_t entry_key(ttl_entry_t *e, uint32_t table_id, int64_t expiry, str_t item_key)
{
    be32_put(e->b, table_id);
    be64_put(e->b + 4, (uint64_t)expiry);
    memcpy(e->b + TTL_ENTRY_PREFIX, item_key.ptr, item_key.len);
    e->len = TTL_ENTRY_PREFIX + item_key.len;
    return (str_t){(const char *)e->b, e->len};
}

const char *ttl_attr(const table_t *t) { return json_string_value(json_object_get(t->desc, "TimeToLiveAttribute")); }

int ttl_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                 const value_t *new_item)
{
    const char *attr = ttl_attr(t);
    if (!attr)
        return 0;
    int64_t was = 0, now = 0;
    bool had = ttl_item_expiry(old_item, attr, &was), has = ttl_item_expiry(new_item, attr, &now);
    if (had && has && was == now)
        return 0;
    str_t ik = {(const char *)key->b, key->len};
    ttl_entry_t e;
    if (had) {
        int rc = store_del(txn, STORE_DB_TTL, entry_key(&e, t->id, was, ik));
        if (rc && rc != STORE_NOTFOUND)
            return rc;
    }
    return has ? store_put(txn, STORE_DB_TTL, entry_key(&e, t->id, now, ik), STR_LIT("")) : 0;
}

int ttl_drop_table(store_txn_t *txn, uint32_t table_id)
{
    uint8_t p[4];
    be32_put(p, table_id);
    return store_del_prefix(txn, STORE_DB_TTL, (str_t){(const char *)p, 4}, NULL);
}

/* Indexes every stored item of t under attr. */
static int index_items(store_txn_t *txn, const table_t *t, const char *attr)
{
    key_buf_t prefix;
    key_encode_table(t->id, &prefix);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_ITEMS, &c);
    if (rc)
        return rc;
    arena_t a;
    arena_init(&a);
    str_t k, v;
    for (rc = store_cursor_seek(c, (str_t){(const char *)prefix.b, prefix.len}, &k, &v); rc == 0;
         rc = store_cursor_next(c, &k, &v)) {
        if (k.len < prefix.len || memcmp(k.ptr, prefix.b, prefix.len) != 0)
            break;
        value_t item;
        int64_t exp;
        arena_clear(&a);
        if (value_decode(&a, (const uint8_t *)v.ptr, v.len, &item) != 0) {
            rc = STORE_ERR_IO;
            break;
        }
        if (!ttl_item_expiry(&item, attr, &exp))
            continue;
        ttl_entry_t e;
        /* a put while a cursor of another database is open is fine in LMDB */
        rc = store_put(txn, STORE_DB_TTL, entry_key(&e, t->id, exp, k), STR_LIT(""));
        if (rc)
            break;
    }
    arena_free(&a);
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int ttl_set_attribute(store_txn_t *txn, const table_t *t, const char *attr)
{
    int rc = ttl_drop_table(txn, t->id);
    if (rc || !attr)
        return rc;
    uint8_t hk[4];
    be32_put(hk, t->id);
    buf_t ck = BUF_INIT;
    catalog_key(t->ns, str_from_cstr(t->name), &ck);
    rc = store_put(txn, STORE_DB_TTL, (str_t){(const char *)hk, 4}, (str_t){ck.data, ck.len});
    buf_free(&ck);
    return rc ? rc : index_items(txn, t, attr);
}

int ttl_tables(store_txn_t *txn, ttl_table_ref_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TTL, &c);
    if (rc)
        return rc;
    size_t cap = 0;
    str_t k, v;
    uint8_t next[4] = {0, 0, 0, 0};
    for (rc = store_cursor_seek(c, (str_t){(const char *)next, 4}, &k, &v); rc == 0;) {
        if (k.len < 4)
            break;
        uint32_t id = be32_get((const uint8_t *)k.ptr);
        if (k.len == TTL_HEADER_LEN) {
            const char *nul = memchr(v.ptr, '\0', v.len);
            if (nul) {
                if (*n == cap) {
                    cap = cap ? cap * 2 : 8;
                    *out = xreallocarray(*out, cap, sizeof **out);
                }
                (*out)[(*n)++] = (ttl_table_ref_t){id, xstrndup(v.ptr, (size_t)(nul - v.ptr)),
                                                   xstrndup(nul + 1, v.len - (size_t)(nul - v.ptr) - 1)};
            }
        }
        if (id == UINT32_MAX)
            break;
        be32_put(next, id + 1);
        rc = store_cursor_seek(c, (str_t){(const char *)next, 4}, &k, &v);
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

void ttl_tables_free(ttl_table_ref_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].ns);
        free(t[i].name);
    }
    free(t);
}

int ttl_first_due(store_txn_t *txn, uint32_t id, int64_t now_s, ttl_entry_t *e, bool *found)
{
    *found = false;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TTL, &c);
    if (rc)
        return rc;
    uint8_t start[TTL_ENTRY_PREFIX];
    be32_put(start, id);
    be64_put(start + 4, 0);
    str_t k, v;
    rc = store_cursor_seek(c, (str_t){(const char *)start, sizeof start}, &k, &v);
    if (rc == 0 && k.len > TTL_ENTRY_PREFIX && k.len <= sizeof e->b && be32_get((const uint8_t *)k.ptr) == id &&
        (int64_t)be64_get((const uint8_t *)k.ptr + 4) <= now_s) {
        memcpy(e->b, k.ptr, k.len);
        e->len = k.len;
        *found = true;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int64_t ttl_entry_expiry(const ttl_entry_t *e) { return (int64_t)be64_get(e->b + 4); }

void ttl_entry_item_key(const ttl_entry_t *e, key_buf_t *out)
{
    out->len = e->len - TTL_ENTRY_PREFIX;
    memcpy(out->b, e->b + TTL_ENTRY_PREFIX, out->len);
}

int ttl_entry_remove(store_txn_t *txn, const ttl_entry_t *e)
{
    int rc = store_del(txn, STORE_DB_TTL, (str_t){(const char *)e->b, e->len});
    return rc == STORE_NOTFOUND ? 0 : rc;
}
