/* index.c - secondary index entries (see index.h). */
#include "storage/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/endian.h"
#include "storage/vector_index.h"

/* ---- checks and projections ------------------------------------------------ */

#define MSG_INVALID "One or more parameter values were invalid: "

/* The size an index key group may reach: as for a table's keys, 2048
 * bytes of partition key and 1024 of sort key. */
#define INDEX_HASH_MAX_BYTES KEY_PARTITION_MAX_BYTES
#define INDEX_RANGE_MAX_BYTES KEY_SORT_MAX_BYTES

static int check_key_value(const table_index_t *ix, const key_attr_t *ka, const value_t *v, err_t *e)
{
    if (v->type != ka->type)
        return err_set(e, ERR_VALIDATION,
                       MSG_INVALID "Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
                       STR_FMT(ka->name), vtype_name(ka->type), vtype_name(v->type), ix->name);
    if (v->type != VT_N && v->s.len == 0)
        return err_set(e, ERR_VALIDATION,
                       "One or more parameter values are not valid. A value specified for a secondary "
                       "index key is not supported. The AttributeValue for a key attribute cannot "
                       "contain an empty %s value. IndexName: %s, IndexKey: %.*s",
                       v->type == VT_S ? "string" : "binary", ix->name, STR_FMT(ka->name));
    return 0;
}

/* One group of key attributes (HASH or RANGE) within its size limit. A
 * single attribute has the table's limits and words (AWS's words for an
 * index are not recorded); a multi-attribute group is limited in
 * aggregate, counted as DynamoDB sizes values (a number by its digits),
 * over the attributes the item has, in DynamoDB Local 3.3's words. */
static int check_group_size(const table_index_t *ix, const key_attr_t *attrs, size_t n, bool hash, const value_t *item,
                            err_t *e)
{
    size_t total = 0, max = hash ? INDEX_HASH_MAX_BYTES : INDEX_RANGE_MAX_BYTES;
    bool one_over = false;
    buf_t names = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const value_t *v = item_get(item, attrs[i].name);
        if (!v)
            continue;
        size_t size = v->type == VT_N ? value_size(v) : v->s.len;
        one_over = one_over || size > max;
        total += size;
        buf_printf(&names, "%s%.*s", names.len ? ", " : "", STR_FMT(attrs[i].name));
    }
    int rc = 0;
    if (total > max && n == 1)
        rc = err_set(e, ERR_VALIDATION,
                     hash ? MSG_INVALID "Size of hashkey has exceeded the maximum size limit of2048 bytes"
                          : MSG_INVALID "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    else if (one_over)
        rc = err_set(e, ERR_VALIDATION, MSG_INVALID "Size limit exceeded");
    else if (total > max)
        rc = err_set(e, ERR_VALIDATION,
                     "Aggregate size for %s key attributes %.*s of index %s has exceeded limit %zu bytes, with actual "
                     "size %zu bytes",
                     hash ? "HASH" : "RANGE", (int)names.len, names.data, ix->name, max, total);
    buf_free(&names);
    return rc;
}

static int check_index_keys(const table_index_t *ix, const value_t *item, err_t *e)
{
    for (int g = 0; g < 2; g++) {
        const key_attr_t *attrs = g == 0 ? ix->hash : ix->range;
        size_t n = g == 0 ? ix->n_hash : ix->n_range;
        for (size_t i = 0; i < n; i++) {
            const value_t *v = item_get(item, attrs[i].name);
            if (v && check_key_value(ix, &attrs[i], v, e))
                return -1;
        }
    }
    if (check_group_size(ix, ix->hash, ix->n_hash, true, item, e) ||
        check_group_size(ix, ix->range, ix->n_range, false, item, e))
        return -1;
    return 0;
}

int index_check_item(const table_t *t, const value_t *item, err_t *e)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (check_index_keys(&t->indexes[i], item, e))
            return -1;
    return vindex_check_item(t, item, e);
}

bool index_key_valid(const table_index_t *ix, const value_t *item)
{
    err_t e;
    err_clear(&e);
    return index_has_item(ix, item) && check_index_keys(ix, item, &e) == 0;
}

static bool has_attr(const value_t *item, const key_attr_t *ka)
{
    const value_t *v = item_get(item, ka->name);
    return v && v->type == ka->type;
}

bool index_has_item(const table_index_t *ix, const value_t *item)
{
    for (size_t i = 0; i < ix->n_hash; i++)
        if (!has_attr(item, &ix->hash[i]))
            return false;
    for (size_t i = 0; i < ix->n_range; i++)
        if (!has_attr(item, &ix->range[i]))
            return false;
    return true;
}

