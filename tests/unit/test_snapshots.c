/* test_snapshots.c - reset, snapshots and restores in the store itself
 * (jobs/snapshots.h over storage/snapstore.h): whole store and one
 * namespace, indexes, streams, TTL entries and trigger positions restored
 * together, counters that never go back, and the rules that say which
 * keys a namespace owns. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/seed.h"
#include "base/endian.h"
#include "check.h"
#include "jobs/snapshots.h"
#include "storage/itemstore.h"
#include "streams/stream.h"

static store_t *store;
static catalog_cache_t *cache;

static const char *const NS_A = "keya/us-east-1", *const NS_B = "keyb/eu-west-1";

/* Runs fn in a write transaction, committed when it returns 0. */
static int in_txn(int (*fn)(store_txn_t *txn, void *ud), void *ud)
{
    store_txn_t *txn;
    int rc = store_write_begin(store, &txn);
    if (rc)
        return rc;
    rc = fn(txn, ud);
    if (rc)
        store_write_abort(txn);
    else
        rc = store_write_commit(txn);
    return rc;
}

typedef struct load {
    const char *ns, *file, *text;
} load_t;

static int load_fn(store_txn_t *txn, void *ud)
{
    const load_t *l = ud;
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    int rc = seed_parse(&s, l->file, NULL, l->text, strlen(l->text), why, sizeof why);
    inproc_t ip;
    inproc_init(&ip, txn, cache, store, false, l->ns);
    seed_counts_t c;
    if (!rc)
        rc = seed_apply(&ip, &s, SEED_LOAD, &c, why, sizeof why);
    if (rc)
        fprintf(stderr, "load: %s\n", why);
    seed_set_free(&s);
    return rc;
}

static void load(const char *ns, const char *file, const char *text)
{
    load_t l = {ns, file, text};
    CHECK(in_txn(load_fn, &l) == 0);
}

static const char *const table_def =
    "{\"TableName\":\"Events\",\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
    "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"},"
    "\"TimeToLiveSpecification\":{\"AttributeName\":\"exp\",\"Enabled\":true},"
    "\"Items\":[{\"pk\":\"a\",\"g\":\"x\",\"exp\":4000000000},{\"pk\":\"b\",\"g\":\"x\"}]}";

/* Counts the keys of db starting with prefix (empty: all). */
static size_t count(store_db_t db, const char *prefix, size_t plen)
{
    store_txn_t *txn;
    store_cursor_t *c;
    size_t n = 0;
    str_t k, v, p = {prefix, plen};
    if (store_read_begin(store, &txn) || store_cursor_open(txn, db, &c))
        return (size_t)-1;
    for (int rc = store_cursor_seek(c, p, &k, &v); rc == 0 && k.len >= plen && !memcmp(k.ptr, prefix, plen);
         rc = store_cursor_next(c, &k, &v))
        n++;
    store_cursor_close(c);
    store_read_end(txn);
    return n;
}

static bool has_table(const char *ns, const char *name)
{
    store_txn_t *txn;
    const table_t *t = NULL;
    if (store_read_begin(store, &txn))
        return false;
    catalog_lookup(cache, txn, ns, str_from_cstr(name), &t);
    bool found = t != NULL;
    store_read_end(txn);
    return found;
}

typedef struct step {
    const char *name, *ns;
    bool replace;
    snapshots_counts_t counts;
    int want;
} step_t;

static int save_fn(store_txn_t *txn, void *ud)
{
    step_t *s = ud;
    int rc = snapshots_save(txn, s->name, s->ns, s->replace, 1000, &s->counts);
    return rc == s->want ? 0 : rc ? rc : -1;
}

static int restore_fn(store_txn_t *txn, void *ud)
{
    step_t *s = ud;
    int rc = snapshots_restore(txn, s->name, &s->counts);
    return rc == s->want ? 0 : rc ? rc : -1;
}

static int reset_fn(store_txn_t *txn, void *ud)
{
    step_t *s = ud;
    return snapshots_reset(txn, s->ns, &s->counts);
}

static int put_trigger_fn(store_txn_t *txn, void *ud)
{
    return store_put(txn, STORE_DB_TRIGGERS, STR_LIT("t-1"), str_from_cstr(ud));
}

