/* catalog.c - table descriptions in STORE_DB_CATALOG, and per-thread caches
 * of their parsed form (see catalog.h). */
#include "storage/catalog.h"

#include "base/alloc.h"
#include "base/endian.h"
#include "storage/replica_view.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- the stored form ----------------------------------------------------
 * The JSON kept in the catalog is the TableDescription's static part as
 * the user gave it (KeySchema, AttributeDefinitions, indexes, ...) plus
 * ddbd's own members ("ddbd_id"). table_t caches what requests need often. */

void catalog_key(const char *ns, str_t name, buf_t *out)
{
    buf_append(out, ns, strlen(ns));
    buf_putc(out, '\0');
    buf_append(out, name.ptr, name.len);
}

void table_to_stored_json(const table_t *t, buf_t *out)
{
    char *s = xjson_dumps(t->desc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    buf_puts(out, s);
    free(s);
}

static vtype_t attr_type(json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "AttributeName")), name) == 0)
            return vtype_from_name(str_from_cstr(json_string_value(json_object_get(d, "AttributeType"))));
    }
    return VT_NONE;
}

static double num_member(json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return v ? json_number_value(v) : 0;
}

static void parse_key_schema(json_t *list, json_t *defs, key_schema_t *ks)
{
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        key_attr_t *ka = strcmp(json_string_value(json_object_get(k, "KeyType")), "HASH") == 0 ? &ks->hash : &ks->range;
        ka->name = str_from_cstr(name); /* points into desc, which the table owns */
        ka->type = attr_type(defs, name);
    }
}

/* Every HASH and RANGE attribute of an index key, in order (a
 * multi-attribute GSI key has up to four of each); ks keeps the first of
 * each. */
static void parse_index_keys(json_t *list, json_t *defs, table_index_t *out)
{
    memset(&out->ks, 0, sizeof out->ks);
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        bool hash = strcmp(json_string_value(json_object_get(k, "KeyType")), "HASH") == 0;
        key_attr_t ka = {str_from_cstr(name), attr_type(defs, name)};
        if (hash && out->n_hash < INDEX_KEY_ATTRS_MAX)
            out->hash[out->n_hash++] = ka;
        else if (!hash && out->n_range < INDEX_KEY_ATTRS_MAX)
            out->range[out->n_range++] = ka;
    }
    out->ks.hash = out->hash[0];
    if (out->n_range)
        out->ks.range = out->range[0];
}

/* An index as index.c needs it. Descriptions stored before indexes were
 * numbered ("ddbd_number") get their position, which CreateTable used. */
static void parse_index(json_t *ix, json_t *defs, bool local, size_t pos, table_index_t *out)
{
    out->name = json_string_value(json_object_get(ix, "IndexName"));
    out->local = local;
    parse_index_keys(json_object_get(ix, "KeySchema"), defs, out);
    json_t *proj = json_object_get(ix, "Projection");
    const char *type = json_string_value(json_object_get(proj, "ProjectionType"));
    out->projection = !type || strcmp(type, "KEYS_ONLY") == 0 ? PROJ_KEYS_ONLY
                      : strcmp(type, "INCLUDE") == 0          ? PROJ_INCLUDE
                                                              : PROJ_ALL;
    json_t *nka = json_object_get(proj, "NonKeyAttributes");
    out->n_include = json_array_size(nka);
    out->include = out->n_include ? xcalloc(out->n_include, sizeof *out->include) : NULL;
    for (size_t i = 0; i < out->n_include; i++)
        out->include[i] = str_from_cstr(json_string_value(json_array_get(nka, i)));
    json_t *num = json_object_get(ix, "ddbd_number");
    out->number = (uint16_t)(num ? json_integer_value(num) : (json_int_t)pos + 1);
    const char *status = json_string_value(json_object_get(ix, "ddbd_status"));
    out->creating = status && strcmp(status, "CREATING") == 0;
}

