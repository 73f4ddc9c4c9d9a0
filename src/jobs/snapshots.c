/* snapshots.c - reset, save and restore over a namespace or everything
 * (see snapshots.h), on snapstore.h's rows. */
#include "jobs/snapshots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/endian.h"
#include "storage/catalog.h"
#include "storage/snapstore.h"
#include "streams/stream.h"

/* How each database's keys belong to a namespace. */
typedef enum scope_rule {
    RULE_UNSET,
    RULE_KEEP, /* never reset or copied: counters, the snapshots themselves */
    RULE_NS, /* keys start with ns \0 */
    RULE_TABLE, /* keys start with the table id (u32 BE) */
    RULE_STREAM, /* keys start with the stream id (u32 BE) */
    RULE_STREAM_META, /* 'S' . stream id and 'A' . ARN (stream.h) */
    RULE_TRIGGERS, /* positions only (see snapshots.h) */
} scope_rule_t;

static const scope_rule_t rules[] = {
    [STORE_DB_META] = RULE_KEEP,
    [STORE_DB_CATALOG] = RULE_NS,
    [STORE_DB_ITEMS] = RULE_TABLE,
    [STORE_DB_STATS] = RULE_TABLE,
    [STORE_DB_TOKENS] = RULE_NS,
    [STORE_DB_STREAMS] = RULE_STREAM,
    [STORE_DB_STREAM_META] = RULE_STREAM_META,
    [STORE_DB_TTL] = RULE_TABLE,
    [STORE_DB_INDEX] = RULE_TABLE,
    [STORE_DB_TRIGGERS] = RULE_TRIGGERS,
    [STORE_DB_SNAPSHOTS] = RULE_KEEP,
};
_Static_assert(sizeof rules / sizeof *rules == STORE_DB_COUNT_, "a database without a scope rule (snapshots.c)");

bool snapshots_rules_complete(void)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (rules[i] == RULE_UNSET)
            return false;
    return true;
}

static bool is_data(scope_rule_t r) { return r != RULE_UNSET && r != RULE_KEEP && r != RULE_TRIGGERS; }

bool snapshots_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SNAPSHOTS_NAME_MAX)
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* ---- what a namespace holds ------------------------------------------------ */

typedef struct scope {
    const char *ns; /* NULL: everything */
    uint32_t *tables;
    size_t n_tables;
    uint32_t *streams;
    char **arns; /* one per stream */
    size_t n_streams;
    uint64_t items;
} scope_t;

static void scope_free(scope_t *s)
{
    for (size_t i = 0; i < s->n_streams; i++)
        free(s->arns[i]);
    free(s->arns);
    free(s->streams);
    free(s->tables);
    *s = (scope_t){.ns = s->ns};
}

static int add_stream(void *ud, uint32_t id, json_t *m)
{
    scope_t *s = ud;
    const char *ns = json_string_value(json_object_get(m, "ns"));
    if (s->ns && (!ns || strcmp(ns, s->ns) != 0))
        return 0;
    s->streams = xrealloc(s->streams, (s->n_streams + 1) * sizeof *s->streams);
    s->arns = xrealloc(s->arns, (s->n_streams + 1) * sizeof *s->arns);
    s->streams[s->n_streams] = id;
    s->arns[s->n_streams++] = xstrdup(json_string_value(json_object_get(m, "arn")) ?: "");
    return 0;
}

