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
    RULE_CATALOG, /* ns \0 name, and the entries of other namespaces in a global table with them */
    RULE_TABLE, /* keys start with the table id (u32 BE) */
    RULE_STREAM, /* keys start with the stream id (u32 BE) */
    RULE_STREAM_META, /* 'S' . stream id and 'A' . ARN (stream.h) */
    RULE_BACKUPS, /* 'B' . ns \0 and 'J' . kind . ns \0 (backup_store.h) */
    RULE_BACKUP_DATA, /* keys start with a backup's data id (u32 BE) */
    RULE_TRIGGERS, /* positions only (see snapshots.h) */
} scope_rule_t;

static const scope_rule_t rules[] = {
    [STORE_DB_META] = RULE_KEEP,
    [STORE_DB_CATALOG] = RULE_CATALOG,
    [STORE_DB_ITEMS] = RULE_TABLE,
    [STORE_DB_STATS] = RULE_TABLE,
    [STORE_DB_TOKENS] = RULE_NS,
    [STORE_DB_STREAMS] = RULE_STREAM,
    [STORE_DB_STREAM_META] = RULE_STREAM_META,
    [STORE_DB_TTL] = RULE_TABLE,
    [STORE_DB_INDEX] = RULE_TABLE,
    [STORE_DB_TRIGGERS] = RULE_TRIGGERS,
    [STORE_DB_SNAPSHOTS] = RULE_KEEP,
    [STORE_DB_HISTORY] = RULE_TABLE,
    [STORE_DB_HISTORY_LOG] = RULE_TABLE,
    [STORE_DB_BACKUPS] = RULE_BACKUPS,
    [STORE_DB_BACKUP_ITEMS] = RULE_BACKUP_DATA,
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

/* A list of u32 ids without repeats. */
typedef struct ids {
    uint32_t *v;
    size_t n;
} ids_t;

static bool ids_has(const ids_t *l, uint32_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == id)
            return true;
    return false;
}

static void ids_add(ids_t *l, uint32_t id)
{
    if (ids_has(l, id))
        return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = id;
}

/* A list of byte strings without repeats (catalog keys). */
typedef struct keys {
    buf_t *v;
    size_t n;
} keys_t;

static bool keys_has(const keys_t *l, str_t k)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].len == k.len && !memcmp(l->v[i].data, k.ptr, k.len))
            return true;
    return false;
}

static void keys_add(keys_t *l, str_t k)
{
    if (keys_has(l, k))
        return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n] = (buf_t)BUF_INIT;
    buf_append(&l->v[l->n++], k.ptr, k.len);
}

static void keys_free(keys_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        buf_free(&l->v[i]);
    free(l->v);
    *l = (keys_t){0};
}

/* A namespace's data. A global table's members in other namespaces (its
 * home, or its replicas' links) share its items, indexes and stream, so
 * they belong to the scope too (`others`): a reset deletes the global
 * table in every region, a restore brings back the group as it was. */
typedef struct scope {
    const char *ns; /* NULL: everything */
    ids_t tables; /* with the tables that jobs of ns still copy (a deleted table's system backup) */
    ids_t data; /* backups' item sets (backup_store.h's data ids) */
    ids_t own_streams; /* the streams of the scope's tables */
    ids_t unowned; /* streams in the scope by their "ns" alone: a deleted table's, or a left home's */
    keys_t others; /* catalog keys (ns \0 name) outside ns */
    uint32_t *streams;
    char **arns; /* one per stream */
    size_t n_streams;
    uint64_t n_tables, items;
} scope_t;

static void scope_free(scope_t *s)
{
    for (size_t i = 0; i < s->n_streams; i++)
        free(s->arns[i]);
    free(s->arns);
    free(s->streams);
    free(s->tables.v);
    free(s->data.v);
    free(s->own_streams.v);
    free(s->unowned.v);
    keys_free(&s->others);
    *s = (scope_t){.ns = s->ns};
}

/* Whether a stream (its "ns" and "table") belongs to s. */
static bool stream_in_scope(const scope_t *s, const char *ns, const char *table)
{
    if (!s->ns || (ns && !strcmp(ns, s->ns)))
        return true;
    if (!ns || !table)
        return false;
    buf_t k = BUF_INIT;
    catalog_key(ns, str_from_cstr(table), &k);
    bool in = keys_has(&s->others, (str_t){k.data, k.len});
    buf_free(&k);
    return in;
}