static void parse_indexes(table_t *t, json_t *defs)
{
    json_t *lsis = json_object_get(t->desc, "LocalSecondaryIndexes");
    json_t *gsis = json_object_get(t->desc, "GlobalSecondaryIndexes");
    size_t n = json_array_size(lsis) + json_array_size(gsis);
    if (!n)
        return;
    t->indexes = xcalloc(n, sizeof *t->indexes);
    for (size_t i = 0; i < json_array_size(lsis); i++)
        parse_index(json_array_get(lsis, i), defs, true, t->n_indexes, &t->indexes[t->n_indexes]), t->n_indexes++;
    for (size_t i = 0; i < json_array_size(gsis); i++) {
        json_t *g = json_array_get(gsis, i);
        const char *status = json_string_value(json_object_get(g, "ddbd_status"));
        if (status && strcmp(status, "DELETING") == 0)
            continue; /* gone for reads and writes; only DescribeTable still shows it */
        parse_index(g, defs, false, json_array_size(lsis) + i, &t->indexes[t->n_indexes]);
        t->n_indexes++;
    }
}

static void parse_projection(json_t *proj, index_projection_t *type_out, str_t **include, size_t *n_include)
{
    const char *type = json_string_value(json_object_get(proj, "ProjectionType"));
    *type_out = !type || strcmp(type, "KEYS_ONLY") == 0 ? PROJ_KEYS_ONLY
                : strcmp(type, "INCLUDE") == 0          ? PROJ_INCLUDE
                                                        : PROJ_ALL;
    json_t *nka = json_object_get(proj, "NonKeyAttributes");
    *n_include = json_array_size(nka);
    *include = *n_include ? xcalloc(*n_include, sizeof **include) : NULL;
    for (size_t i = 0; i < *n_include; i++)
        (*include)[i] = str_from_cstr(json_string_value(json_array_get(nka, i)));
}

static void parse_vector_index(json_t *v, json_t *defs, vector_index_t *out)
{
    out->name = json_string_value(json_object_get(v, "IndexName"));
    out->attr =
        str_from_cstr(json_string_value(json_object_get(json_object_get(v, "VectorAttribute"), "AttributeName")));
    out->dims = (uint32_t)json_integer_value(json_object_get(v, "Dimensions"));
    const char *fn = json_string_value(json_object_get(v, "DistanceFunction"));
    out->distance = fn && strcmp(fn, "EUCLIDEAN") == 0     ? VDIST_EUCLIDEAN
                    : fn && strcmp(fn, "DOT_PRODUCT") == 0 ? VDIST_DOT_PRODUCT
                                                           : VDIST_COSINE;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "SearchSchema"), i, e)
    {
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        key_attr_t ka = {str_from_cstr(name), attr_type(defs, name)};
        const char *type = json_string_value(json_object_get(e, "SearchSchemaElementType"));
        if (type && strcmp(type, "HASH") == 0)
            out->hash = ka;
        else if (out->n_filters < VECTOR_FILTERS_MAX)
            out->filters[out->n_filters++] = ka;
    }
    parse_projection(json_object_get(v, "Projection"), &out->projection, &out->include, &out->n_include);
    out->number = (uint16_t)json_integer_value(json_object_get(v, "ddbd_number"));
    const char *status = json_string_value(json_object_get(v, "ddbd_status"));
    out->creating = status && strcmp(status, "CREATING") == 0;
}

static void parse_vector_indexes(table_t *t, json_t *defs)
{
    json_t *list = json_object_get(t->desc, "VectorIndexes");
    if (!json_array_size(list))
        return;
    t->vindexes = xcalloc(json_array_size(list), sizeof *t->vindexes);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *status = json_string_value(json_object_get(v, "ddbd_status"));
        if (!status || strcmp(status, "DELETING") != 0)
            parse_vector_index(v, defs, &t->vindexes[t->n_vindexes++]);
    }
}

const vector_index_t *table_vector_index(const table_t *t, str_t name)
{
    for (size_t i = 0; i < t->n_vindexes; i++)
        if (str_eq_cstr(name, t->vindexes[i].name))
            return &t->vindexes[i];
    return NULL;
}

const table_index_t *table_index(const table_t *t, str_t name)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (str_eq_cstr(name, t->indexes[i].name))
            return &t->indexes[i];
    return NULL;
}

