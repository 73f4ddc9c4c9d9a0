/* history.c - the items' undo log (see history.h). */
#include "storage/history.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/endian.h"
#include "storage/itemstore.h"

#define ENTRY_KEY_LEN (4 + HISTORY_HASH_LEN + 8)
#define LOG_KEY_LEN 12
#define HEADER_LEN 4
#define VALUE_HEAD 9 /* time + present */

static const str_t seq_key = STR_LIT("history_seq");

static str_t str_of(const uint8_t *p, size_t n) { return (str_t){(const char *)p, n}; }

/* The hash that stands for an item key: its XXH3-128 after the table id. */
static void key_hash(const key_buf_t *key, uint8_t out[HISTORY_HASH_LEN])
{
    XXH128_hash_t h = XXH3_128bits(key->b + 4, key->len - 4);
    be64_put(out, h.high64);
    be64_put(out + 8, h.low64);
}

/* Sequence numbers come from memory on the writer thread: a write pays no
 * counter update. The counter is stored ("history_seq") only when a pin
 * reads it, and at its first use it starts above the stored value and
 * above every logged entry, so after a restart no number is handed out
 * twice or at or below a pin. Gaps (a write whose transaction failed) are
 * harmless: only the order counts. */
static uint64_t seq_last; /* the last number handed out */
static bool seq_loaded;

/* The highest sequence number in the log (each table's last entry). */
static int max_logged_seq(store_txn_t *txn, uint64_t *out)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY_LOG, &c);
    if (rc)
        return rc;
    str_t k, v;
    uint8_t next[4] = {0, 0, 0, 0};
    *out = 0;
    for (rc = store_cursor_seek(c, str_of(next, 4), &k, &v); rc == 0 && k.len >= 4;) {
        uint32_t id = be32_get((const uint8_t *)k.ptr);
        if (id == UINT32_MAX)
            break; /* table ids never get there */
        be32_put(next, id + 1);
        rc = store_cursor_seek_before(c, str_of(next, 4), &k, &v); /* the table's last row */
        if (rc == 0 && k.len == LOG_KEY_LEN && be64_get((const uint8_t *)k.ptr + 4) > *out)
            *out = be64_get((const uint8_t *)k.ptr + 4);
        if (rc == 0)
            rc = store_cursor_seek(c, str_of(next, 4), &k, &v);
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static int seq_load(store_txn_t *txn)
{
    if (seq_loaded)
        return 0;
    str_t v;
    uint64_t stored = 0, logged;
    int rc = store_get(txn, STORE_DB_META, seq_key, &v);
    if (rc == 0 && v.len == 8)
        stored = be64_get((const uint8_t *)v.ptr);
    else if (rc != STORE_NOTFOUND)
        return rc;
    if ((rc = max_logged_seq(txn, &logged)) != 0)
        return rc;
    seq_last = stored > logged ? stored : logged;
    seq_loaded = true;
    return 0;
}

int history_last_seq(store_txn_t *txn, uint64_t *out)
{
    int rc = seq_load(txn);
    if (rc)
        return rc;
    *out = seq_last;
    uint8_t b[8];
    be64_put(b, seq_last);
    return store_put(txn, STORE_DB_META, seq_key, str_of(b, 8));
}

static int next_seq(store_txn_t *txn, uint64_t *out)
{
    int rc = seq_load(txn);
    if (!rc)
        *out = ++seq_last;
    return rc;
}

int history_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                     const value_t *new_item)
{
    if (!t->keep_history || (!old_item && !new_item))
        return 0;
    if (old_item && new_item && value_equal(old_item, new_item))
        return 0; /* nothing changed: nothing to undo */
    uint64_t seq;
    int rc = next_seq(txn, &seq);
    if (rc)
        return rc;
    int64_t now = clock_now_ms();
    uint8_t ek[ENTRY_KEY_LEN], lk[LOG_KEY_LEN], lv[8 + HISTORY_HASH_LEN];
    be32_put(ek, t->id);
    key_hash(key, ek + 4);
    be64_put(ek + 4 + HISTORY_HASH_LEN, seq);
    buf_t v = BUF_INIT;
    buf_put_u64be(&v, (uint64_t)now);
    buf_putc(&v, old_item != NULL);
    if (old_item)
        value_encode(&v, old_item);
    else /* the item key, which no image holds (an incremental export needs it) */
        buf_append(&v, key->b + 4, key->len - 4);
    rc = store_put(txn, STORE_DB_HISTORY, str_of(ek, sizeof ek), (str_t){v.data, v.len});
    buf_free(&v);
    if (rc)
        return rc;
    be32_put(lk, t->id);
    be64_put(lk + 4, seq);
    be64_put(lv, (uint64_t)now);
    memcpy(lv + 8, ek + 4, HISTORY_HASH_LEN);
    return store_put(txn, STORE_DB_HISTORY_LOG, str_of(lk, sizeof lk), str_of(lv, sizeof lv));
}