static value_t with_attr(arena_t *a, value_t m, const value_t *item, str_t name)
{
    const value_t *v = name.len ? item_get(item, name) : NULL;
    return v && !item_get(&m, name) ? item_with(a, &m, name, v) : m;
}

value_t index_key_of(arena_t *a, const table_index_t *ix, const value_t *item, value_t m)
{
    for (size_t i = 0; i < ix->n_hash; i++)
        m = with_attr(a, m, item, ix->hash[i].name);
    for (size_t i = 0; i < ix->n_range; i++)
        m = with_attr(a, m, item, ix->range[i].name);
    return m;
}

bool index_is_key(const table_index_t *ix, str_t name)
{
    for (size_t i = 0; i < ix->n_hash; i++)
        if (str_eq(name, ix->hash[i].name))
            return true;
    for (size_t i = 0; i < ix->n_range; i++)
        if (str_eq(name, ix->range[i].name))
            return true;
    return false;
}

value_t index_project(arena_t *a, const table_t *t, const table_index_t *ix, const value_t *item)
{
    if (ix->projection == PROJ_ALL)
        return *item;
    value_t m = {.type = VT_M};
    m = with_attr(a, m, item, t->ks.hash.name);
    m = with_attr(a, m, item, t->ks.range.name);
    m = index_key_of(a, ix, item, m);
    for (size_t i = 0; i < ix->n_include; i++)
        m = with_attr(a, m, item, ix->include[i]);
    return m;
}

bool index_projects(const table_t *t, const table_index_t *ix, str_t name)
{
    if (ix->projection == PROJ_ALL || str_eq(name, t->ks.hash.name) || str_eq(name, t->ks.range.name) ||
        index_is_key(ix, name))
        return true;
    for (size_t i = 0; i < ix->n_include; i++)
        if (str_eq(name, ix->include[i]))
            return true;
    return false;
}

/* ---- entry keys ------------------------------------------------------------------ */

void index_key_table(uint32_t table_id, uint16_t number, key_buf_t *out)
{
    key_encode_table(table_id, out);
    uint8_t n[2] = {(uint8_t)(number >> 8), (uint8_t)number};
    key_append_bytes(out, n, sizeof n);
}

void index_key_partition(uint32_t table_id, uint16_t number, const value_t *hash_value, key_buf_t *out)
{
    index_key_partition_of(table_id, number, &hash_value, 1, out);
}

/* One HASH value: exactly keys.c's partition hash (a type byte and the
 * value), so single-attribute entries keep the form they always had.
 * Several: each value typed and length-prefixed, so no two tuples share
 * the hashed bytes. */
void index_key_partition_of(uint32_t table_id, uint16_t number, const value_t *const *values, size_t n, key_buf_t *out)
{
    index_key_table(table_id, number, out);
    if (n == 1) {
        key_buf_t item_prefix;
        key_encode_partition(table_id, values[0], &item_prefix);
        key_append_bytes(out, item_prefix.b + 4, KEY_HASH_LEN);
        return;
    }
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        uint8_t head[5] = {(uint8_t)vtype_name(values[i]->type)[0]};
        be32_put(head + 1, (uint32_t)values[i]->s.len);
        buf_append(&b, head, sizeof head);
        buf_append(&b, values[i]->s.ptr, values[i]->s.len);
    }
    key_append_hash(out, b.data, b.len);
    buf_free(&b);
}

void index_escape_sort(const value_t *v, bool terminate, buf_t *out)
{
    buf_t raw = BUF_INIT;
    key_sort_encoding(v, &raw);
    for (size_t i = 0; i < raw.len; i++) {
        buf_putc(out, raw.data[i]);
        if (raw.data[i] == 0)
            buf_putc(out, 1);
    }
    buf_free(&raw);
    if (terminate)
        buf_append(out, "\0\0", 2);
}

void index_key_append_sort_seek(key_buf_t *out, const buf_t *esc)
{
    size_t n = esc->len > INDEX_SORT_INLINE_MAX ? INDEX_SORT_INLINE_MAX : esc->len; /* a group's start */
    key_append_bytes(out, esc->data, n);
}

void index_key_append_sort_open(key_buf_t *out, const value_t *v)
{
    buf_t esc = BUF_INIT;
    index_escape_sort(v, false, &esc);
    index_key_append_sort_seek(out, &esc);
    buf_free(&esc);
}