table_t *table_from_stored_json(const char *ns, const char *data, size_t len)
{
    json_t *desc = json_loadb(data, len, 0, NULL);
    return desc ? table_from_json(ns, desc) : NULL;
}

table_t *table_from_json(const char *ns, json_t *desc)
{
    table_t *t = xcalloc(1, sizeof *t);
    t->desc = desc;
    t->ns = xstrdup(ns);
    t->name = xstrdup(json_string_value(json_object_get(desc, "TableName")));
    t->id = (uint32_t)json_integer_value(json_object_get(desc, "ddbd_id"));
    snprintf(t->table_uuid, sizeof t->table_uuid, "%s", json_string_value(json_object_get(desc, "TableId")));
    t->created = num_member(desc, "CreationDateTime");
    t->billing = strcmp(json_string_value(json_object_get(desc, "BillingMode")), "PAY_PER_REQUEST") == 0
                     ? BILLING_PAY_PER_REQUEST
                     : BILLING_PROVISIONED;
    t->rcu = (int64_t)num_member(desc, "ReadCapacityUnits");
    t->wcu = (int64_t)num_member(desc, "WriteCapacityUnits");
    t->billing_changed = num_member(desc, "LastUpdateToPayPerRequestDateTime");
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    parse_key_schema(json_object_get(desc, "KeySchema"), defs, &t->ks);
    parse_indexes(t, defs);
    parse_vector_indexes(t, defs);
    t->keep_history = json_is_true(json_object_get(json_object_get(desc, "ddbd_pitr"), "on")) ||
                      json_integer_value(json_object_get(desc, "ddbd_pins")) > 0;
    t->restoring = json_object_get(desc, "ddbd_restore") != NULL;
    return t;
}

void table_free(table_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_indexes; i++)
        free(t->indexes[i].include);
    free(t->indexes);
    for (size_t i = 0; i < t->n_vindexes; i++)
        free(t->vindexes[i].include);
    free(t->vindexes);
    json_decref(t->desc);
    free(t->ns);
    free(t->name);
    free(t);
}

/* ---- storage --------------------------------------------------------------- */

static int put_json(store_txn_t *txn, const char *ns, str_t name, const json_t *desc)
{
    buf_t key = BUF_INIT;
    catalog_key(ns, name, &key);
    char *s = xjson_dumps(desc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = store_put(txn, STORE_DB_CATALOG, (str_t){key.data, key.len}, str_from_cstr(s));
    free(s);
    buf_free(&key);
    return rc;
}

/* The stored JSON of ns/name (new reference) or NULL when absent. */
static int get_json(store_txn_t *txn, const char *ns, str_t name, json_t **out)
{
    buf_t key = BUF_INIT;
    catalog_key(ns, name, &key);
    str_t v;
    int rc = store_get(txn, STORE_DB_CATALOG, (str_t){key.data, key.len}, &v);
    buf_free(&key);
    *out = NULL;
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    *out = json_loadb(v.ptr, v.len, 0, NULL);
    return *out ? 0 : STORE_ERR_IO;
}

/* A replica's view (its desc names "ddbd_home") is stored in two parts:
 * its regional members in its own namespace's link, the rest in the home
 * entry, whose own regional members stay as they are. */
int catalog_put(store_txn_t *txn, const table_t *t)
{
    str_t name = str_from_cstr(t->name);
    const char *home_ns = json_string_value(json_object_get(t->desc, "ddbd_home"));
    if (!home_ns)
        return put_json(txn, t->ns, name, t->desc);
    json_t *current, *link, *home;
    int rc = get_json(txn, home_ns, name, &current);
    if (rc)
        return rc;
    replica_view_split(t->desc, current, &link, &home);
    rc = put_json(txn, t->ns, name, link);
    if (!rc)
        rc = put_json(txn, home_ns, name, home);
    json_decref(current);
    json_decref(link);
    json_decref(home);
    return rc;
}

int catalog_put_link(store_txn_t *txn, const char *ns, str_t name, const char *home_ns, const json_t *regional)
{
    json_t *link = replica_link_new(home_ns, regional);
    int rc = put_json(txn, ns, name, link);
    json_decref(link);
    return rc;
}

int catalog_delete(store_txn_t *txn, const char *ns, str_t name)
{
    buf_t key = BUF_INIT;
    catalog_key(ns, name, &key);
    int rc = store_del(txn, STORE_DB_CATALOG, (str_t){key.data, key.len});
    buf_free(&key);
    return rc;
}

static const str_t next_id_key = {"next_table_id", 13};

int catalog_next_table_id(store_txn_t *txn, uint32_t *out)
{
    str_t v;
    uint32_t id = 1;
    int rc = store_get(txn, STORE_DB_META, next_id_key, &v);
    if (rc < 0)
        return rc;
    if (rc == 0 && v.len == 4)
        memcpy(&id, v.ptr, 4);
    uint32_t next = id + 1;
    rc = store_put(txn, STORE_DB_META, next_id_key, (str_t){(const char *)&next, 4});
    if (rc)
        return rc;
    *out = id;
    return 0;
}

int catalog_list(store_txn_t *txn, const char *ns, str_t after, int (*fn)(void *ud, str_t name), void *ud)
{
    buf_t prefix = BUF_INIT, start = BUF_INIT;
    catalog_key(ns, STR_NULL, &prefix);
    catalog_key(ns, after, &start);
    if (after.len)
        buf_putc(&start, '\0'); /* the first name strictly after `after` */
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, STORE_DB_CATALOG, &cur);
    if (rc == 0) {
        str_t k, v;
        rc = store_cursor_seek(cur, (str_t){start.data, start.len}, &k, &v);
        while (rc == 0 && k.len >= prefix.len && memcmp(k.ptr, prefix.data, prefix.len) == 0) {
            if (fn(ud, (str_t){k.ptr + prefix.len, k.len - prefix.len}))
                break;
            rc = store_cursor_next(cur, &k, &v);
        }
        store_cursor_close(cur);
    }
    buf_free(&prefix);
    buf_free(&start);
    return rc < 0 ? rc : 0;
}

