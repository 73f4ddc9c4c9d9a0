/* snapstore.c - snapshots' rows and names in STORE_DB_SNAPSHOTS (see
 * snapstore.h). */
#include "storage/snapstore.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/endian.h"

#define ROW_KEY_LEN 14 /* 'R' . id . db . n */
#define ROW_DB_PREFIX 6 /* 'R' . id . db */

static const str_t next_id_key = STR_LIT("snapshot_next_id");

static int next_id(store_txn_t *txn, uint32_t *out)
{
    str_t v;
    uint8_t b[4];
    uint32_t id = 1;
    int rc = store_get(txn, STORE_DB_META, next_id_key, &v);
    if (rc < 0)
        return rc;
    if (rc == 0 && v.len == 4)
        id = be32_get((const uint8_t *)v.ptr);
    be32_put(b, id + 1);
    rc = store_put(txn, STORE_DB_META, next_id_key, (str_t){(const char *)b, 4});
    *out = id;
    return rc;
}

static str_t dir_key(buf_t *b, const char *name)
{
    buf_putc(b, 'D');
    buf_puts(b, name);
    return (str_t){b->data, b->len};
}

int snapstore_begin(store_txn_t *txn, snapstore_writer_t *w)
{
    *w = (snapstore_writer_t){.txn = txn, .last_db = -1};
    return next_id(txn, &w->id);
}

void snapstore_writer_free(snapstore_writer_t *w) { buf_free(&w->row); }

int snapstore_add(snapstore_writer_t *w, store_db_t db, str_t key, str_t val)
{
    uint8_t k[ROW_KEY_LEN];
    k[0] = 'R';
    be32_put(k + 1, w->id);
    k[5] = (uint8_t)db;
    be64_put(k + 6, w->n++);
    buf_reset(&w->row);
    buf_putc(&w->row, (char)(key.len >> 8));
    buf_putc(&w->row, (char)(key.len & 0xff));
    buf_append(&w->row, key.ptr, key.len);
    buf_append(&w->row, val.ptr, val.len);
    w->bytes += key.len + val.len;
    str_t rk = {(const char *)k, sizeof k}, rv = {w->row.data, w->row.len};
    /* The newest id sorts last, so rows in database order append. */
    bool in_order = (int)db >= w->last_db;
    w->last_db = in_order ? (int)db : w->last_db;
    return in_order ? store_append(w->txn, STORE_DB_SNAPSHOTS, rk, rv) : store_put(w->txn, STORE_DB_SNAPSHOTS, rk, rv);
}

static bool has_prefix(str_t k, str_t prefix)
{
    return !prefix.len || (k.len >= prefix.len && memcmp(k.ptr, prefix.ptr, prefix.len) == 0);
}