void history_attach(void)
{
    seq_loaded = false; /* a store opened anew: load the counter again */
    itemstore_on_change(history_on_write);
}

int history_register(store_txn_t *txn, const table_t *t)
{
    uint8_t hk[HEADER_LEN];
    be32_put(hk, t->id);
    buf_t ck = BUF_INIT;
    catalog_key(t->ns, str_from_cstr(t->name), &ck);
    int rc = store_put(txn, STORE_DB_HISTORY_LOG, str_of(hk, sizeof hk), (str_t){ck.data, ck.len});
    buf_free(&ck);
    return rc;
}

int history_pin(store_txn_t *txn, const table_t *t, int delta)
{
    json_t *desc = json_deep_copy(t->desc);
    json_int_t pins = json_integer_value(json_object_get(desc, "ddbd_pins")) + delta;
    if (pins > 0)
        json_object_set_new(desc, "ddbd_pins", json_integer(pins));
    else
        json_object_del(desc, "ddbd_pins");
    table_t *nt = table_from_json(t->ns, desc); /* takes desc */
    int rc = catalog_put(txn, nt);
    if (!rc && delta > 0)
        rc = history_register(txn, nt);
    table_free(nt);
    return rc;
}

int history_unpin(store_txn_t *txn, catalog_cache_t *cache, const char *ns, const char *name, uint32_t id)
{
    const table_t *t;
    int rc = name ? catalog_lookup(cache, txn, ns, str_from_cstr(name), &t) : 0;
    if (rc || !name || !t || t->id != id)
        return rc;
    return history_pin(txn, t, -1);
}

/* Whether the entry (key k, value v) is a change after pin. */
static bool after_pin(str_t k, str_t v, const history_pin_t *pin)
{
    uint64_t seq = be64_get((const uint8_t *)k.ptr + 4 + HISTORY_HASH_LEN);
    int64_t time = (int64_t)be64_get((const uint8_t *)v.ptr);
    return seq > pin->seq || time > pin->time_ms;
}

/* The before-image an entry holds (present false when the item was absent). */
static int entry_image(arena_t *a, str_t v, value_t *out, bool *present)
{
    if (v.len < VALUE_HEAD)
        return STORE_ERR_IO;
    *present = v.ptr[8] != 0;
    if (!*present)
        return 0;
    return value_decode(a, (const uint8_t *)v.ptr + VALUE_HEAD, v.len - VALUE_HEAD, out) ? STORE_ERR_IO : 0;
}

static bool in_group(str_t k, const uint8_t *prefix, size_t n)
{
    return k.len == ENTRY_KEY_LEN && memcmp(k.ptr, prefix, n) == 0;
}

/* The first entry of the group (table id . hash in prefix) after pin:
 * *hit, and its image. */
static int first_after(store_cursor_t *c, const uint8_t prefix[4 + HISTORY_HASH_LEN], const history_pin_t *pin,
                       arena_t *a, bool *hit, value_t *out, bool *present)
{
    str_t k, v;
    *hit = false;
    int rc = store_cursor_seek(c, str_of(prefix, 4 + HISTORY_HASH_LEN), &k, &v);
    for (; rc == 0 && in_group(k, prefix, 4 + HISTORY_HASH_LEN); rc = store_cursor_next(c, &k, &v))
        if (v.len >= VALUE_HEAD && after_pin(k, v, pin)) {
            *hit = true;
            return entry_image(a, v, out, present);
        }
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int history_change_after(store_txn_t *txn, arena_t *a, const key_buf_t *key, const history_pin_t *pin, bool *hit,
                         value_t *out, bool *present)
{
    uint8_t prefix[4 + HISTORY_HASH_LEN];
    memcpy(prefix, key->b, 4);
    key_hash(key, prefix + 4);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY, &c);
    if (rc)
        return rc;
    rc = first_after(c, prefix, pin, a, hit, out, present);
    store_cursor_close(c);
    return rc;
}

