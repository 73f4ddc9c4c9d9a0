/* stream.c - the stream log: enabling and disabling streams, appending
 * records in the write's transaction, shards, trimming (see stream.h).
 *
 * A stream's description ('S' key) is small JSON, rewritten only by DDL,
 * shard rollover and trimming; appending a record reads it (to find the
 * open shard) and writes one record plus the sequence counter. */
#include "streams/stream.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/endian.h"
#include "base/json_fast.h"
#include "storage/itemstore.h"

/* ---- keys -------------------------------------------------------------- */

typedef struct rec_key {
    uint8_t b[12];
} rec_key_t;

static str_t rec_key(rec_key_t *k, uint32_t id, uint64_t seq)
{
    be32_put(k->b, id);
    be64_put(k->b + 4, seq);
    return (str_t){(const char *)k->b, 12};
}

static str_t meta_key(uint8_t k[5], uint32_t id)
{
    k[0] = 'S';
    be32_put(k + 1, id);
    return (str_t){(const char *)k, 5};
}

static void arn_key(buf_t *b, const char *arn)
{
    buf_putc(b, 'A');
    buf_puts(b, arn);
}

static const str_t seq_counter_key = STR_LIT("stream_seq");
static const str_t id_counter_key = STR_LIT("stream_next_id");

static int counter_next(store_txn_t *txn, str_t key, uint64_t *out)
{
    str_t v;
    uint64_t n = 0;
    int rc = store_get(txn, STORE_DB_META, key, &v);
    if (rc == 0 && v.len == 8)
        n = be64_get((const uint8_t *)v.ptr);
    else if (rc && rc != STORE_NOTFOUND)
        return rc;
    uint8_t b[8];
    be64_put(b, ++n);
    *out = n;
    return store_put(txn, STORE_DB_META, key, (str_t){(const char *)b, 8});
}