/* ---- statistics ---------------------------------------------------------- */

static str_t stats_key(uint32_t id, uint8_t out[4])
{
    be32_put(out, id);
    return (str_t){(const char *)out, 4};
}

int catalog_stats_get(store_txn_t *txn, uint32_t table_id, table_stats_t *out)
{
    uint8_t kb[4];
    str_t v;
    memset(out, 0, sizeof *out);
    int rc = store_get(txn, STORE_DB_STATS, stats_key(table_id, kb), &v);
    if (rc == 0 && v.len == sizeof *out)
        memcpy(out, v.ptr, sizeof *out);
    return rc < 0 ? rc : 0;
}

int catalog_stats_add(store_txn_t *txn, uint32_t table_id, int64_t items, int64_t bytes)
{
    table_stats_t s;
    int rc = catalog_stats_get(txn, table_id, &s);
    if (rc)
        return rc;
    s.items = (uint64_t)((int64_t)s.items + items);
    s.bytes = (uint64_t)((int64_t)s.bytes + bytes);
    uint8_t kb[4];
    return store_put(txn, STORE_DB_STATS, stats_key(table_id, kb), (str_t){(const char *)&s, sizeof s});
}

int catalog_stats_drop(store_txn_t *txn, uint32_t table_id)
{
    uint8_t kb[4];
    int rc = store_del(txn, STORE_DB_STATS, stats_key(table_id, kb));
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* ---- the cache --------------------------------------------------------------- */

#define CACHE_BUCKETS 256

typedef struct cache_entry {
    struct cache_entry *next;
    char *key;
    size_t key_len;
    char *stored; /* the catalog bytes this table was parsed from */
    size_t stored_len;
    table_t *table;
} cache_entry_t;

struct catalog_cache {
    cache_entry_t *buckets[CACHE_BUCKETS];
};

catalog_cache_t *catalog_cache_new(void)
{
    catalog_cache_t *c = xcalloc(1, sizeof *c);
    return c;
}

static void entry_free(cache_entry_t *e)
{
    table_free(e->table);
    free(e->key);
    free(e->stored);
    free(e);
}

void catalog_cache_free(catalog_cache_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_BUCKETS; i++)
        for (cache_entry_t *e = c->buckets[i], *n; e; e = n) {
            n = e->next;
            entry_free(e);
        }
    free(c);
}