static int add_stream(void *ud, uint32_t id, json_t *m)
{
    scope_t *s = ud;
    if (!ids_has(&s->own_streams, id)) {
        if (!stream_in_scope(s, json_string_value(json_object_get(m, "ns")),
                             json_string_value(json_object_get(m, "table"))))
            return 0;
        if (s->ns)
            ids_add(&s->unowned, id);
    }
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

/* The name part of a catalog key (after ns \0). */
static str_t key_name(str_t key)
{
    const char *z = memchr(key.ptr, '\0', key.len);
    return z ? (str_t){z + 1, key.len - (size_t)(z + 1 - key.ptr)} : STR_NULL;
}

/* One catalog entry of the scope: a table counts (its id), a global
 * table's other members join the scope (a link's home, a home's members). */
static void add_entry(scope_t *s, str_t key, str_t val)
{
    json_t *desc = json_loadb(val.ptr, val.len, 0, NULL);
    str_t name = key_name(key);
    const char *home = json_string_value(json_object_get(desc, "ddbd_replica_of"));
    buf_t k = BUF_INIT;
    if (home) {
        catalog_key(home, name, &k);
    } else if (json_is_object(desc)) {
        ids_add(&s->tables, (uint32_t)json_integer_value(json_object_get(desc, "ddbd_id")));
        s->n_tables++;
        json_int_t sid = json_integer_value(json_object_get(desc, "ddbd_stream_id"));
        if (sid > 0)
            ids_add(&s->own_streams, (uint32_t)sid);
        json_t *members = json_object_get(desc, "ddbd_replicas"), *m;
        size_t i;
        json_array_foreach(members, i, m)
        {
            const char *mns = json_string_value(json_object_get(m, "ns"));
            buf_reset(&k);
            if (mns)
                catalog_key(mns, name, &k);
            if (mns && s->ns && strcmp(mns, s->ns) != 0)
                keys_add(&s->others, (str_t){k.data, k.len});
        }
        buf_reset(&k);
    }
    if (home && s->ns && strcmp(home, s->ns) != 0)
        keys_add(&s->others, (str_t){k.data, k.len});
    buf_free(&k);
    json_decref(desc);
}

/* The other namespaces' entries, until no new one joins. */
static int add_others(store_txn_t *txn, scope_t *s)
{
    for (size_t i = 0; i < s->others.n; i++) { /* add_entry may append */
        str_t v, k = {s->others.v[i].data, s->others.v[i].len};
        int rc = store_get(txn, STORE_DB_CATALOG, k, &v);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            buf_t copy = BUF_INIT; /* add_entry may move others' buffers */
            buf_append(&copy, k.ptr, k.len);
            add_entry(s, (str_t){copy.data, copy.len}, v);
            buf_free(&copy);
        }
    }
    return 0;
}

/* Calls fn for each key of db starting with prefix. */
static int each_prefixed(store_txn_t *txn, store_db_t db, str_t p, void (*fn)(scope_t *, str_t, str_t), scope_t *s)
{
    store_cursor_t *c;
    str_t k, v;
    int rc = store_cursor_open(txn, db, &c);
    for (rc = rc ? rc : store_cursor_seek(c, p, &k, &v);
         rc == 0 && (!p.len || (k.len >= p.len && !memcmp(k.ptr, p.ptr, p.len))); rc = store_cursor_next(c, &k, &v))
        fn(s, k, v);
    store_cursor_close(c);
    return rc < 0 ? rc : 0;
}

static void add_backup(scope_t *s, str_t key, str_t val)
{
    json_t *rec = json_loadb(val.ptr, val.len, 0, NULL);
    json_t *src = json_object_get(rec, "src");
    const char *from = json_string_value(json_object_get(src, "from"));
    if (key.ptr[0] == 'B')
        ids_add(&s->data, (uint32_t)json_integer_value(json_object_get(rec, "data")));
    else if (from && !strcmp(from, "table")) /* a copy still reading a (maybe deleted) table */
        ids_add(&s->tables, (uint32_t)json_integer_value(json_object_get(src, "id")));
    json_decref(rec);
}

/* The backups' key prefixes of ns (backup_store.h): 'B', 'J' 'b', 'J' 'r';
 * and the records and jobs of exports, imports and bulk puts beside them
 * ('E', 'I', 'K', an import's error log 'L', 'J' 'e', 'J' 'i'). */
static const char *const backup_tags[] = {"B", "Jb", "Jr", "E", "I", "K", "L", "Je", "Ji"};

static void backup_prefix(const char *tag, const char *ns, buf_t *out)
{
    buf_puts(out, tag);
    buf_puts(out, ns);
    buf_putc(out, '\0');
}

static int collect_backups(store_txn_t *txn, scope_t *s)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof backup_tags / sizeof *backup_tags && !rc; i++) {
        buf_t p = BUF_INIT;
        if (s->ns)
            backup_prefix(backup_tags[i], s->ns, &p);
        else
            buf_puts(&p, backup_tags[i]);
        rc = each_prefixed(txn, STORE_DB_BACKUPS, (str_t){p.data, p.len}, add_backup, s);
        buf_free(&p);
    }
    return rc;
}

/* A stream that names ns but is the stream of a table outside the scope
 * (a global table's, after its home in ns left the group) is not ns's. */