static void catalog_prefix(const char *ns, buf_t *out)
{
    if (ns)
        catalog_key(ns, STR_NULL, out); /* ns \0 */
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The tables (ids ascending, so their rows come in key order) and streams
 * of s->ns as txn sees them, and the tables' item count. */
static int scope_collect(store_txn_t *txn, scope_t *s)
{
    scope_free(s);
    buf_t prefix = BUF_INIT;
    catalog_prefix(s->ns, &prefix);
    str_t p = {prefix.data, prefix.len}, k, v;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_CATALOG, &c);
    for (rc = rc ? rc : store_cursor_seek(c, p, &k, &v);
         rc == 0 && (!p.len || (k.len >= p.len && !memcmp(k.ptr, p.ptr, p.len))); rc = store_cursor_next(c, &k, &v)) {
        json_t *desc = json_loadb(v.ptr, v.len, 0, NULL);
        json_int_t id = json_integer_value(json_object_get(desc, "ddbd_id"));
        json_decref(desc);
        s->tables = xrealloc(s->tables, (s->n_tables + 1) * sizeof *s->tables);
        s->tables[s->n_tables++] = (uint32_t)id;
        table_stats_t st;
        if (catalog_stats_get(txn, (uint32_t)id, &st) == 0)
            s->items += st.items;
    }
    store_cursor_close(c);
    buf_free(&prefix);
    if (rc < 0)
        return rc;
    if (s->n_tables)
        qsort(s->tables, s->n_tables, sizeof *s->tables, cmp_u32);
    /* stream.h's reader of the stream descriptions (ids ascending) */
    return stream__each(txn, 0, add_stream, s);
}

static bool scope_has_arn(const scope_t *s, const char *arn)
{
    for (size_t i = 0; arn && i < s->n_streams; i++)
        if (!strcmp(s->arns[i], arn))
            return true;
    return false;
}

/* Calls fn with every key range of s's data, database by database in
 * store order (triggers apart). An empty prefix is the whole database. */
typedef int (*range_fn)(void *ud, store_db_t db, str_t prefix, bool exact);

static int id_ranges(store_db_t db, const uint32_t *ids, size_t n, uint8_t tag, range_fn fn, void *ud)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t k[5] = {tag};
        be32_put(tag ? k + 1 : k, ids[i]);
        int rc = fn(ud, db, (str_t){(const char *)k, tag ? 5 : 4}, tag != 0);
        if (rc)
            return rc;
    }
    return 0;
}

static int scope_ranges(const scope_t *s, range_fn fn, void *ud)
{
    buf_t b = BUF_INIT;
    catalog_prefix(s->ns, &b);
    str_t ns_prefix = {b.data, b.len};
    int rc = 0;
    for (int db = 0; db < STORE_DB_COUNT_ && !rc; db++) {
        scope_rule_t r = rules[db];
        if (!is_data(r))
            continue;
        if (!s->ns || r == RULE_NS) {
            rc = fn(ud, (store_db_t)db, s->ns ? ns_prefix : STR_NULL, false);
        } else if (r == RULE_TABLE) {
            rc = id_ranges((store_db_t)db, s->tables, s->n_tables, 0, fn, ud);
        } else if (r == RULE_STREAM) {
            rc = id_ranges((store_db_t)db, s->streams, s->n_streams, 0, fn, ud);
        } else if (r == RULE_STREAM_META) {
            for (size_t i = 0; i < s->n_streams && !rc; i++) {
                buf_t a = BUF_INIT;
                buf_putc(&a, 'A');
                buf_puts(&a, s->arns[i]);
                rc = fn(ud, (store_db_t)db, (str_t){a.data, a.len}, true);
                buf_free(&a);
            }
            if (!rc)
                rc = id_ranges((store_db_t)db, s->streams, s->n_streams, 'S', fn, ud);
        }
    }
    buf_free(&b);
    return rc;
}

static int delete_range(void *ud, store_db_t db, str_t prefix, bool exact)
{
    store_txn_t *txn = ud;
    if (!prefix.len)
        return store_clear(txn, db);
    if (exact) {
        int rc = store_del(txn, db, prefix);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    return store_del_prefix(txn, db, prefix, NULL);
}

/* ---- trigger positions ------------------------------------------------------ */

/* A snapshot's trigger documents by UUID (a JSON object), or the store's. */
static int add_doc(void *ud, str_t key, str_t val)
{
    json_t *doc = json_loadb(val.ptr, val.len, 0, NULL);
    if (doc)
        json_object_setn_new(ud, key.ptr, key.len, doc);
    return 0;
}

static int store_docs(store_txn_t *txn, json_t *docs)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TRIGGERS, &c);
    str_t k, v;
    for (rc = rc ? rc : store_cursor_seek(c, STR_NULL, &k, &v); rc == 0; rc = store_cursor_next(c, &k, &v))
        add_doc(docs, k, v);
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Whether the trigger doc follows a table of s (or could: its Namespace). */
static bool doc_in_scope(const json_t *doc, const scope_t *s)
{
    if (!s->ns)
        return true;
    const char *ns = json_string_value(json_object_get(json_object_get(doc, "Config"), "Namespace"));
    return (ns && !strcmp(ns, s->ns)) || scope_has_arn(s, json_string_value(json_object_get(doc, "StreamArn")));
}