int history_item_at(store_txn_t *txn, arena_t *a, const key_buf_t *key, const history_pin_t *pin, value_t *out,
                    bool *found)
{
    bool hit;
    int rc = history_change_after(txn, a, key, pin, &hit, out, found);
    if (rc || hit)
        return rc;
    str_t v; /* unchanged since the pin: the item as it is */
    rc = store_get(txn, STORE_DB_ITEMS, str_of(key->b, key->len), &v);
    *found = rc == 0;
    if (rc)
        return rc == STORE_NOTFOUND ? 0 : rc;
    return value_decode(a, (const uint8_t *)v.ptr, v.len, out) ? STORE_ERR_IO : 0;
}

/* The next group of table id after `after` (a full prefix), into next;
 * false at the table's end. */
static int next_group(store_cursor_t *c, const uint8_t after[4 + HISTORY_HASH_LEN], uint8_t next[4 + HISTORY_HASH_LEN],
                      bool *found)
{
    uint8_t seek[ENTRY_KEY_LEN];
    memcpy(seek, after, 4 + HISTORY_HASH_LEN);
    memset(seek + 4 + HISTORY_HASH_LEN, 0xff, 8); /* past every entry of `after` */
    str_t k, v;
    *found = false;
    int rc = store_cursor_seek(c, str_of(seek, sizeof seek), &k, &v);
    if (rc == 0 && k.len == ENTRY_KEY_LEN && memcmp(k.ptr, seek, sizeof seek) == 0)
        rc = store_cursor_next(c, &k, &v);
    if (rc == 0 && k.len == ENTRY_KEY_LEN && memcmp(k.ptr, after, 4) == 0) {
        memcpy(next, k.ptr, 4 + HISTORY_HASH_LEN);
        *found = true;
    }
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* The table's first hash group (group holds its id and zeros) or, with
 * after, the one after group; *found false when there is none. */
static int first_group(store_cursor_t *c, bool after, uint8_t group[4 + HISTORY_HASH_LEN], bool *found)
{
    if (after)
        return next_group(c, group, group, found);
    str_t k, v; /* the all-zero hash may itself be a group: seek to it, not past it */
    int rc = store_cursor_seek(c, str_of(group, 4), &k, &v);
    *found = rc == 0 && k.len == ENTRY_KEY_LEN && memcmp(k.ptr, group, 4) == 0;
    if (*found)
        memcpy(group, k.ptr, 4 + HISTORY_HASH_LEN);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int history_changed(store_txn_t *txn, arena_t *a, uint32_t table_id, const uint8_t *after, const history_pin_t *pin,
                    size_t max, int (*fn)(void *ud, const history_change_t *c), void *ud,
                    uint8_t last[HISTORY_HASH_LEN], bool *more)
{
    uint8_t group[4 + HISTORY_HASH_LEN];
    be32_put(group, table_id);
    if (after)
        memcpy(group + 4, after, HISTORY_HASH_LEN);
    else
        memset(group + 4, 0, HISTORY_HASH_LEN); /* seek from the table's first hash, included below */
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY, &c);
    if (rc)
        return rc;
    *more = false;
    bool found;
    rc = first_group(c, after != NULL, group, &found);
    for (size_t n = 0; rc == 0 && found; n++) {
        if (n == max) {
            *more = true;
            break;
        }
        history_change_t ch;
        bool hit;
        memcpy(ch.hash, group + 4, HISTORY_HASH_LEN);
        rc = first_after(c, group, pin, a, &hit, &ch.item, &ch.present);
        if (!rc && hit)
            rc = fn(ud, &ch);
        memcpy(last, group + 4, HISTORY_HASH_LEN);
        if (!rc)
            rc = next_group(c, group, group, &found);
    }
    store_cursor_close(c);
    return rc;
}

int history_trim(store_txn_t *txn, uint32_t table_id, int64_t before_ms, uint64_t max_seq, size_t max,
                 uint64_t *removed, bool *more)
{
    uint8_t start[LOG_KEY_LEN] = {0};
    be32_put(start, table_id);
    *removed = 0;
    *more = false;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY_LOG, &c);
    if (rc)
        return rc;
    str_t k, v;
    rc = store_cursor_seek(c, str_of(start, sizeof start), &k, &v);
    while (rc == 0 && k.len == LOG_KEY_LEN && memcmp(k.ptr, start, 4) == 0 && v.len == 8 + HISTORY_HASH_LEN) {
        uint64_t seq = be64_get((const uint8_t *)k.ptr + 4);
        if ((int64_t)be64_get((const uint8_t *)v.ptr) >= before_ms || seq > max_seq)
            break;
        if (*removed == max) {
            *more = true;
            break;
        }
        uint8_t ek[ENTRY_KEY_LEN], lk[LOG_KEY_LEN];
        memcpy(ek, start, 4);
        memcpy(ek + 4, v.ptr + 8, HISTORY_HASH_LEN);
        be64_put(ek + 4 + HISTORY_HASH_LEN, seq);
        memcpy(lk, k.ptr, LOG_KEY_LEN);
        rc = store_del(txn, STORE_DB_HISTORY, str_of(ek, sizeof ek));
        if (rc == 0 || rc == STORE_NOTFOUND)
            rc = store_del(txn, STORE_DB_HISTORY_LOG, str_of(lk, sizeof lk));
        if (rc)
            break;
        (*removed)++;
        rc = store_cursor_seek(c, str_of(lk, sizeof lk), &k, &v); /* the next one */
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int history_drop_table(store_txn_t *txn, uint32_t table_id)
{
    uint8_t p[4];
    be32_put(p, table_id);
    int rc = store_del_prefix(txn, STORE_DB_HISTORY, str_of(p, 4), NULL);
    return rc ? rc : store_del_prefix(txn, STORE_DB_HISTORY_LOG, str_of(p, 4), NULL);
}

int history_tables(store_txn_t *txn, history_table_ref_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY_LOG, &c);
    if (rc)
        return rc;
    size_t cap = 0;
    str_t k, v;
    uint8_t next[4] = {0, 0, 0, 0};
    for (rc = store_cursor_seek(c, str_of(next, 4), &k, &v); rc == 0;) {
        if (k.len < 4)
            break;
        uint32_t id = be32_get((const uint8_t *)k.ptr);
        const char *nul = k.len == HEADER_LEN ? memchr(v.ptr, '\0', v.len) : NULL;
        if (nul) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                *out = xreallocarray(*out, cap, sizeof **out);
            }
            history_table_ref_t *r = &(*out)[(*n)++];
            *r = (history_table_ref_t){id,
                                       xstrndup(v.ptr, (size_t)(nul - v.ptr)),
                                       xstrndup(nul + 1, v.len - (size_t)(nul - v.ptr) - 1),
                                       false,
                                       0,
                                       0};
            rc = store_cursor_next(c, &k, &v);
            if (rc == 0 && k.len == LOG_KEY_LEN && be32_get((const uint8_t *)k.ptr) == id && v.len >= 8) {
                r->has_entries = true;
                r->oldest_seq = be64_get((const uint8_t *)k.ptr + 4);
                r->oldest_ms = (int64_t)be64_get((const uint8_t *)v.ptr);
            } else if (rc && rc != STORE_NOTFOUND) {
                break;
            }
        }
        if (id == UINT32_MAX)
            break;
        be32_put(next, id + 1);
        rc = store_cursor_seek(c, str_of(next, 4), &k, &v);
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

void history_tables_free(history_table_ref_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].ns);
        free(t[i].name);
    }
    free(t);
}