static char *trigger_doc(void)
{
    store_txn_t *txn;
    str_t v;
    char *out = NULL;
    if (store_read_begin(store, &txn) == 0) {
        if (store_get(txn, STORE_DB_TRIGGERS, STR_LIT("t-1"), &v) == 0)
            out = strndup(v.ptr, v.len);
        store_read_end(txn);
    }
    return out;
}

static void test_rules_and_names(void)
{
    CHECK(snapshots_rules_complete());
    CHECK(snapshots_name_ok("base-1.2_x"));
    CHECK(!snapshots_name_ok(""));
    CHECK(!snapshots_name_ok("a/b"));
    CHECK(!snapshots_name_ok("a b"));
    char long_name[300];
    memset(long_name, 'a', 256);
    long_name[256] = '\0';
    CHECK(!snapshots_name_ok(long_name));
    long_name[255] = '\0';
    CHECK(snapshots_name_ok(long_name));
}

static void test_whole_store(void)
{
    load(NS_A, "Events.json", table_def);
    load(NS_B, "Events.json", table_def);
    size_t items = count(STORE_DB_ITEMS, "", 0), index = count(STORE_DB_INDEX, "", 0);
    size_t records = count(STORE_DB_STREAMS, "", 0), ttl = count(STORE_DB_TTL, "", 0);
    CHECK(items == 4 && index == 4 && records == 4 && ttl == 4); /* 2 TTL headers, 2 entries */
    CHECK(in_txn(put_trigger_fn, "{\"Config\":{\"TableName\":\"Events\"},\"StreamArn\":\"arn:1\",\"Checkpoint\":"
                                 "\"000000000000000000002\"}") == 0);

    step_t save = {"all", NULL, false, {0}, 0};
    CHECK(in_txn(save_fn, &save) == 0);
    CHECK(save.counts.tables == 2 && save.counts.items == 4 && save.counts.streams == 2);
    save.want = SNAPSHOTS_EXISTS; /* the name is taken */
    CHECK(in_txn(save_fn, &save) == 0);

    /* change everything: more items, a table gone, the trigger further on */
    load(NS_A, "Events.items.jsonl", "{\"pk\":\"c\",\"g\":\"y\"}\n{\"pk\":\"a\",\"g\":\"z\"}\n");
    step_t reset_b = {NULL, NS_B, false, {0}, 0};
    CHECK(in_txn(reset_fn, &reset_b) == 0);
    CHECK(reset_b.counts.tables == 1 && reset_b.counts.items == 2);
    CHECK(!has_table(NS_B, "Events") && has_table(NS_A, "Events"));
    CHECK(in_txn(put_trigger_fn, "{\"Config\":{\"TableName\":\"Events\",\"BatchSize\":7},\"StreamArn\":\"arn:2\","
                                 "\"Checkpoint\":\"000000000000000000009\"}") == 0);

    step_t restore = {"all", NULL, false, {0}, 0};
    CHECK(in_txn(restore_fn, &restore) == 0);
    CHECK(restore.counts.tables == 2 && restore.counts.items == 4);
    CHECK(has_table(NS_B, "Events"));
    CHECK(count(STORE_DB_ITEMS, "", 0) == items && count(STORE_DB_INDEX, "", 0) == index);
    CHECK(count(STORE_DB_STREAMS, "", 0) == records && count(STORE_DB_TTL, "", 0) == ttl);
    /* the trigger keeps its settings and gets its position back */
    char *doc = trigger_doc();
    CHECK(doc && strstr(doc, "\"BatchSize\":7") && strstr(doc, "\"StreamArn\":\"arn:1\"") &&
          strstr(doc, "\"Checkpoint\":\"000000000000000000002\""));
    free(doc);

    step_t missing = {"nope", NULL, false, {0}, SNAPSHOTS_NOT_FOUND};
    CHECK(in_txn(restore_fn, &missing) == 0);
}

static uint64_t meta_counter(const char *key)
{
    store_txn_t *txn;
    str_t v;
    uint64_t n = 0;
    if (store_read_begin(store, &txn) == 0) {
        if (store_get(txn, STORE_DB_META, str_from_cstr(key), &v) == 0)
            for (size_t i = 0; i < v.len; i++) /* u64 BE */
                n = n << 8 | (uint8_t)v.ptr[i];
        store_read_end(txn);
    }
    return n;
}

