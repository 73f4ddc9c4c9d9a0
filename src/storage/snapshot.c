/* snapshot.c - a table as it was, or a backup, in chunks (see snapshot.h).
 *
 * Each pass first gathers its chunk with one cursor, then hands it over
 * with the cursor closed: the consumer writes (a restore into the items
 * database the cursor reads), and the history lookups open cursors of
 * their own. */
#include "storage/snapshot.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/endian.h"

#define CHUNK_BYTES (4u * 1024 * 1024) /* a chunk stops growing past this much item data */

typedef struct got {
    key_buf_t key;
    value_t item;
} got_t;

static str_t key_str(const key_buf_t *k) { return (str_t){(const char *)k->b, k->len}; }

/* Up to max items after pos into got (in a); *end when the source has no
 * more after them. */
static int gather(store_txn_t *txn, const snapshot_src_t *src, const snapshot_pos_t *pos, size_t max, arena_t *a,
                  got_t *got, size_t *n, bool *end)
{
    uint8_t prefix[4];
    be32_put(prefix, src->id);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, src->from_backup ? STORE_DB_BACKUP_ITEMS : STORE_DB_ITEMS, &c);
    if (rc)
        return rc;
    str_t k, v, seek = pos->at_len ? (str_t){(const char *)pos->at, pos->at_len} : (str_t){(const char *)prefix, 4};
    rc = store_cursor_seek(c, seek, &k, &v);
    if (rc == 0 && pos->at_len && k.len == pos->at_len && memcmp(k.ptr, pos->at, k.len) == 0)
        rc = store_cursor_next(c, &k, &v);
    size_t bytes = 0;
    *n = 0;
    *end = true;
    for (; rc == 0 && k.len > 4 && k.len <= KEY_LMDB_MAX && memcmp(k.ptr, prefix, 4) == 0;
         rc = store_cursor_next(c, &k, &v)) {
        if (*n == max || bytes > CHUNK_BYTES) {
            *end = false;
            break;
        }
        got_t *g = &got[*n];
        memcpy(g->key.b, k.ptr, k.len);
        g->key.len = k.len;
        if (value_decode(a, (const uint8_t *)v.ptr, v.len, &g->item)) {
            rc = STORE_ERR_IO;
            break;
        }
        bytes += v.len;
        (*n)++;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* The first pass: the source's items, each as it was at the pin. */
static int first_pass(store_txn_t *txn, const snapshot_src_t *src, snapshot_pos_t *pos, size_t max, snapshot_fn fn,
                      void *ud, bool *end)
{
    arena_t a;
    arena_init(&a);
    got_t *got = arena_alloc(&a, max * sizeof *got);
    size_t n;
    int rc = gather(txn, src, pos, max, &a, got, &n, end);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        value_t past = got[i].item;
        bool hit = false, present = true;
        if (!src->from_backup && !src->drop)
            rc = history_change_after(txn, &a, &got[i].key, &src->pin, &hit, &past, &present);
        if (!rc && present)
            rc = fn(ud, &got[i].key, hit ? &past : &got[i].item);
        if (!rc && src->drop)
            rc = store_del(txn, src->from_backup ? STORE_DB_BACKUP_ITEMS : STORE_DB_ITEMS, key_str(&got[i].key));
        if (!rc) {
            memcpy(pos->at, got[i].key.b, got[i].key.len);
            pos->at_len = got[i].key.len;
        }
    }
    arena_free(&a);
    return rc;
}

typedef struct changes {
    history_change_t *list;
    size_t n;
} changes_t;

static int collect(void *ud, const history_change_t *c)
{
    changes_t *ch = ud;
    ch->list[ch->n++] = *c; /* its item lives in the pass's arena */
    return 0;
}

/* The second pass: keys changed since the pin that existed then. */
static int second_pass(store_txn_t *txn, const snapshot_src_t *src, const key_schema_t *ks, snapshot_pos_t *pos,
                       size_t max, snapshot_fn fn, void *ud, bool *end)
{
    arena_t a;
    arena_init(&a);
    changes_t ch = {arena_alloc(&a, max * sizeof *ch.list), 0};
    uint8_t last[HISTORY_HASH_LEN];
    bool more;
    int rc = history_changed(txn, &a, src->id, pos->at_len == HISTORY_HASH_LEN ? pos->at : NULL, &src->pin, max,
                             collect, &ch, last, &more);
    for (size_t i = 0; rc == 0 && i < ch.n; i++) {
        if (!ch.list[i].present)
            continue; /* created since the pin: not in the past */
        key_buf_t key;
        key_encode(src->id, ks, &ch.list[i].item, &key);
        rc = fn(ud, &key, &ch.list[i].item);
    }
    arena_free(&a);
    if (rc)
        return rc;
    if (ch.n || more) {
        memcpy(pos->at, last, HISTORY_HASH_LEN);
        pos->at_len = HISTORY_HASH_LEN;
    }
    *end = !more;
    return 0;
}

int snapshot_chunk(store_txn_t *txn, const snapshot_src_t *src, const key_schema_t *ks, snapshot_pos_t *pos, size_t max,
                   snapshot_fn fn, void *ud, bool *done)
{
    bool end = true;
    int rc = 0;
    *done = false;
    if (max == 0)
        max = 1;
    if (pos->phase == 0) {
        rc = first_pass(txn, src, pos, max, fn, ud, &end);
        if (!rc && end) {
            /* backups and deleted tables have no history to read */
            pos->phase = src->from_backup || src->drop ? 2 : 1;
            pos->at_len = 0;
        }
    } else if (pos->phase == 1) {
        rc = second_pass(txn, src, ks, pos, max, fn, ud, &end);
        if (!rc && end)
            pos->phase = 2;
    }
    *done = pos->phase == 2;
    return rc;
}

void snapshot_pos_hex(const snapshot_pos_t *pos, char *out, size_t out_len)
{
    size_t i = 0;
    out[0] = '\0';
    for (; i < pos->at_len && 2 * i + 2 < out_len; i++)
        snprintf(out + 2 * i, 3, "%02x", pos->at[i]);
}

int snapshot_pos_parse(int phase, const char *hex, snapshot_pos_t *out)
{
    memset(out, 0, sizeof *out);
    out->phase = phase;
    size_t n = hex ? strlen(hex) : 0;
    if (phase < 0 || phase > 2 || n % 2 || n / 2 > sizeof out->at)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned x;
        if (sscanf(hex + 2 * i, "%2x", &x) != 1)
            return -1;
        out->at[i] = (uint8_t)x;
    }
    out->at_len = n / 2;
    return 0;
}