int snapstore_copy(snapstore_writer_t *w, store_db_t db, str_t prefix, bool exact)
{
    store_cursor_t *c;
    int rc = store_cursor_open(w->txn, db, &c);
    if (rc)
        return rc;
    str_t k, v;
    for (rc = store_cursor_seek(c, prefix, &k, &v); rc == 0 && has_prefix(k, prefix);
         rc = store_cursor_next(c, &k, &v)) {
        if (exact && k.len != prefix.len)
            break;
        if ((rc = snapstore_add(w, db, k, v)) != 0)
            break;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int snapstore_finish(snapstore_writer_t *w, const char *name, json_t *desc)
{
    json_t *d = json_copy(desc), *dbs = json_object();
    for (int i = 0; i < STORE_DB_COUNT_; i++)
        json_object_set_new(dbs, store_db_name((store_db_t)i), json_integer(i));
    json_object_set_new(d, "dbs", dbs);
    char *text = xjson_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    buf_t key = BUF_INIT, val = BUF_INIT;
    buf_put_u32be(&val, w->id);
    buf_puts(&val, text);
    free(text);
    int rc = store_put(w->txn, STORE_DB_SNAPSHOTS, dir_key(&key, name), (str_t){val.data, val.len});
    buf_free(&key);
    buf_free(&val);
    return rc;
}

/* A directory entry's id and description; STORE_ERR_IO when unreadable. */
static int dir_entry(str_t v, uint32_t *id, json_t **desc)
{
    *desc = v.len > 4 ? json_loadb(v.ptr + 4, v.len - 4, 0, NULL) : NULL;
    if (!json_is_object(*desc)) {
        json_decref(*desc);
        *desc = NULL;
        return STORE_ERR_IO;
    }
    *id = be32_get((const uint8_t *)v.ptr);
    return 0;
}

int snapstore_find(store_txn_t *txn, const char *name, uint32_t *id, json_t **desc)
{
    buf_t key = BUF_INIT;
    str_t v;
    int rc = store_get(txn, STORE_DB_SNAPSHOTS, dir_key(&key, name), &v);
    buf_free(&key);
    return rc ? rc : dir_entry(v, id, desc);
}

int snapstore_each(store_txn_t *txn, int (*fn)(void *ud, const char *name, uint32_t id, json_t *desc), void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_SNAPSHOTS, &c);
    if (rc)
        return rc;
    str_t k, v, prefix = STR_LIT("D");
    for (rc = store_cursor_seek(c, prefix, &k, &v); rc == 0 && has_prefix(k, prefix);
         rc = store_cursor_next(c, &k, &v)) {
        uint32_t id;
        json_t *desc;
        if (dir_entry(v, &id, &desc) != 0)
            continue; /* unreadable: not listed */
        char *name = xstrndup(k.ptr + 1, k.len - 1);
        int stop = fn(ud, name, id, desc);
        free(name);
        json_decref(desc);
        if (stop)
            break;
    }
    store_cursor_close(c);
    return rc < 0 ? rc : 0;
}

int snapstore_delete(store_txn_t *txn, const char *name, uint32_t id)
{
    uint8_t p[5] = {'R'};
    be32_put(p + 1, id);
    int rc = store_del_range(txn, STORE_DB_SNAPSHOTS, (str_t){(const char *)p, 5}, NULL);
    buf_t key = BUF_INIT;
    if (!rc)
        rc = store_del(txn, STORE_DB_SNAPSHOTS, dir_key(&key, name));
    buf_free(&key);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int snapstore_rows(store_txn_t *txn, uint32_t id, const json_t *desc, store_db_t db, snapstore_row_fn fn, void *ud)
{
    json_t *num = json_object_get(json_object_get(desc, "dbs"), store_db_name(db));
    if (!json_is_integer(num))
        return 0; /* a database the snapshot's build did not have */
    uint8_t p[ROW_DB_PREFIX] = {'R'};
    be32_put(p + 1, id);
    p[5] = (uint8_t)json_integer_value(num);
    str_t prefix = {(const char *)p, sizeof p}, k, v;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_SNAPSHOTS, &c);
    if (rc)
        return rc;
    for (rc = store_cursor_seek(c, prefix, &k, &v); rc == 0 && has_prefix(k, prefix);
         rc = store_cursor_next(c, &k, &v)) {
        size_t klen = v.len >= 2 ? (size_t)((uint8_t)v.ptr[0] << 8 | (uint8_t)v.ptr[1]) : SIZE_MAX;
        if (klen > v.len - 2) {
            rc = STORE_ERR_IO;
            break;
        }
        if ((rc = fn(ud, (str_t){v.ptr + 2, klen}, (str_t){v.ptr + 2 + klen, v.len - 2 - klen})) != 0)
            break;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

typedef struct put_ctx {
    store_txn_t *txn;
    store_db_t db;
    bool append;
} put_ctx_t;

static int put_row(void *ud, str_t key, str_t val)
{
    put_ctx_t *p = ud;
    return p->append ? store_append(p->txn, p->db, key, val) : store_put(p->txn, p->db, key, val);
}

int snapstore_restore_db(store_txn_t *txn, uint32_t id, const json_t *desc, store_db_t db, bool append)
{
    put_ctx_t p = {txn, db, append};
    return snapstore_rows(txn, id, desc, db, put_row, &p);
}