static void test_namespace_and_counters(void)
{
    step_t save_a = {"only-a", NS_A, false, {0}, 0};
    CHECK(in_txn(save_fn, &save_a) == 0);
    CHECK(save_a.counts.tables == 1 && save_a.counts.items == 2 && save_a.counts.streams == 1);
    uint64_t seq_before = meta_counter("stream_seq");

    /* A changes, B changes: restoring A's snapshot puts A back and leaves B */
    load(NS_A, "Events.items.jsonl", "{\"pk\":\"new\",\"g\":\"n\"}\n");
    load(NS_B, "Events.items.jsonl", "{\"pk\":\"keep\",\"g\":\"k\"}\n");
    CHECK(meta_counter("stream_seq") == seq_before + 2);
    step_t restore = {"only-a", NULL, false, {0}, 0};
    CHECK(in_txn(restore_fn, &restore) == 0);
    CHECK(restore.counts.tables == 1 && restore.counts.items == 2);
    CHECK(count(STORE_DB_ITEMS, "", 0) == 5); /* A's 2, B's 3 */
    /* sequence numbers never go back: the next record is new */
    CHECK(meta_counter("stream_seq") == seq_before + 2);
    load(NS_A, "Events.items.jsonl", "{\"pk\":\"after\",\"g\":\"n\"}\n");
    CHECK(meta_counter("stream_seq") == seq_before + 3);

    /* reset of everything leaves counters and snapshots */
    step_t reset = {NULL, NULL, false, {0}, 0};
    CHECK(in_txn(reset_fn, &reset) == 0);
    CHECK(reset.counts.tables == 2);
    CHECK(count(STORE_DB_ITEMS, "", 0) == 0 && count(STORE_DB_CATALOG, "", 0) == 0);
    CHECK(count(STORE_DB_STREAMS, "", 0) == 0 && count(STORE_DB_STREAM_META, "", 0) == 0);
    CHECK(count(STORE_DB_INDEX, "", 0) == 0 && count(STORE_DB_TTL, "", 0) == 0 && count(STORE_DB_STATS, "", 0) == 0);
    CHECK(meta_counter("stream_seq") == seq_before + 3);
    char *doc = trigger_doc();
    CHECK(doc && strstr(doc, "\"StreamArn\":null") && strstr(doc, "\"Checkpoint\":\"000000000000000000000\""));
    free(doc);
    store_txn_t *txn;
    json_t *list = NULL;
    if (store_read_begin(store, &txn) == 0) {
        snapshots_describe(txn, NULL, &list);
        store_read_end(txn);
    }
    CHECK(json_array_size(json_object_get(list, "Snapshots")) == 2);
    json_decref(list);

    /* replace, then delete: the rows go with the name */
    step_t again = {"only-a", NS_A, true, {0}, 0};
    CHECK(in_txn(save_fn, &again) == 0);
    CHECK(again.counts.tables == 0);
    step_t all = {"all", NULL, false, {0}, 0};
    CHECK(in_txn(restore_fn, &all) == 0 && all.counts.tables == 2);
    CHECK(has_table(NS_A, "Events") && has_table(NS_B, "Events"));
}

/* ---- the item history, backups and their jobs (storage/history.h, backup_store.h) ---- */

typedef struct rows {
    const char *ns;
    uint32_t table, data, deleted; /* a table of ns, a backup's data id, a deleted table a copy reads */
} rows_t;

static uint32_t table_id(const char *ns)
{
    store_txn_t *txn;
    const table_t *t = NULL;
    uint32_t id = 0;
    if (store_read_begin(store, &txn) == 0) {
        catalog_lookup(cache, txn, ns, STR_LIT("Events"), &t);
        id = t ? t->id : 0;
        store_read_end(txn);
    }
    return id;
}

static str_t id_key(uint8_t *k, uint32_t id, const char *rest, size_t n)
{
    be32_put(k, id);
    memcpy(k + 4, rest, n);
    return (str_t){(const char *)k, 4 + n};
}

static str_t tagged(buf_t *b, const char *tag, const char *ns, const char *name)
{
    buf_reset(b);
    buf_puts(b, tag);
    buf_puts(b, ns);
    buf_putc(b, '\0');
    buf_puts(b, name);
    return (str_t){b->data, b->len};
}