/* The home entry's bytes of a link (a plain description, never a link:
 * links point at homes only). */
static int link_target(store_txn_t *txn, const char *home_ns, str_t name, str_t *out)
{
    buf_t key = BUF_INIT;
    catalog_key(home_ns, name, &key);
    int rc = store_get(txn, STORE_DB_CATALOG, (str_t){key.data, key.len}, out);
    buf_free(&key);
    if (rc == 0 && replica_is_link(*out))
        rc = STORE_NOTFOUND;
    return rc;
}

/* The table a link shows: both holds the link's bytes, '\n', the home's. */
static table_t *view_of(const char *ns, const json_t *link, const char *home_ns, str_t both)
{
    const char *nl = memchr(both.ptr, '\n', both.len);
    json_t *home = json_loadb(nl + 1, both.len - (size_t)(nl + 1 - both.ptr), 0, NULL);
    if (!home)
        return NULL;
    json_t *view = replica_view_merge(home, link, home_ns);
    json_decref(home);
    return table_from_json(ns, view);
}

int catalog_lookup(catalog_cache_t *c, store_txn_t *txn, const char *ns, str_t name, const table_t **out)
{
    char kb[600];
    size_t nslen = strlen(ns);
    if (nslen + 1 + name.len > sizeof kb) {
        *out = NULL; /* longer than any valid namespace + name */
        return 0;
    }
    memcpy(kb, ns, nslen);
    kb[nslen] = '\0';
    memcpy(kb + nslen + 1, name.ptr, name.len);
    str_t key = {kb, nslen + 1 + name.len};

    str_t stored;
    int rc = store_get(txn, STORE_DB_CATALOG, key, &stored);
    *out = NULL;
    if (rc < 0)
        return rc;
    cache_entry_t **slot = &c->buckets[XXH3_64bits(key.ptr, key.len) % CACHE_BUCKETS];
    cache_entry_t *e = *slot, **prevp = slot;
    while (e && !(e->key_len == key.len && memcmp(e->key, key.ptr, key.len) == 0)) {
        prevp = &e->next;
        e = e->next;
    }
    if (rc == STORE_NOTFOUND) {
        if (e) { /* the table is gone from this snapshot */
            *prevp = e->next;
            entry_free(e);
        }
        return 0;
    }
    buf_t both = BUF_INIT; /* a link: its bytes and its home's, which the view depends on */
    json_t *link = NULL;
    const char *home_ns = NULL;
    if (replica_is_link(stored)) {
        link = json_loadb(stored.ptr, stored.len, 0, NULL);
        home_ns = json_string_value(json_object_get(link, "ddbd_replica_of"));
        str_t home;
        rc = home_ns ? link_target(txn, home_ns, name, &home) : STORE_ERR_IO;
        if (rc) {
            json_decref(link);
            return rc == STORE_NOTFOUND ? 0 : rc;
        }
        buf_append(&both, stored.ptr, stored.len);
        buf_putc(&both, '\n');
        buf_append(&both, home.ptr, home.len);
        stored = (str_t){both.data, both.len};
    }
    if (e && e->stored_len == stored.len && memcmp(e->stored, stored.ptr, stored.len) == 0) {
        json_decref(link);
        buf_free(&both);
        *out = e->table;
        return 0;
    }
    if (e) { /* changed since cached: drop the stale entry */
        *prevp = e->next;
        entry_free(e);
    }
    table_t *t = link ? view_of(ns, link, home_ns, stored) : table_from_stored_json(ns, stored.ptr, stored.len);
    json_decref(link);
    if (!t) {
        buf_free(&both);
        return STORE_ERR_IO;
    }
    e = xcalloc(1, sizeof *e);
    e->key = xmalloc(key.len);
    e->stored = xmalloc(stored.len);
    memcpy(e->key, key.ptr, key.len);
    e->key_len = key.len;
    memcpy(e->stored, stored.ptr, stored.len);
    e->stored_len = stored.len;
    e->table = t;
    e->next = *slot;
    *slot = e;
    *out = t;
    buf_free(&both);
    return 0;
}