/* Moves the current triggers in scope (in_scope, or in scope of also) to
 * the position their UUID has in `from` (none when absent). */
static int move_triggers(store_txn_t *txn, const scope_t *s, const scope_t *also, const json_t *from)
{
    json_t *docs = json_object();
    int rc = store_docs(txn, docs);
    const char *uuid;
    json_t *doc;
    json_object_foreach(docs, uuid, doc)
    {
        const json_t *was = json_object_get(from, uuid);
        if (rc || !(was || doc_in_scope(doc, s) || (also && doc_in_scope(doc, also))))
            continue;
        json_t *arn = json_object_get(was, "StreamArn"), *cp = json_object_get(was, "Checkpoint");
        json_object_set_new(doc, "StreamArn", json_is_string(arn) ? json_copy(arn) : json_null());
        json_object_set_new(doc, "Checkpoint",
                            json_is_string(cp) ? json_copy(cp) : json_string("000000000000000000000"));
        char *text = xjson_dumps(doc, JSON_COMPACT);
        rc = store_put(txn, STORE_DB_TRIGGERS, str_from_cstr(uuid), str_from_cstr(text));
        free(text);
    }
    json_decref(docs);
    return rc;
}

/* ---- the steps ------------------------------------------------------------------ */

static void counts_of(const scope_t *s, snapshots_counts_t *out, uint64_t rows)
{
    *out = (snapshots_counts_t){s->n_tables, s->items, s->n_streams, rows};
}

int snapshots_reset(store_txn_t *txn, const char *ns, snapshots_counts_t *out)
{
    scope_t s = {.ns = ns};
    int rc = scope_collect(txn, &s);
    if (!rc)
        counts_of(&s, out, 0);
    if (!rc)
        rc = scope_ranges(&s, delete_range, txn);
    if (!rc)
        rc = move_triggers(txn, &s, NULL, NULL);
    scope_free(&s);
    return rc;
}

typedef struct copier {
    snapstore_writer_t w;
} copier_t;

static int copy_range(void *ud, store_db_t db, str_t prefix, bool exact)
{
    return snapstore_copy(&((copier_t *)ud)->w, db, prefix, exact);
}

/* The trigger documents of s, into the snapshot. */
static int copy_triggers(store_txn_t *txn, const scope_t *s, snapstore_writer_t *w)
{
    json_t *docs = json_object();
    int rc = store_docs(txn, docs);
    const char *uuid;
    json_t *doc;
    json_object_foreach(docs, uuid, doc)
    {
        if (rc || !doc_in_scope(doc, s))
            continue;
        char *text = xjson_dumps(doc, JSON_COMPACT);
        rc = snapstore_add(w, STORE_DB_TRIGGERS, str_from_cstr(uuid), str_from_cstr(text));
        free(text);
    }
    json_decref(docs);
    return rc;
}

int snapshots_save(store_txn_t *txn, const char *name, const char *ns, bool replace, int64_t now_ms,
                   snapshots_counts_t *out)
{
    uint32_t old_id;
    json_t *old = NULL;
    int rc = snapstore_find(txn, name, &old_id, &old);
    json_decref(old);
    if (rc == 0 && !replace)
        return SNAPSHOTS_EXISTS;
    if (rc == 0)
        rc = snapstore_delete(txn, name, old_id);
    if (rc < 0)
        return rc;
    scope_t s = {.ns = ns};
    copier_t cp;
    if ((rc = scope_collect(txn, &s)) != 0 || (rc = snapstore_begin(txn, &cp.w)) != 0) {
        scope_free(&s);
        return rc;
    }
    rc = scope_ranges(&s, copy_range, &cp);
    if (!rc)
        rc = copy_triggers(txn, &s, &cp.w);
    if (!rc) {
        counts_of(&s, out, cp.w.n);
        json_t *desc =
            json_pack("{s:i,s:o,s:I,s:I,s:I,s:I,s:I}", "version", 1, "namespace", ns ? json_string(ns) : json_null(),
                      "created_ms", (json_int_t)now_ms, "tables", (json_int_t)out->tables, "items",
                      (json_int_t)out->items, "streams", (json_int_t)out->streams, "rows", (json_int_t)out->rows);
        rc = snapstore_finish(&cp.w, name, desc);
        json_decref(desc);
    }
    snapstore_writer_free(&cp.w);
    scope_free(&s);
    return rc;
}