void index_key_item_partition(const table_t *t, const table_index_t *ix, const value_t *item, key_buf_t *out)
{
    const value_t *hv[INDEX_KEY_ATTRS_MAX];
    static const value_t none = {.type = VT_S};
    for (size_t i = 0; i < ix->n_hash; i++) {
        hv[i] = item_get(item, ix->hash[i].name);
        if (!hv[i])
            hv[i] = &none;
    }
    index_key_partition_of(t->id, ix->number, hv, ix->n_hash, out);
}

void index_key_entry(const table_t *t, const table_index_t *ix, const value_t *item, key_buf_t *out)
{
    index_key_item_partition(t, ix, item, out);
    if (ix->n_range) {
        buf_t esc = BUF_INIT;
        for (size_t i = 0; i < ix->n_range; i++) {
            const value_t *v = item_get(item, ix->range[i].name);
            if (v)
                index_escape_sort(v, true, &esc);
        }
        if (esc.len <= INDEX_SORT_INLINE_MAX) {
            key_append_bytes(out, esc.data, esc.len);
        } else {
            key_append_bytes(out, esc.data, INDEX_SORT_INLINE_MAX);
            key_append_hash(out, esc.data, esc.len);
        }
        buf_free(&esc);
    }
    key_buf_t base;
    key_encode(t->id, &t->ks, item, &base);
    key_append_hash(out, base.b, base.len);
}

/* ---- statistics -------------------------------------------------------------------- */

static str_t stats_key(uint32_t table_id, uint16_t number, key_buf_t *kb)
{
    index_key_table(table_id, number, kb);
    return (str_t){(const char *)kb->b, kb->len};
}

int index_stats_get(store_txn_t *txn, uint32_t table_id, uint16_t number, table_stats_t *out)
{
    key_buf_t kb;
    str_t v;
    memset(out, 0, sizeof *out);
    int rc = store_get(txn, STORE_DB_STATS, stats_key(table_id, number, &kb), &v);
    if (rc == 0 && v.len == sizeof *out)
        memcpy(out, v.ptr, sizeof *out);
    return rc < 0 ? rc : 0;
}

static int stats_add(store_txn_t *txn, uint32_t table_id, uint16_t number, int64_t items, int64_t bytes)
{
    table_stats_t s;
    int rc = index_stats_get(txn, table_id, number, &s);
    if (rc)
        return rc;
    s.items = (uint64_t)((int64_t)s.items + items);
    s.bytes = (uint64_t)((int64_t)s.bytes + bytes);
    key_buf_t kb;
    return store_put(txn, STORE_DB_STATS, stats_key(table_id, number, &kb), (str_t){(const char *)&s, sizeof s});
}

/* ---- item collections ------------------------------------------------------------
 * Sizes live in STORE_DB_STATS under table id . 0xffff . partition hash
 * (index numbers stay far below 0xffff). */

#define COLLECTION_MARK 0xffff
#define COLLECTION_LIMIT_DEFAULT (10ull * 1024 * 1024 * 1024)

bool index_has_lsi(const table_t *t)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (t->indexes[i].local)
            return true;
    return false;
}

static uint64_t collection_limit(void)
{
    const char *env = getenv("DDBD_ITEM_COLLECTION_LIMIT_BYTES");
    char *end;
    unsigned long long v = env ? strtoull(env, &end, 10) : 0;
    return env && *env && !*end && v ? (uint64_t)v : COLLECTION_LIMIT_DEFAULT;
}

static void collection_key(const table_t *t, const value_t *item, key_buf_t *out)
{
    index_key_partition(t->id, COLLECTION_MARK, item_get(item, t->ks.hash.name), out);
}

/* An LSI entry weighs 100 bytes more than its attributes, in write units
 * and in its item collection, as DynamoDB counts it (DynamoDB Local's
 * figures agree); GSI entries carry no such overhead. */
#define LSI_ENTRY_OVERHEAD 100

static size_t entry_bytes(const table_index_t *ix, const value_t *entry)
{
    return item_size(entry) + (ix->local ? LSI_ENTRY_OVERHEAD : 0);
}

/* What an item adds to its collection: itself and its LSI entries. */
static int64_t collection_bytes(arena_t *a, const table_t *t, const value_t *item)
{
    if (!item)
        return 0;
    int64_t n = (int64_t)item_size(item);
    for (size_t i = 0; i < t->n_indexes; i++) {
        const table_index_t *ix = &t->indexes[i];
        if (ix->local && index_has_item(ix, item)) {
            value_t e = index_project(a, t, ix, item);
            n += (int64_t)entry_bytes(ix, &e);
        }
    }
    return n;
}