static int counter_peek(store_txn_t *txn, str_t key, uint64_t *out)
{
    str_t v;
    *out = 0;
    int rc = store_get(txn, STORE_DB_META, key, &v);
    if (rc == 0 && v.len == 8)
        *out = be64_get((const uint8_t *)v.ptr);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* ---- stream descriptions -------------------------------------------------- */

/* Loads the stream's JSON (new reference in *out, NULL when absent). */
static int meta_load(store_txn_t *txn, uint32_t id, json_t **out)
{
    uint8_t k[5];
    str_t v;
    *out = NULL;
    int rc = store_get(txn, STORE_DB_STREAM_META, meta_key(k, id), &v);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    *out = json_fast_loadb(v.ptr, v.len); /* every write to a table with a stream reads it */
    return *out ? 0 : STORE_ERR_IO;
}

static int meta_store(store_txn_t *txn, uint32_t id, const json_t *m)
{
    uint8_t k[5];
    char *s = xjson_dumps(m, JSON_COMPACT);
    int rc = store_put(txn, STORE_DB_STREAM_META, meta_key(k, id), str_from_cstr(s));
    free(s);
    return rc;
}

int stream__id_of_arn(store_txn_t *txn, const char *arn, uint32_t *id)
{
    buf_t k = BUF_INIT;
    arn_key(&k, arn);
    str_t v;
    int rc = store_get(txn, STORE_DB_STREAM_META, (str_t){k.data, k.len}, &v);
    buf_free(&k);
    if (rc == STORE_NOTFOUND)
        return STREAM_NOT_FOUND;
    if (rc)
        return rc;
    if (v.len != 4)
        return STORE_ERR_IO;
    *id = be32_get((const uint8_t *)v.ptr);
    return 0;
}

static uint64_t json_u64(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? strtoull(s, NULL, 10) : 0;
}

static void set_u64(json_t *o, const char *k, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    json_object_set_new(o, k, json_string(s));
}

/* The open shard (the last one, when it has no end), or NULL. */
static json_t *open_shard(json_t *m)
{
    json_t *shards = json_object_get(m, "shards");
    json_t *last = json_array_get(shards, json_array_size(shards) - 1);
    return last && !json_object_get(last, "end") ? last : NULL;
}

/* The highest sequence number stored for stream id (0 when none). */
int stream__last_seq(store_txn_t *txn, uint32_t id, uint64_t *out)
{
    store_cursor_t *c;
    *out = 0;
    int rc = store_cursor_open(txn, STORE_DB_STREAMS, &c);
    if (rc)
        return rc;
    rec_key_t rk;
    str_t k, v;
    rc = store_cursor_seek_before(c, rec_key(&rk, id + 1, 0), &k, &v);
    if (rc == 0 && k.len == 12 && be32_get((const uint8_t *)k.ptr) == id)
        *out = be64_get((const uint8_t *)k.ptr + 4);
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* AWS's shard id form: shardId-<20 digits>-<8 hex>. */
static json_t *new_shard(uint32_t id, size_t index, uint64_t start, const char *parent, int64_t now)
{
    char sid[64];
    uint32_t h = (uint32_t)XXH3_64bits((uint64_t[]){id, index, (uint64_t)now}, 24);
    snprintf(sid, sizeof sid, "shardId-%020lld-%08x", (long long)now, h);
    json_t *s = json_object();
    json_object_set_new(s, "id", json_string(sid));
    set_u64(s, "start", start);
    json_object_set_new(s, "created", json_integer(now));
    if (parent)
        json_object_set_new(s, "parent", json_string(parent));
    return s;
}

/* Closes the open shard at the stream's last record (or, when the shard
 * holds none, at its own start, as DynamoDB Local shows an empty closed
 * shard). */
static int close_shard(store_txn_t *txn, uint32_t id, json_t *shard)
{
    uint64_t last;
    int rc = stream__last_seq(txn, id, &last);
    if (rc)
        return rc;
    uint64_t start = json_u64(shard, "start");
    set_u64(shard, "end", last >= start ? last : start);
    return 0;
}

/* ---- DDL ------------------------------------------------------------------ */

static const char *const view_types[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", NULL};

static bool stream_enabled(const json_t *desc)
{
    return json_is_true(json_object_get(json_object_get(desc, "StreamSpecification"), "StreamEnabled"));
}

/* A stream ARN no other stream has: AWS's label is the creation time in
 * ms, and a frozen clock (or another namespace: the ARN does not name the
 * access key) could repeat it, so the label moves on by a millisecond
 * until it is new. *arn is malloc'ed. */
static int unique_arn(store_txn_t *txn, const char *region, const char *account, const char *table, int64_t now,
                      char *label, size_t label_len, char **arn)
{
    for (int64_t t = now;; t++) {
        clock_format_iso(t, label, label_len);
        label[strlen(label) - 1] = '\0'; /* "2015-05-11T21:21:33.291": no zone, as AWS */
        *arn = xasprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s", region, account, table, label);
        uint32_t other;
        int rc = stream__id_of_arn(txn, *arn, &other);
        if (rc == STREAM_NOT_FOUND)
            return 0;
        free(*arn);
        *arn = NULL;
        if (rc)
            return rc;
    }
}

int stream_enable(store_txn_t *txn, const char *ns, const char *region, const char *account, json_t *desc,
                  const char *view_type)
{
    uint64_t id64, next_seq;
    int rc = counter_next(txn, id_counter_key, &id64);
    if (!rc)
        rc = counter_peek(txn, seq_counter_key, &next_seq);
    if (rc)
        return rc;
    uint32_t id = (uint32_t)id64;
    int64_t now = clock_now_ms();
    const char *table = json_string_value(json_object_get(desc, "TableName"));
    char label[40];
    char *arn;
    rc = unique_arn(txn, region, account, table, now, label, sizeof label, &arn);
    if (rc)
        return rc;

    json_t *m = json_object();
    json_object_set_new(m, "arn", json_string(arn));
    json_object_set_new(m, "label", json_string(label));
    json_object_set_new(m, "ns", json_string(ns));
    json_object_set_new(m, "table", json_string(table));
    json_object_set_new(m, "region", json_string(region));
    json_object_set_new(m, "view", json_string(view_type));
    json_object_set(m, "KeySchema", json_object_get(desc, "KeySchema"));
    json_object_set_new(m, "created", json_integer(now));
    json_object_set_new(m, "status", json_string("ENABLED"));
    set_u64(m, "trim", 0);
    json_t *shards = json_array();
    json_array_append_new(shards, new_shard(id, 0, next_seq + 1, NULL, now));
    json_object_set_new(m, "shards", shards);
    rc = meta_store(txn, id, m);
    json_decref(m);

    buf_t k = BUF_INIT;
    arn_key(&k, arn);
    uint8_t idb[4];
    be32_put(idb, id);
    if (!rc)
        rc = store_put(txn, STORE_DB_STREAM_META, (str_t){k.data, k.len}, (str_t){(const char *)idb, 4});
    buf_free(&k);
    if (!rc) {
        json_t *spec = json_object();
        json_object_set_new(spec, "StreamEnabled", json_true());
        json_object_set_new(spec, "StreamViewType", json_string(view_type));
        json_object_set_new(desc, "StreamSpecification", spec);
        json_object_set_new(desc, "LatestStreamArn", json_string(arn));
        json_object_set_new(desc, "LatestStreamLabel", json_string(label));
        json_object_set_new(desc, "ddbd_stream_id", json_integer(id));
    }
    free(arn);
    return rc;
}

int stream_disable(store_txn_t *txn, json_t *desc)
{
    if (!stream_enabled(desc))
        return 0;
    uint32_t id = (uint32_t)json_integer_value(json_object_get(desc, "ddbd_stream_id"));
    json_t *m;
    int rc = meta_load(txn, id, &m);
    if (rc || !m)
        return rc;
    json_t *shard = open_shard(m);
    if (shard)
        rc = close_shard(txn, id, shard);
    json_object_set_new(m, "status", json_string("DISABLED"));
    json_object_set_new(m, "disabled", json_integer(clock_now_ms()));
    if (!rc)
        rc = meta_store(txn, id, m);
    json_decref(m);
    json_object_del(desc, "StreamSpecification");
    json_object_del(desc, "ddbd_stream_id");
    return rc;
}

int stream_check_spec(err_t *e, const json_t *spec)
{
    if (!spec)
        return 0;
    const json_t *en = json_object_get(spec, "StreamEnabled");
    const json_t *vt = json_object_get(spec, "StreamViewType");
    if (!json_is_object(spec) || !json_is_boolean(en))
        return err_set(e, ERR_VALIDATION,
                       "1 validation error detected: Value null at "
                       "'streamSpecification.streamEnabled' failed to satisfy constraint: "
                       "Member must not be null");
    if (vt && !json_is_null(vt)) {
        bool known = false;
        for (int i = 0; json_is_string(vt) && view_types[i]; i++)
            known |= strcmp(json_string_value(vt), view_types[i]) == 0;
        if (!known)
            return err_set(e, ERR_VALIDATION,
                           "1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' "
                           "failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, "
                           "OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]",
                           json_is_string(vt) ? json_string_value(vt) : "");
    } else {
        vt = NULL;
    }
    if (json_is_true(en) && !vt)
        return err_set(e, ERR_VALIDATION,
                       "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.");
    if (!json_is_true(en) && vt)
        return err_set(e, ERR_VALIDATION,
                       "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present.");
    return 0;
}

int stream_apply_spec(store_txn_t *txn, err_t *e, const char *ns, const char *region, const char *account, json_t *desc,
                      const json_t *spec, bool creating)
{
    if (!spec)
        return 0;
    if (stream_check_spec(e, spec))
        return -1;
    if (json_is_true(json_object_get(spec, "StreamEnabled"))) {
        if (stream_enabled(desc))
            return err_set(e, ERR_VALIDATION, "Table already has an enabled stream: TableName: %s",
                           json_string_value(json_object_get(desc, "TableName")));
        return stream_enable(txn, ns, region, account, desc,
                             json_string_value(json_object_get(spec, "StreamViewType")));
    }
    if (creating)
        return 0;
    if (!stream_enabled(desc))
        return err_set(e, ERR_VALIDATION, "Table has no stream to disable");
    return stream_disable(txn, desc);
}

int stream_on_table_deleted(store_txn_t *txn, const table_t *t)
{
    if (!stream_enabled(t->desc))
        return 0;
    json_t *copy = json_deep_copy(t->desc);
    int rc = stream_disable(txn, copy);
    json_decref(copy);
    return rc;
}

int stream_move(store_txn_t *txn, const json_t *desc, const char *ns)
{
    const json_t *id = json_object_get(desc, "ddbd_stream_id");
    json_t *m = NULL;
    int rc = id ? meta_load(txn, (uint32_t)json_integer_value(id), &m) : 0;
    const char *was = json_string_value(json_object_get(m, "ns"));
    if (!rc && m && was && strcmp(was, ns) != 0) {
        json_object_set_new(m, "ns", json_string(ns));
        rc = meta_store(txn, (uint32_t)json_integer_value(id), m);
    }
    json_decref(m);
    return rc;
}

void stream_describe_table(buf_t *b, const json_t *desc)
{
    const json_t *spec = json_object_get(desc, "StreamSpecification");
    if (spec) {
        jw_key(b, "StreamSpecification");
        jw_open(b, '{');
        jw_key(b, "StreamEnabled");
        jw_bool(b, json_is_true(json_object_get(spec, "StreamEnabled")));
        jw_key(b, "StreamViewType");
        jw_cstr(b, json_string_value(json_object_get(spec, "StreamViewType")));
        jw_close(b, '}');
    }
    const char *arn = json_string_value(json_object_get(desc, "LatestStreamArn"));
    if (arn) {
        jw_key(b, "LatestStreamArn");
        jw_cstr(b, arn);
        jw_key(b, "LatestStreamLabel");
        jw_cstr(b, json_string_value(json_object_get(desc, "LatestStreamLabel")));
    }
}

const char *stream_latest_arn(const table_t *t)
{
    return stream_enabled(t->desc) ? json_string_value(json_object_get(t->desc, "LatestStreamArn")) : NULL;
}

/* ---- appending records ------------------------------------------------------- */

static _Thread_local bool ttl_identity;
static _Atomic uint64_t appended; /* records appended, by any writer txn (writer thread) */
static _Atomic uint64_t committed; /* `appended` as of the writer's last commit */

void stream_set_ttl_identity(bool on) { ttl_identity = on; }

static void write_image(buf_t *b, const char *name, const value_t *item)
{
    jw_key(b, name);
    item_to_json(b, item);
}

/* The record as GetRecords shows it, minus nothing: built once, stored. */
static void build_record(buf_t *b, const json_t *m, const table_t *t, const value_t *old_item, const value_t *new_item,
                         uint64_t seq, int64_t now, arena_t *a)
{
    const char *view = json_string_value(json_object_get(m, "view"));
    const char *event = !old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY";
    const value_t *any = new_item ? new_item : old_item;
    value_t keys = key_of_item(a, &t->ks, any);
    bool want_new = strcmp(view, "NEW_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
    bool want_old = strcmp(view, "OLD_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;

    XXH128_hash_t h = XXH3_128bits_withSeed(&seq, sizeof seq, (uint64_t)now ^ t->id);
    buf_putc(b, '{'); /* not jw_open: b may end in the time prefix's bytes */
    jw_key(b, "eventID");
    buf_printf(b, "\"%016llx%016llx\"", (unsigned long long)h.high64, (unsigned long long)h.low64);
    jw_key(b, "eventName");
    jw_cstr(b, event);
    jw_key(b, "eventVersion");
    jw_cstr(b, "1.1");
    jw_key(b, "eventSource");
    jw_cstr(b, "aws:dynamodb");
    jw_key(b, "awsRegion");
    jw_cstr(b, json_string_value(json_object_get(m, "region")));
    jw_key(b, "dynamodb");
    jw_open(b, '{');
    jw_key(b, "ApproximateCreationDateTime");
    jw_int(b, now / 1000);
    write_image(b, "Keys", &keys);
    size_t size = item_size(&keys);
    if (want_new && new_item) {
        write_image(b, "NewImage", new_item);
        size += item_size(new_item);
    }
    if (want_old && old_item) {
        write_image(b, "OldImage", old_item);
        size += item_size(old_item);
    }
    jw_key(b, "SequenceNumber");
    buf_printf(b, "\"%021llu\"", (unsigned long long)seq);
    jw_key(b, "SizeBytes");
    jw_int(b, (int64_t)size);
    jw_key(b, "StreamViewType");
    jw_cstr(b, view);
    jw_close(b, '}');
    if (ttl_identity) {
        jw_key(b, "userIdentity");
        buf_puts(b, STREAM_TTL_IDENTITY);
    }
    jw_close(b, '}');
}

/* Starts a new shard when the open one is older than its lifetime and
 * holds records (an empty shard has nothing for a consumer to finish). */
static int maybe_roll_over(store_txn_t *txn, uint32_t id, json_t *m, uint64_t seq, int64_t now)
{
    json_t *shard = open_shard(m);
    if (!shard)
        return 0;
    if (now - json_integer_value(json_object_get(shard, "created")) < STREAM_SHARD_LIFETIME_MS)
        return 0;
    uint64_t last;
    int rc = stream__last_seq(txn, id, &last);
    if (rc || last < json_u64(shard, "start"))
        return rc;
    set_u64(shard, "end", last);
    json_t *shards = json_object_get(m, "shards");
    json_array_append_new(
        shards, new_shard(id, json_array_size(shards), seq, json_string_value(json_object_get(shard, "id")), now));
    return meta_store(txn, id, m);
}

int stream_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                    const value_t *new_item)
{
    (void)key;
    if (!stream_enabled(t->desc) || (!old_item && !new_item))
        return 0;
    if (old_item && new_item && value_equal(old_item, new_item))
        return 0; /* a write that changes nothing leaves no record */
    uint32_t id = (uint32_t)json_integer_value(json_object_get(t->desc, "ddbd_stream_id"));
    json_t *m;
    int rc = meta_load(txn, id, &m);
    if (rc || !m)
        return rc;
    uint64_t seq;
    int64_t now = clock_now_ms();
    rc = counter_next(txn, seq_counter_key, &seq);
    if (!rc)
        rc = maybe_roll_over(txn, id, m, seq, now);
    if (!rc) {
        arena_t a;
        arena_init(&a);
        buf_t b = BUF_INIT;
        uint8_t ts[8];
        be64_put(ts, (uint64_t)now);
        buf_append(&b, ts, 8);
        build_record(&b, m, t, old_item, new_item, seq, now, &a);
        rec_key_t rk;
        rc = store_put(txn, STORE_DB_STREAMS, rec_key(&rk, id, seq), (str_t){b.data, b.len});
        buf_free(&b);
        arena_free(&a);
    }
    json_decref(m);
    if (!rc)
        atomic_fetch_add_explicit(&appended, 1, memory_order_relaxed);
    return rc;
}

/* ---- subscribers --------------------------------------------------------------- */

#define MAX_SUBSCRIBERS 8
static struct {
    void (*fn)(void *ud);
    void *ud;
} subscribers[MAX_SUBSCRIBERS];
static int n_subscribers;
static uint64_t notified; /* loop thread's view of `committed` */

void stream_subscribe(void (*fn)(void *ud), void *ud)
{
    if (n_subscribers < MAX_SUBSCRIBERS) {
        subscribers[n_subscribers].fn = fn;
        subscribers[n_subscribers++].ud = ud;
    }
}

/* Writer thread, right after a commit: every record appended so far is
 * committed now (or was rolled back with a failed batch, which costs one
 * needless wake-up). Records of the batch after it are counted only at
 * its own commit, so the loop never takes an uncommitted count for news
 * it has already passed on. */
static void on_committed(void *ud)
{
    (void)ud;
    atomic_store_explicit(&committed, atomic_load_explicit(&appended, memory_order_relaxed), memory_order_release);
}

/* Loop thread, after a batch commits: runs the subscribers if records
 * were committed since the last call. (Counting records when written, as
 * this once did, let a count taken while the next batch was in flight
 * pass for news already given: a reader woken before that batch's commit
 * then slept through it, e.g. a trigger whose filter had just skipped the
 * records before it.) */
static void after_commit(void *ud)
{
    (void)ud;
    uint64_t now = atomic_load_explicit(&committed, memory_order_acquire);
    if (now == notified)
        return;
    notified = now;
    for (int i = 0; i < n_subscribers; i++)
        subscribers[i].fn(subscribers[i].ud);
}

void stream_attach(writer_t *w)
{
    itemstore_on_change(stream_on_write);
    writer_on_committed(w, on_committed, NULL);
    writer_on_commit(w, after_commit, NULL);
}

void stream_shard_of(store_txn_t *txn, const char *arn, uint64_t seq, char *out, size_t len)
{
    uint32_t id;
    json_t *m = NULL;
    out[0] = '\0';
    if (stream__id_of_arn(txn, arn, &id) == 0 && stream__meta(txn, id, &m) == 0 && m) {
        size_t i;
        json_t *sh;
        json_array_foreach(json_object_get(m, "shards"), i, sh)
        {
            const char *start = json_string_value(json_object_get(sh, "start"));
            if (start && strtoull(start, NULL, 10) <= seq)
                snprintf(out, len, "%s", json_string_value(json_object_get(sh, "id")) ?: "");
        }
    }
    json_decref(m);
}

/* ---- reading ------------------------------------------------------------------------ */

/* Records of stream id with from <= seq <= to, in order. */
int stream__read(store_txn_t *txn, uint32_t id, uint64_t from, uint64_t to, size_t max, stream_record_fn fn, void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_STREAMS, &c);
    if (rc)
        return rc;
    rec_key_t rk;
    str_t k, v;
    size_t n = 0;
    for (rc = store_cursor_seek(c, rec_key(&rk, id, from), &k, &v); rc == 0 && n < max;
         rc = store_cursor_next(c, &k, &v), n++) {
        if (k.len != 12 || be32_get((const uint8_t *)k.ptr) != id)
            break;
        uint64_t seq = be64_get((const uint8_t *)k.ptr + 4);
        if (seq > to || v.len < 8)
            break;
        if (fn(ud, seq, (str_t){v.ptr + 8, v.len - 8}))
            break;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc < 0 ? rc : 0;
}

int stream_read_after(store_txn_t *txn, const char *stream_arn, uint64_t after, size_t max, stream_record_fn fn,
                      void *ud)
{
    uint32_t id;
    int rc = stream__id_of_arn(txn, stream_arn, &id);
    if (rc)
        return rc;
    return stream__read(txn, id, after + 1, UINT64_MAX, max, fn, ud);
}

int stream_last_seq(store_txn_t *txn, const char *stream_arn, uint64_t *out)
{
    uint32_t id;
    int rc = stream__id_of_arn(txn, stream_arn, &id);
    return rc ? rc : stream__last_seq(txn, id, out);
}

static int first_cb(void *ud, uint64_t seq, str_t rec)
{
    (void)rec;
    *(uint64_t *)ud = seq;
    return 1;
}

int stream_first_seq(store_txn_t *txn, const char *stream_arn, uint64_t *out)
{
    uint32_t id;
    *out = 0;
    int rc = stream__id_of_arn(txn, stream_arn, &id);
    return rc ? rc : stream__read(txn, id, 0, UINT64_MAX, 1, first_cb, out);
}

int stream__meta(store_txn_t *txn, uint32_t id, json_t **out) { return meta_load(txn, id, out); }

int stream__each(store_txn_t *txn, uint32_t first_id, int (*fn)(void *ud, uint32_t id, json_t *m), void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_STREAM_META, &c);
    if (rc)
        return rc;
    uint8_t mk[5];
    str_t k, v;
    for (rc = store_cursor_seek(c, meta_key(mk, first_id), &k, &v); rc == 0; rc = store_cursor_next(c, &k, &v)) {
        if (k.len != 5 || k.ptr[0] != 'S')
            break;
        json_t *m = json_loadb(v.ptr, v.len, 0, NULL);
        if (!m) {
            rc = STORE_ERR_IO;
            break;
        }
        int stop = fn(ud, be32_get((const uint8_t *)k.ptr + 1), m);
        json_decref(m);
        if (stop)
            break;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc < 0 ? rc : 0;
}

int stream__each_by_arn(store_txn_t *txn, str_t after_arn, int (*fn)(void *ud, uint32_t id, json_t *m), void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_STREAM_META, &c);
    if (rc)
        return rc;
    buf_t start = BUF_INIT;
    buf_putc(&start, 'A');
    buf_append(&start, after_arn.ptr, after_arn.len);
    str_t k, v;
    for (rc = store_cursor_seek(c, (str_t){start.data, start.len}, &k, &v); rc == 0;
         rc = store_cursor_next(c, &k, &v)) {
        if (k.len == 0 || k.ptr[0] != 'A')
            break;
        if (after_arn.len && str_eq(k, (str_t){start.data, start.len}))
            continue; /* exclusive */
        if (v.len != 4) {
            rc = STORE_ERR_IO;
            break;
        }
        uint32_t id = be32_get((const uint8_t *)v.ptr);
        json_t *m;
        rc = meta_load(txn, id, &m);
        if (rc)
            break;
        if (!m)
            continue;
        int stop = fn(ud, id, m);
        json_decref(m);
        if (stop)
            break;
    }
    buf_free(&start);
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc < 0 ? rc : 0;
}

/* ---- trimming ------------------------------------------------------------------------- */

/* Deletes stream id's records older than horizon (at most *budget).
 * Returns the last deleted sequence number through *trimmed_to. */
static int trim_records(store_txn_t *txn, uint32_t id, int64_t horizon, size_t *budget, uint64_t *trimmed_to,
                        uint64_t *deleted)
{
    for (;;) {
        store_cursor_t *c;
        int rc = store_cursor_open(txn, STORE_DB_STREAMS, &c);
        if (rc)
            return rc;
        rec_key_t rk;
        str_t k, v;
        rc = store_cursor_seek(c, rec_key(&rk, id, 0), &k, &v);
        bool old = rc == 0 && k.len == 12 && be32_get((const uint8_t *)k.ptr) == id && v.len >= 8 &&
                   (int64_t)be64_get((const uint8_t *)v.ptr) < horizon;
        uint64_t seq = old ? be64_get((const uint8_t *)k.ptr + 4) : 0;
        store_cursor_close(c);
        if (rc && rc != STORE_NOTFOUND)
            return rc;
        if (!old || *budget == 0)
            return 0;
        rc = store_del(txn, STORE_DB_STREAMS, rec_key(&rk, id, seq));
        if (rc)
            return rc;
        *trimmed_to = seq;
        (*budget)--;
        (*deleted)++;
    }
}

/* Drops a stream whose retention ended: its records, ARN and description. */
static int drop_stream(store_txn_t *txn, uint32_t id, const json_t *m)
{
    rec_key_t rk;
    int rc = store_del_prefix(txn, STORE_DB_STREAMS, (str_t){(const char *)rec_key(&rk, id, 0).ptr, 4}, NULL);
    buf_t k = BUF_INIT;
    arn_key(&k, json_string_value(json_object_get(m, "arn")));
    if (!rc)
        rc = store_del(txn, STORE_DB_STREAM_META, (str_t){k.data, k.len});
    buf_free(&k);
    uint8_t mk[5];
    if (!rc || rc == STORE_NOTFOUND)
        rc = store_del(txn, STORE_DB_STREAM_META, meta_key(mk, id));
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Trims one stream; shards whose records are all gone leave the list. */
static int trim_stream(store_txn_t *txn, uint32_t id, int64_t now, size_t *budget, uint64_t *deleted)
{
    json_t *m;
    int rc = meta_load(txn, id, &m);
    if (rc || !m)
        return rc;
    int64_t disabled = json_integer_value(json_object_get(m, "disabled"));
    if (disabled && now - disabled >= STREAM_RETENTION_MS) {
        rc = drop_stream(txn, id, m);
        json_decref(m);
        return rc;
    }
    uint64_t trimmed_to = 0;
    rc = trim_records(txn, id, now - STREAM_RETENTION_MS, budget, &trimmed_to, deleted);
    bool changed = trimmed_to != 0;
    if (changed)
        set_u64(m, "trim", trimmed_to);
    /* A closed shard older than the retention is gone, as on AWS. */
    json_t *shards = json_object_get(m, "shards");
    while (!rc && json_array_size(shards) > 1) {
        json_t *s0 = json_array_get(shards, 0);
        json_t *s1 = json_array_get(shards, 1);
        if (now - json_integer_value(json_object_get(s1, "created")) < STREAM_RETENTION_MS ||
            json_u64(s0, "end") > json_u64(m, "trim"))
            break;
        json_array_remove(shards, 0);
        changed = true;
    }
    if (!rc && changed)
        rc = meta_store(txn, id, m);
    json_decref(m);
    return rc;
}

typedef struct id_list {
    uint32_t *ids;
    size_t n, cap;
} id_list_t;

static int collect_id(void *ud, uint32_t id, json_t *m)
{
    (void)m;
    id_list_t *l = ud;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
    }
    l->ids[l->n++] = id;
    return 0;
}

int stream_trim(store_txn_t *txn, int64_t now_ms, size_t max_records, uint64_t *deleted, bool *more)
{
    *deleted = 0;
    *more = false;
    /* Collect the ids first: trimming rewrites descriptions under the cursor. */
    id_list_t l = {NULL, 0, 0};
    int rc = stream__each(txn, 0, collect_id, &l);
    size_t budget = max_records;
    for (size_t i = 0; !rc && i < l.n && budget > 0; i++)
        rc = trim_stream(txn, l.ids[i], now_ms, &budget, deleted);
    free(l.ids);
    if (!rc && budget == 0)
        *more = true;
    return rc;
}

typedef struct due_ctx {
    store_txn_t *txn;
    int64_t now;
    bool due;
} due_ctx_t;

int64_t stream__record_time_s(str_t rec)
{
    static const char key[] = "\"ApproximateCreationDateTime\":";
    const char *t = memmem(rec.ptr, rec.len, key, sizeof key - 1);
    if (!t)
        return INT64_MAX;
    const char *p = t + sizeof key - 1, *end = rec.ptr + rec.len;
    int64_t v = 0;
    for (; p < end && *p >= '0' && *p <= '9' && v < INT64_MAX / 10 - 10; p++)
        v = v * 10 + (*p - '0');
    return v;
}

static int first_time_cb(void *ud, uint64_t seq, str_t rec)
{
    (void)seq;
    int64_t s = stream__record_time_s(rec), *out = ud;
    *out = s == INT64_MAX ? INT64_MAX : s * 1000;
    return 1;
}

static int due_one(void *ud, uint32_t id, json_t *m)
{
    due_ctx_t *c = ud;
    int64_t disabled = json_integer_value(json_object_get(m, "disabled"));
    if (disabled && c->now - disabled >= STREAM_RETENTION_MS)
        return c->due = true;
    int64_t first = INT64_MAX;
    if (stream__read(c->txn, id, 0, UINT64_MAX, 1, first_time_cb, &first) == 0 && first < c->now - STREAM_RETENTION_MS)
        return c->due = true;
    return 0;
}

bool stream_trim_due(store_txn_t *txn, int64_t now_ms)
{
    due_ctx_t c = {txn, now_ms, false};
    stream__each(txn, 0, due_one, &c);
    return c.due;
}