/* Replaces the data of scope s (now) by the snapshot's rows. */
static int restore_rows(store_txn_t *txn, const scope_t *s, uint32_t id, const json_t *desc)
{
    int rc = scope_ranges(s, delete_range, txn);
    for (int db = 0; db < STORE_DB_COUNT_ && !rc; db++)
        if (is_data(rules[db])) /* the whole store: databases emptied, rows in key order */
            rc = snapstore_restore_db(txn, id, desc, (store_db_t)db, s->ns == NULL);
    return rc;
}

int snapshots_restore(store_txn_t *txn, const char *name, snapshots_counts_t *out)
{
    uint32_t id;
    json_t *desc;
    int rc = snapstore_find(txn, name, &id, &desc);
    if (rc)
        return rc == STORE_NOTFOUND ? SNAPSHOTS_NOT_FOUND : rc;
    scope_t before = {.ns = json_string_value(json_object_get(desc, "namespace"))}, after = before;
    json_t *positions = json_object();
    rc = scope_collect(txn, &before);
    if (!rc)
        rc = restore_rows(txn, &before, id, desc);
    if (!rc)
        rc = snapstore_rows(txn, id, desc, STORE_DB_TRIGGERS, add_doc, positions);
    if (!rc)
        rc = scope_collect(txn, &after);
    if (!rc)
        rc = move_triggers(txn, &before, &after, positions);
    if (!rc)
        counts_of(&after, out, 0);
    json_decref(positions);
    scope_free(&before);
    scope_free(&after);
    json_decref(desc);
    return rc;
}

int snapshots_delete(store_txn_t *txn, const char *name)
{
    uint32_t id;
    json_t *desc;
    int rc = snapstore_find(txn, name, &id, &desc);
    if (rc)
        return rc == STORE_NOTFOUND ? SNAPSHOTS_NOT_FOUND : rc;
    json_decref(desc);
    return snapstore_delete(txn, name, id);
}

/* ---- describing ------------------------------------------------------------------ */

static json_t *describe_one(const char *name, const json_t *desc)
{
    int64_t ms = json_integer_value(json_object_get(desc, "created_ms"));
    char iso[40];
    clock_format_iso(ms, iso, sizeof iso);
    json_t *ns = json_object_get(desc, "namespace");
    return json_pack("{s:s,s:s,s:I,s:O,s:O,s:O,s:O}", "Name", name, "CreatedAt", iso, "CreatedMs", (json_int_t)ms,
                     "Namespace", ns ? ns : json_null(), "Tables", json_object_get(desc, "tables"), "Items",
                     json_object_get(desc, "items"), "Streams", json_object_get(desc, "streams"));
}

static int list_one(void *ud, const char *name, uint32_t id, json_t *desc)
{
    (void)id;
    json_array_append_new(ud, describe_one(name, desc));
    return 0;
}

int snapshots_describe(store_txn_t *txn, const char *name, json_t **out)
{
    *out = NULL;
    if (!name) {
        json_t *list = json_array();
        int rc = snapstore_each(txn, list_one, list);
        if (rc) {
            json_decref(list);
            return rc;
        }
        *out = json_pack("{s:o}", "Snapshots", list);
        return 0;
    }
    uint32_t id;
    json_t *desc;
    int rc = snapstore_find(txn, name, &id, &desc);
    if (rc)
        return rc == STORE_NOTFOUND ? SNAPSHOTS_NOT_FOUND : rc;
    *out = describe_one(name, desc);
    json_decref(desc);
    return 0;
}