/* ---- changes in a window (incremental exports) ------------------------------- */

/* What one key's entries say of the window (from, to]. */
typedef struct group_scan {
    bool in_window; /* some change falls in the window */
    bool old_present, new_hit, new_present;
    value_t old_item, new_item;
    int64_t last_ms;
    bool have_key;
    key_buf_t key;
} group_scan_t;

static void scan_key(const table_t *t, str_t v, const value_t *image, bool present, group_scan_t *g)
{
    if (g->have_key)
        return;
    if (present) {
        key_encode(t->id, &t->ks, image, &g->key);
        g->have_key = true;
    } else if (v.len > VALUE_HEAD && v.len - VALUE_HEAD <= KEY_LMDB_MAX - 4) {
        be32_put(g->key.b, t->id);
        memcpy(g->key.b + 4, v.ptr + VALUE_HEAD, v.len - VALUE_HEAD);
        g->key.len = 4 + v.len - VALUE_HEAD;
        g->have_key = true;
    }
}

static int scan_group(store_cursor_t *c, const table_t *t, const uint8_t prefix[4 + HISTORY_HASH_LEN],
                      const history_pin_t *from, const history_pin_t *to, arena_t *a, group_scan_t *g)
{
    str_t k, v;
    bool seen_from = false;
    memset(g, 0, sizeof *g);
    int rc = store_cursor_seek(c, str_of(prefix, 4 + HISTORY_HASH_LEN), &k, &v);
    for (; rc == 0 && in_group(k, prefix, 4 + HISTORY_HASH_LEN); rc = store_cursor_next(c, &k, &v)) {
        if (v.len < VALUE_HEAD || !after_pin(k, v, from))
            continue;
        value_t image;
        bool present;
        if ((rc = entry_image(a, v, &image, &present)) != 0)
            return rc;
        scan_key(t, v, &image, present, g);
        if (!seen_from) { /* the first change after from: the item as it was then */
            seen_from = true;
            g->old_present = present;
            g->old_item = image;
        }
        if (after_pin(k, v, to)) { /* the first change after to: the item as it was then */
            g->new_hit = true;
            g->new_present = present;
            g->new_item = image;
            break;
        }
        g->in_window = true;
        g->last_ms = (int64_t)be64_get((const uint8_t *)v.ptr);
    }
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* The item as it is now (nothing changed it after to). */
static int current_item(store_txn_t *txn, arena_t *a, group_scan_t *g)
{
    str_t v;
    int rc = g->have_key ? store_get(txn, STORE_DB_ITEMS, str_of(g->key.b, g->key.len), &v) : STORE_NOTFOUND;
    g->new_present = rc == 0;
    if (rc)
        return rc == STORE_NOTFOUND ? 0 : rc;
    return value_decode(a, (const uint8_t *)v.ptr, v.len, &g->new_item) ? STORE_ERR_IO : 0;
}

int history_window(store_txn_t *txn, arena_t *a, const table_t *t, const uint8_t *after, const history_pin_t *from,
                   const history_pin_t *to, size_t max, int (*fn)(void *ud, const history_delta_t *d), void *ud,
                   uint8_t last[HISTORY_HASH_LEN], bool *more)
{
    uint8_t group[4 + HISTORY_HASH_LEN];
    be32_put(group, t->id);
    memset(group + 4, 0, HISTORY_HASH_LEN);
    if (after)
        memcpy(group + 4, after, HISTORY_HASH_LEN);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_HISTORY, &c);
    if (rc)
        return rc;
    *more = false;
    bool found;
    rc = first_group(c, after != NULL, group, &found);
    for (size_t n = 0; rc == 0 && found; n++) {
        if (n == max) {
            *more = true;
            break;
        }
        group_scan_t g;
        rc = scan_group(c, t, group, from, to, a, &g);
        if (!rc && g.in_window && !g.new_hit)
            rc = current_item(txn, a, &g);
        if (!rc && g.in_window && g.have_key && (g.old_present || g.new_present)) {
            history_delta_t d = {g.key, g.old_present, g.new_present, g.old_item, g.new_item, g.last_ms};
            rc = fn(ud, &d);
        }
        memcpy(last, group + 4, HISTORY_HASH_LEN);
        if (!rc)
            rc = next_group(c, group, group, &found);
    }
    store_cursor_close(c);
    return rc;
}