static int drop_foreign_streams(store_txn_t *txn, scope_t *s)
{
    if (!s->unowned.n)
        return 0;
    buf_t p = BUF_INIT;
    catalog_prefix(s->ns, &p);
    store_cursor_t *c;
    str_t k, v;
    ids_t foreign = {0};
    int rc = store_cursor_open(txn, STORE_DB_CATALOG, &c);
    for (rc = rc ? rc : store_cursor_seek(c, STR_NULL, &k, &v); rc == 0; rc = store_cursor_next(c, &k, &v)) {
        bool inside = (k.len >= p.len && !memcmp(k.ptr, p.data, p.len)) || keys_has(&s->others, k);
        if (inside || !memmem(v.ptr, v.len, "\"ddbd_stream_id\"", 16))
            continue;
        json_t *desc = json_loadb(v.ptr, v.len, 0, NULL);
        json_int_t sid = json_integer_value(json_object_get(desc, "ddbd_stream_id"));
        json_decref(desc);
        if (sid > 0 && ids_has(&s->unowned, (uint32_t)sid))
            ids_add(&foreign, (uint32_t)sid);
    }
    store_cursor_close(c);
    buf_free(&p);
    size_t kept = 0;
    for (size_t i = 0; i < s->n_streams; i++) {
        if (ids_has(&foreign, s->streams[i])) {
            free(s->arns[i]);
            continue;
        }
        s->streams[kept] = s->streams[i];
        s->arns[kept++] = s->arns[i];
    }
    s->n_streams = kept;
    free(foreign.v);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The tables (ids ascending), backups and streams of s->ns as txn sees
 * them, and the tables' item count. `others` may hold catalog keys that
 * join the scope whatever they are now (a restore's: those its snapshot
 * will write). */
static int scope_collect(store_txn_t *txn, scope_t *s)
{
    buf_t prefix = BUF_INIT;
    catalog_prefix(s->ns, &prefix);
    int rc = each_prefixed(txn, STORE_DB_CATALOG, (str_t){prefix.data, prefix.len}, add_entry, s);
    buf_free(&prefix);
    if (!rc)
        rc = add_others(txn, s);
    if (!rc)
        rc = collect_backups(txn, s);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < s->tables.n; i++) {
        table_stats_t st;
        if (catalog_stats_get(txn, s->tables.v[i], &st) == 0)
            s->items += st.items;
    }
    if (s->tables.n)
        qsort(s->tables.v, s->tables.n, sizeof *s->tables.v, cmp_u32);
    if (s->data.n)
        qsort(s->data.v, s->data.n, sizeof *s->data.v, cmp_u32);
    /* stream.h's reader of the stream descriptions (ids ascending) */
    rc = stream__each(txn, 0, add_stream, s);
    return rc ? rc : drop_foreign_streams(txn, s);
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

static int ns_ranges(const scope_t *s, store_db_t db, scope_rule_t r, range_fn fn, void *ud)
{
    buf_t b = BUF_INIT;
    int rc = 0;
    if (r == RULE_BACKUPS) {
        for (size_t i = 0; i < sizeof backup_tags / sizeof *backup_tags && !rc; i++) {
            buf_reset(&b);
            backup_prefix(backup_tags[i], s->ns, &b);
            rc = fn(ud, db, (str_t){b.data, b.len}, false);
        }
    } else {
        catalog_prefix(s->ns, &b);
        rc = fn(ud, db, (str_t){b.data, b.len}, false);
        for (size_t i = 0; r == RULE_CATALOG && i < s->others.n && !rc; i++)
            rc = fn(ud, db, (str_t){s->others.v[i].data, s->others.v[i].len}, true);
    }
    buf_free(&b);
    return rc;
}

static int scope_ranges(const scope_t *s, range_fn fn, void *ud)
{
    int rc = 0;
    for (int db = 0; db < STORE_DB_COUNT_ && !rc; db++) {
        scope_rule_t r = rules[db];
        if (!is_data(r))
            continue;
        if (!s->ns) {
            rc = fn(ud, (store_db_t)db, STR_NULL, false);
        } else if (r == RULE_NS || r == RULE_CATALOG || r == RULE_BACKUPS) {
            rc = ns_ranges(s, (store_db_t)db, r, fn, ud);
        } else if (r == RULE_TABLE) {
            rc = id_ranges((store_db_t)db, s->tables.v, s->tables.n, 0, fn, ud);
        } else if (r == RULE_BACKUP_DATA) {
            rc = id_ranges((store_db_t)db, s->data.v, s->data.n, 0, fn, ud);
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

/* A catalog key of a snapshot outside its namespace (a global table's
 * other members) joins the scope. */
static int add_other_key(void *ud, str_t key, str_t val)
{
    scope_t *s = ud;
    buf_t p = BUF_INIT;
    catalog_prefix(s->ns, &p);
    if (key.len < p.len || memcmp(key.ptr, p.data, p.len) != 0)
        keys_add(&s->others, key);
    buf_free(&p);
    (void)val;
    return 0;
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
    if (before.ns) /* what the snapshot writes outside its namespace is replaced too */
        rc = snapstore_rows(txn, id, desc, STORE_DB_CATALOG, add_other_key, &before);
    if (!rc)
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