static int put_rows_fn(store_txn_t *txn, void *ud)
{
    const rows_t *r = ud;
    uint8_t k[40];
    buf_t b = BUF_INIT;
    char rec[80];
    snprintf(rec, sizeof rec, "{\"data\":%u}", (unsigned)r->data);
    char job[80];
    snprintf(job, sizeof job, "{\"src\":{\"from\":\"table\",\"id\":%u}}", (unsigned)r->deleted);
    int rc =
        store_put(txn, STORE_DB_HISTORY, id_key(k, r->table, "0123456789abcdef\0\0\0\0\0\0\0\1", 24), STR_LIT("h"));
    rc = rc ? rc : store_put(txn, STORE_DB_HISTORY_LOG, id_key(k, r->table, "", 0), STR_LIT("log"));
    rc = rc ? rc : store_put(txn, STORE_DB_HISTORY_LOG, id_key(k, r->table, "\0\0\0\0\0\0\0\1", 8), STR_LIT("e"));
    rc = rc ? rc
            : store_put(txn, STORE_DB_BACKUPS, tagged(&b, "B", r->ns, "00000000000001-00000001"), str_from_cstr(rec));
    rc = rc ? rc : store_put(txn, STORE_DB_BACKUP_ITEMS, id_key(k, r->data, "item", 4), STR_LIT("i"));
    rc = rc ? rc
            : store_put(txn, STORE_DB_BACKUPS, tagged(&b, "Jb", r->ns, "00000000000002-00000002"), str_from_cstr(job));
    rc = rc ? rc : store_put(txn, STORE_DB_ITEMS, id_key(k, r->deleted, "item", 4), STR_LIT("i"));
    buf_free(&b);
    return rc;
}

/* Rows of r in the history, backup and item databases. */
static size_t rows_of(const rows_t *r)
{
    uint8_t k[4];
    buf_t b = BUF_INIT;
    size_t n = 0;
    be32_put(k, r->table);
    n += count(STORE_DB_HISTORY, (const char *)k, 4) + count(STORE_DB_HISTORY_LOG, (const char *)k, 4);
    be32_put(k, r->data);
    n += count(STORE_DB_BACKUP_ITEMS, (const char *)k, 4);
    be32_put(k, r->deleted);
    n += count(STORE_DB_ITEMS, (const char *)k, 4);
    str_t p = tagged(&b, "B", r->ns, "");
    n += count(STORE_DB_BACKUPS, p.ptr, p.len);
    p = tagged(&b, "Jb", r->ns, "");
    n += count(STORE_DB_BACKUPS, p.ptr, p.len);
    buf_free(&b);
    return n;
}

static void test_history_and_backups(void)
{
    rows_t a = {NS_A, table_id(NS_A), 7001, 9001}, b = {NS_B, table_id(NS_B), 7002, 9002};
    CHECK(a.table && b.table);
    CHECK(in_txn(put_rows_fn, &a) == 0 && in_txn(put_rows_fn, &b) == 0);
    CHECK(rows_of(&a) == 7 && rows_of(&b) == 7);
    step_t save_a = {"hist-a", NS_A, false, {0}, 0};
    CHECK(in_txn(save_fn, &save_a) == 0);

    /* a reset of A takes its history, backups, their items and a deleted table a copy reads */
    step_t reset_a = {NULL, NS_A, false, {0}, 0};
    CHECK(in_txn(reset_fn, &reset_a) == 0);
    CHECK(rows_of(&a) == 0 && rows_of(&b) == 7);

    step_t restore = {"hist-a", NULL, false, {0}, 0};
    CHECK(in_txn(restore_fn, &restore) == 0);
    CHECK(rows_of(&a) == 7 && rows_of(&b) == 7);

    step_t reset_all = {NULL, NULL, false, {0}, 0};
    CHECK(in_txn(reset_fn, &reset_all) == 0);
    CHECK(rows_of(&a) == 0 && rows_of(&b) == 0);
}

int main(void)
{
    char dir[] = "/tmp/ddbd-test-snapshots-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    store_opts_t o = {dir, (size_t)1 << 30, true, STORE_LOCK_EXCLUSIVE};
    char why[256];
    if (store_open(&o, &store, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    itemstore_on_change(stream_on_write);
    cache = catalog_cache_new();
    RUN(test_rules_and_names);
    RUN(test_whole_store);
    RUN(test_namespace_and_counters);
    RUN(test_history_and_backups);
    catalog_cache_free(cache);
    store_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return check_done();
}