int index_collection_size(store_txn_t *txn, const table_t *t, const value_t *item, uint64_t *out)
{
    key_buf_t k;
    str_t v;
    collection_key(t, item, &k);
    *out = 0;
    int rc = store_get(txn, STORE_DB_STATS, (str_t){(const char *)k.b, k.len}, &v);
    if (rc == 0 && v.len == sizeof *out)
        memcpy(out, v.ptr, sizeof *out);
    return rc < 0 ? rc : 0;
}

static int collection_add(store_txn_t *txn, const table_t *t, const value_t *item, int64_t delta)
{
    if (delta == 0)
        return 0;
    uint64_t size;
    int rc = index_collection_size(txn, t, item, &size);
    if (rc)
        return rc;
    size = (uint64_t)((int64_t)size + delta);
    key_buf_t k;
    collection_key(t, item, &k);
    str_t ks = {(const char *)k.b, k.len};
    if (size == 0) {
        rc = store_del(txn, STORE_DB_STATS, ks);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    return store_put(txn, STORE_DB_STATS, ks, (str_t){(const char *)&size, sizeof size});
}

int index_check_write(store_txn_t *txn, const table_t *t, const value_t *old, const value_t *new_item, err_t *e)
{
    if (index_check_item(t, new_item, e))
        return -1;
    if (!index_has_lsi(t))
        return 0;
    arena_t a;
    arena_init(&a);
    int64_t delta = collection_bytes(&a, t, new_item) - collection_bytes(&a, t, old);
    arena_free(&a);
    uint64_t size;
    int rc = index_collection_size(txn, t, new_item, &size);
    if (rc)
        return rc;
    if (delta > 0 && size + (uint64_t)delta > collection_limit())
        return err_set(e, ERR_ITEM_COLLECTION_SIZE, "Item collection size limit exceeded");
    return 0;
}

/* ---- upkeep -------------------------------------------------------------------------- */

static str_t kstr(const key_buf_t *k) { return (str_t){(const char *)k->b, k->len}; }

double index_write_units(size_t bytes) { return bytes == 0 ? 1 : ceil((double)bytes / 1024.0); }

static void effect_add(itemstore_effect_t *effect, const table_index_t *ix, double units)
{
    if (!effect || units == 0)
        return;
    for (int i = 0; i < effect->n_index; i++)
        if (!effect->index[i].vector && strcmp(effect->index[i].name, ix->name) == 0) {
            effect->index[i].write_units += units;
            return;
        }
    if (effect->n_index == ITEMSTORE_MAX_INDEXES)
        return;
    effect->index[effect->n_index++] = (itemstore_index_units_t){ix->name, ix->local, units, false};
}

/* Puts an entry, counting it unless it was there already (an entry a
 * backfill or an earlier write made). */
static int entry_put(store_txn_t *txn, arena_t *a, const table_t *t, const table_index_t *ix, const key_buf_t *k,
                     const value_t *entry, const value_t *replaced)
{
    str_t cur;
    int rc = store_get(txn, STORE_DB_INDEX, kstr(k), &cur);
    if (rc < 0)
        return rc;
    bool existed = rc == 0;
    value_t stored;
    if (existed && !replaced) {
        if (value_decode(a, (const uint8_t *)cur.ptr, cur.len, &stored))
            return STORE_ERR_IO;
        replaced = &stored;
    }
    buf_t enc = BUF_INIT;
    value_encode(&enc, entry);
    rc = store_put(txn, STORE_DB_INDEX, kstr(k), (str_t){enc.data, enc.len});
    buf_free(&enc);
    if (rc)
        return rc;
    int64_t was = existed && replaced ? (int64_t)item_size(replaced) : 0;
    return stats_add(txn, t->id, ix->number, existed ? 0 : 1, (int64_t)item_size(entry) - (existed ? was : 0));
}

static int entry_del(store_txn_t *txn, const table_t *t, const table_index_t *ix, const key_buf_t *k,
                     const value_t *entry)
{
    int rc = store_del(txn, STORE_DB_INDEX, kstr(k));
    if (rc == STORE_NOTFOUND)
        return 0; /* not backfilled yet */
    if (rc)
        return rc;
    return stats_add(txn, t->id, ix->number, -1, -(int64_t)item_size(entry));
}

/* One index's part of a write. DynamoDB's charges (developer guide,
 * "Provisioned throughput considerations" for GSIs and LSIs): an entry
 * put or deleted costs its size in 1 KB steps; a change of the index key
 * costs a delete plus a put; a write that leaves the entry unchanged
 * costs nothing. */
static int index_write_one(store_txn_t *txn, arena_t *a, const table_t *t, const table_index_t *ix, const value_t *old,
                           const value_t *new_item, itemstore_effect_t *effect)
{
    bool in_old = old && index_has_item(ix, old), in_new = new_item && index_has_item(ix, new_item);
    if (!in_old && !in_new)
        return 0;
    value_t old_e = {0}, new_e = {0};
    key_buf_t ko, kn;
    if (in_old) {
        old_e = index_project(a, t, ix, old);
        index_key_entry(t, ix, old, &ko);
    }
    if (in_new) {
        new_e = index_project(a, t, ix, new_item);
        index_key_entry(t, ix, new_item, &kn);
    }
    int rc = 0;
    if (in_old && in_new && ko.len == kn.len && memcmp(ko.b, kn.b, ko.len) == 0) {
        if (value_equal(&old_e, &new_e))
            return 0;
        size_t big =
            entry_bytes(ix, &old_e) > entry_bytes(ix, &new_e) ? entry_bytes(ix, &old_e) : entry_bytes(ix, &new_e);
        effect_add(effect, ix, index_write_units(big));
        return entry_put(txn, a, t, ix, &kn, &new_e, &old_e);
    }
    if (in_old) {
        rc = entry_del(txn, t, ix, &ko, &old_e);
        effect_add(effect, ix, index_write_units(entry_bytes(ix, &old_e)));
    }
    if (!rc && in_new) {
        rc = entry_put(txn, a, t, ix, &kn, &new_e, NULL);
        effect_add(effect, ix, index_write_units(entry_bytes(ix, &new_e)));
    }
    return rc;
}

int index_write(store_txn_t *txn, const table_t *t, const key_buf_t *base_key, const value_t *old,
                const value_t *new_item, itemstore_effect_t *effect)
{
    (void)base_key; /* entry keys hash the base key re-encoded from the item */
    int vrc = vindex_write(txn, t, old, new_item, effect);
    if (vrc || !t->n_indexes)
        return vrc;
    arena_t a;
    arena_init(&a);
    int rc = 0;
    for (size_t i = 0; i < t->n_indexes && !rc; i++)
        rc = index_write_one(txn, &a, t, &t->indexes[i], old, new_item, effect);
    if (!rc && index_has_lsi(t))
        rc = collection_add(txn, t, new_item ? new_item : old,
                            collection_bytes(&a, t, new_item) - collection_bytes(&a, t, old));
    arena_free(&a);
    return rc;
}

int index_backfill_item(store_txn_t *txn, const table_t *t, const table_index_t *ix, const key_buf_t *base_key,
                        const value_t *item)
{
    (void)base_key;
    if (!index_key_valid(ix, item))
        return 0; /* AWS skips an item whose index key is too long or empty, and goes on */
    arena_t a;
    arena_init(&a);
    key_buf_t k;
    index_key_entry(t, ix, item, &k);
    str_t cur;
    int rc = store_get(txn, STORE_DB_INDEX, kstr(&k), &cur);
    if (rc == STORE_NOTFOUND) { /* a write since the index was created made it otherwise */
        value_t e = index_project(&a, t, ix, item);
        rc = entry_put(txn, &a, t, ix, &k, &e, NULL);
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

int index_drop(store_txn_t *txn, uint32_t table_id, uint16_t number)
{
    key_buf_t prefix;
    index_key_table(table_id, number, &prefix);
    int rc = store_del_prefix(txn, STORE_DB_INDEX, kstr(&prefix), NULL);
    if (rc)
        return rc;
    /* the statistics and what lies under their key (a vector index's stamp) */
    return store_del_prefix(txn, STORE_DB_STATS, kstr(&prefix), NULL);
}

int index_drop_table(store_txn_t *txn, const table_t *t)
{
    for (size_t i = 0; i < t->n_vindexes; i++) {
        int rc = index_drop(txn, t->id, t->vindexes[i].number);
        if (rc)
            return rc;
    }
    key_buf_t collections;
    index_key_table(t->id, COLLECTION_MARK, &collections);
    int drc = store_del_prefix(txn, STORE_DB_STATS, kstr(&collections), NULL);
    if (drc)
        return drc;
    for (size_t i = 0; i < t->n_indexes; i++) {
        int rc = index_drop(txn, t->id, t->indexes[i].number);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- descriptions ---------------------------------------------------------------- */

void index_number_new(json_t *desc)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes", "VectorIndexes"};
    json_int_t n = 1;
    for (int l = 0; l < 3; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(desc, lists[l]), i, ix)
            json_object_set_new(ix, "ddbd_number", json_integer(n++));
    }
    json_object_set_new(desc, "ddbd_next_index", json_integer(n));
}
