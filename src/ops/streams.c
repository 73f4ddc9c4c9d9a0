/* ops/streams.c - the DynamoDB Streams API (DynamoDBStreams_20120810.*):
 * ListStreams, DescribeStream, GetShardIterator, GetRecords.
 *
 * All reads: each runs in one read transaction on the loop thread. A
 * stream belongs to the namespace of the table it was made for; another
 * namespace's ARN is "not found", as another account's would be.
 *
 * Shard iterators are plain text, "<stream ARN>|<shard id>|<next sequence
 * number>|<issued at, ms>", which is what they are on AWS too: an opaque
 * position. Age is checked against ddbd's clock (15 minutes). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/alloc.h"
#include "streams/stream.h"
#include "ops/ops.h"

#define GET_RECORDS_MAX_BYTES (1024 * 1024)

static uint64_t jsu64(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? strtoull(s, NULL, 10) : 0;
}

static int stream_not_found(ddb_req_t *r, str_t arn)
{
    return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %.*s not found",
                   STR_FMT(arn));
}

/* Whether the stream m (of another namespace) belongs to a table the
 * caller's namespace also has: a global table's replica reads the group's
 * one stream (replicas.c). */
static bool shared_with_caller(ddb_req_t *r, store_txn_t *txn, const json_t *m)
{
    str_t table = str_from_cstr(json_string_value(json_object_get(m, "table")));
    const table_t *mine, *theirs;
    if (catalog_lookup(r->env->loop_catalog, txn, r->ns, table, &mine) || !mine)
        return false;
    uint32_t id = mine->id;
    return !catalog_lookup(r->env->loop_catalog, txn, json_string_value(json_object_get(m, "ns")), table, &theirs) &&
           theirs && theirs->id == id;
}

static bool stream_is_callers(ddb_req_t *r, store_txn_t *txn, const json_t *m)
{
    return strcmp(json_string_value(json_object_get(m, "ns")), r->ns) == 0 || shared_with_caller(r, txn, m);
}

/* The caller's stream named by arn: its id and description (new ref). */
static int load_stream(ddb_req_t *r, store_txn_t *txn, str_t arn, uint32_t *id, json_t **m)
{
    *m = NULL;
    const char *carn = arena_cstr(&r->arena, arn);
    int rc = stream__id_of_arn(txn, carn, id);
    if (rc == STREAM_NOT_FOUND)
        return stream_not_found(r, arn);
    if (!rc)
        rc = stream__meta(txn, *id, m);
    if (rc)
        return rc;
    if (!*m || !stream_is_callers(r, txn, *m)) {
        json_decref(*m);
        *m = NULL;
        return stream_not_found(r, arn);
    }
    return 0;
}

/* Limit: optional (default dflt), at least 1 (Coral's constraint
 * message), at most hi (an operation-specific message, DynamoDB Local's
 * wording; AWS's own is not documented). */
static int read_limit(ddb_req_t *r, int64_t dflt, int64_t hi, const char *over_msg, int64_t *out)
{
    bool present;
    if (req_int(r, "Limit", out, &present))
        return -1;
    if (!present)
        *out = dflt;
    else if (*out < 1)
        req_constraint(r, arena_printf(&r->arena, "'%" PRId64 "'", *out), "limit",
                       "Member must have value greater than or equal to 1");
    else if (*out > hi)
        return err_set(&r->err, ERR_VALIDATION, "One or more parameter values were invalid: %s", over_msg);
    return 0;
}

static int arn_param(ddb_req_t *r, const char *name, const char *field, bool required, str_t *out)
{
    if (req_string(r, name, required, out))
        return -1;
    if (out->ptr)
        req_check_length(r, *out, field, 37, 1024);
    return 0;
}

/* ---- ListStreams ------------------------------------------------------- */

typedef struct list_ctx {
    ddb_req_t *r;
    str_t table;
    int64_t limit, n;
    const char *last_arn;
    bool more;
} list_ctx_t;

static int list_one(void *ud, uint32_t id, json_t *m)
{
    (void)id;
    list_ctx_t *c = ud;
    if (!stream_is_callers(c->r, c->r->txn, m))
        return 0;
    const char *table = json_string_value(json_object_get(m, "table"));
    if (c->table.ptr && !str_eq_cstr(c->table, table))
        return 0;
    if (c->n == c->limit) {
        c->more = true;
        return 1;
    }
    buf_t *b = &c->r->out;
    jw_open(b, '{');
    jw_key(b, "StreamArn");
    c->last_arn = arena_cstr(&c->r->arena, str_from_cstr(json_string_value(json_object_get(m, "arn"))));
    jw_cstr(b, c->last_arn);
    jw_key(b, "TableName");
    jw_cstr(b, table);
    jw_key(b, "StreamLabel");
    jw_cstr(b, json_string_value(json_object_get(m, "label")));
    jw_close(b, '}');
    c->n++;
    return 0;
}

/* ListStreams(TableName?, Limit?, ExclusiveStartStreamArn?) */
req_result_t op_list_streams(ddb_req_t *r)
{
    list_ctx_t c = {.r = r};
    str_t start;
    if (read_limit(r, 100, 100, "Limit cannot be greater than the maximum allowed size: 100", &c.limit) ||
        arn_param(r, "ExclusiveStartStreamArn", "exclusiveStartStreamArn", false, &start))
        return REQ_FAILED;
    if (req_member(r, "TableName") && req_table_name(r, &c.table))
        return REQ_FAILED;
    if (req_constraints_done(r))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    /* ARN order: paging resumes after ExclusiveStartStreamArn even when that
     * stream has gone meanwhile (DynamoDB Local accepts unknown ARNs too). */
    buf_puts(&r->out, "{\"Streams\":[");
    int rc = stream__each_by_arn(txn, start.ptr ? start : STR_LIT(""), list_one, &c);
    if (!rc) {
        buf_putc(&r->out, ']');
        if (c.more) {
            jw_key(&r->out, "LastEvaluatedStreamArn");
            jw_cstr(&r->out, c.last_arn);
        }
        buf_putc(&r->out, '}');
    }
    return req_result(r, rc);
}

/* ---- DescribeStream ------------------------------------------------------ */

static void write_shard(buf_t *b, const json_t *s)
{
    jw_open(b, '{');
    jw_key(b, "ShardId");
    jw_cstr(b, json_string_value(json_object_get(s, "id")));
    jw_key(b, "SequenceNumberRange");
    jw_open(b, '{');
    jw_key(b, "StartingSequenceNumber");
    buf_printf(b, "\"%021llu\"", (unsigned long long)jsu64(s, "start"));
    if (json_object_get(s, "end")) {
        jw_key(b, "EndingSequenceNumber");
        buf_printf(b, "\"%021llu\"", (unsigned long long)jsu64(s, "end"));
    }
    jw_close(b, '}');
    const char *parent = json_string_value(json_object_get(s, "parent"));
    if (parent) {
        jw_key(b, "ParentShardId");
        jw_cstr(b, parent);
    }
    jw_close(b, '}');
}

/* ShardFilter CHILD_SHARDS: only the shards whose parent is `parent`. */
static void write_description(ddb_req_t *r, const json_t *m, int64_t limit, str_t start_shard, str_t parent)
{
    buf_t *b = &r->out;
    buf_puts(b, "{\"StreamDescription\":{");
    static const char *const copy[][2] = {
        {"StreamArn", "arn"}, {"StreamLabel", "label"}, {"StreamStatus", "status"}, {"StreamViewType", "view"}};
    for (size_t i = 0; i < sizeof copy / sizeof *copy; i++) {
        jw_key(b, copy[i][0]);
        jw_cstr(b, json_string_value(json_object_get(m, copy[i][1])));
    }
    jw_key(b, "CreationRequestDateTime");
    jw_double(b, (double)json_integer_value(json_object_get(m, "created")) / 1000.0);
    jw_key(b, "TableName");
    jw_cstr(b, json_string_value(json_object_get(m, "table")));
    jw_key(b, "KeySchema");
    char *ks = xjson_dumps(json_object_get(m, "KeySchema"), JSON_COMPACT);
    buf_puts(b, ks);
    free(ks);
    jw_key(b, "Shards");
    jw_open(b, '[');
    json_t *shards = json_object_get(m, "shards");
    size_t i = 0;
    if (start_shard.ptr) {
        for (; i < json_array_size(shards); i++)
            if (str_eq_cstr(start_shard, json_string_value(json_object_get(json_array_get(shards, i), "id"))))
                break;
        i++; /* after it (an unknown id: past the end, nothing) */
    }
    int64_t n = 0;
    const char *last = NULL;
    for (; i < json_array_size(shards) && n < limit; i++) {
        const json_t *s = json_array_get(shards, i);
        if (parent.ptr && !str_eq_cstr(parent, json_string_value(json_object_get(s, "parent"))))
            continue;
        write_shard(b, s);
        last = json_string_value(json_object_get(s, "id"));
        n++;
    }
    jw_close(b, ']');
    if (i < json_array_size(shards) && last) {
        jw_key(b, "LastEvaluatedShardId");
        jw_cstr(b, last);
    }
    buf_puts(b, "}}");
}

/* ShardFilter{Type: CHILD_SHARDS, ShardId}: the parent's id into *parent. */
static int shard_filter(ddb_req_t *r, str_t *parent)
{
    const json_t *f;
    *parent = STR_NULL;
    if (req_object(r, "ShardFilter", false, &f) || !f)
        return r->err.code ? -1 : 0;
    const json_t *type = json_object_get(f, "Type"), *id = json_object_get(f, "ShardId");
    if ((type && !json_is_string(type) && !json_is_null(type)) || (id && !json_is_string(id) && !json_is_null(id)))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    if (json_is_string(type) && strcmp(json_string_value(type), "CHILD_SHARDS") != 0)
        req_constraint(r, arena_printf(&r->arena, "'%s'", json_string_value(type)), "shardFilter.type",
                       "Member must satisfy enum value set: [CHILD_SHARDS]");
    if (json_is_string(id)) {
        *parent = (str_t){json_string_value(id), json_string_length(id)};
        req_check_length(r, *parent, "shardFilter.shardId", 28, 65);
    }
    /* no parent named: nothing is anyone's child */
    if (!parent->ptr)
        *parent = STR_LIT("");
    return 0;
}

/* DescribeStream(StreamArn, Limit?, ExclusiveStartShardId?, ShardFilter?) */
req_result_t op_describe_stream(ddb_req_t *r)
{
    str_t arn, start, parent;
    int64_t limit;
    if (arn_param(r, "StreamArn", "streamArn", true, &arn) ||
        read_limit(r, 100, 100, "Limit cannot be greater than the maximum: 100", &limit) ||
        req_string(r, "ExclusiveStartShardId", false, &start) || shard_filter(r, &parent))
        return REQ_FAILED;
    if (start.ptr)
        req_check_length(r, start, "exclusiveStartShardId", 28, 65);
    if (req_constraints_done(r))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    uint32_t id;
    json_t *m;
    int rc = load_stream(r, txn, arn, &id, &m);
    if (!rc)
        write_description(r, m, limit, start, parent);
    json_decref(m);
    return req_result(r, rc);
}

/* ---- GetShardIterator ------------------------------------------------------- */

static json_t *find_shard(json_t *m, str_t shard_id)
{
    json_t *shards = json_object_get(m, "shards");
    for (size_t i = 0; i < json_array_size(shards); i++) {
        json_t *s = json_array_get(shards, i);
        if (str_eq_cstr(shard_id, json_string_value(json_object_get(s, "id"))))
            return s;
    }
    return NULL;
}

static bool parse_seq(str_t s, uint64_t *out)
{
    if (s.len < 21 || s.len > 40)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return true;
}

static const char *const iterator_types[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER",
                                             NULL};
enum { IT_TRIM_HORIZON, IT_LATEST, IT_AT, IT_AFTER };

static void write_iterator(buf_t *b, const char *arn, const char *shard, uint64_t pos)
{
    buf_printf(b, "\"%s|%s|%llu|%lld\"", arn, shard, (unsigned long long)pos, (long long)clock_now_ms());
}

static int trimmed(ddb_req_t *r)
{
    return err_set(&r->err, ERR_TRIMMED_DATA,
                   "The operation attempted to read past the oldest stream record in a shard.");
}

/* The first position of the shard a reader can still get: after the
 * trimmed records. */
static uint64_t shard_horizon(const json_t *m, const json_t *s)
{
    uint64_t start = jsu64(s, "start"), trim = jsu64(m, "trim");
    return trim >= start ? trim + 1 : start;
}

typedef struct horizon_ctx {
    int64_t min_s; /* records older than this (epoch seconds) are out of retention */
    uint64_t pos; /* the first position still retained */
} horizon_ctx_t;

static int skip_expired(void *ud, uint64_t seq, str_t rec)
{
    horizon_ctx_t *h = ud;
    if (stream__record_time_s(rec) >= h->min_s)
        return 1;
    h->pos = seq + 1;
    return 0;
}

/* The iterator's starting position, or -1 with r->err set. */
static int iterator_position(ddb_req_t *r, store_txn_t *txn, uint32_t id, const json_t *m, const json_t *s, int type,
                             str_t seq_text, uint64_t *pos)
{
    uint64_t start = jsu64(s, "start");
    bool closed = json_object_get(s, "end") != NULL;
    uint64_t end = closed ? jsu64(s, "end") : UINT64_MAX;
    if (type == IT_TRIM_HORIZON) {
        /* past records the sweeper has not trimmed yet but that are older
         * than the retention: they count as trimmed already (however many:
         * with --ttl-sweep-seconds 0 nothing trims until asked) */
        horizon_ctx_t h = {.min_s = (clock_now_ms() - STREAM_RETENTION_MS) / 1000, .pos = shard_horizon(m, s)};
        int rc = stream__read(txn, id, h.pos, end, SIZE_MAX, skip_expired, &h);
        *pos = h.pos;
        return rc;
    }
    if (type == IT_LATEST) {
        uint64_t last;
        int rc = stream__last_seq(txn, id, &last);
        if (rc)
            return rc;
        /* the next write, even on an empty shard */
        *pos = closed ? end + 1 : (last + 1 > start ? last + 1 : start);
        return 0;
    }
    uint64_t seq;
    if (!seq_text.ptr || !parse_seq(seq_text, &seq) || seq < start || seq > end)
        return err_set(&r->err, ERR_VALIDATION, "One or more parameter values were invalid: Invalid SequenceNumber");
    if (seq < shard_horizon(m, s))
        return trimmed(r);
    *pos = type == IT_AT ? seq : seq + 1;
    return 0;
}

/* GetShardIterator(StreamArn, ShardId, ShardIteratorType, SequenceNumber?) */
req_result_t op_get_shard_iterator(ddb_req_t *r)
{
    str_t arn, shard_id, seq;
    int type;
    if (arn_param(r, "StreamArn", "streamArn", true, &arn) || req_string(r, "ShardId", true, &shard_id) ||
        req_enum(r, "ShardIteratorType", iterator_types, &type, -1) || req_string(r, "SequenceNumber", false, &seq))
        return REQ_FAILED;
    if (shard_id.ptr)
        req_check_length(r, shard_id, "shardId", 28, 65);
    if (type < 0)
        req_constraint(r, "null", "shardIteratorType", "Member must not be null");
    if (req_constraints_done(r))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    uint32_t id;
    json_t *m;
    int rc = load_stream(r, txn, arn, &id, &m);
    json_t *s = rc ? NULL : find_shard(m, shard_id);
    if (!rc && !s)
        rc = err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Shard does not exist");
    uint64_t pos = 0;
    if (!rc)
        rc = iterator_position(r, txn, id, m, s, type, seq, &pos);
    if (!rc) {
        buf_puts(&r->out, "{\"ShardIterator\":");
        write_iterator(&r->out, json_string_value(json_object_get(m, "arn")),
                       json_string_value(json_object_get(s, "id")), pos);
        buf_putc(&r->out, '}');
    }
    json_decref(m);
    return req_result(r, rc);
}

/* ---- GetRecords --------------------------------------------------------------- */

typedef struct iterator {
    str_t arn, shard;
    uint64_t pos;
    int64_t issued;
} iterator_t;

static int parse_iterator(str_t it, iterator_t *out)
{
    str_t part[4];
    size_t n = 0;
    const char *p = it.ptr, *end = it.ptr + it.len;
    while (n < 4) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *stop = bar ? bar : end;
        part[n++] = (str_t){p, (size_t)(stop - p)};
        if (!bar)
            break;
        p = bar + 1;
    }
    if (n != 4 || part[3].ptr + part[3].len != end || part[0].len == 0 || part[1].len == 0)
        return -1; /* four fields, the last running to the end */
    uint64_t v[2];
    for (int i = 0; i < 2; i++) {
        str_t s = part[2 + i];
        if (s.len == 0 || s.len > 19)
            return -1;
        v[i] = 0;
        for (size_t j = 0; j < s.len; j++) {
            if (s.ptr[j] < '0' || s.ptr[j] > '9')
                return -1;
            v[i] = v[i] * 10 + (uint64_t)(s.ptr[j] - '0');
        }
    }
    if (v[1] > INT64_MAX)
        return -1; /* an issue time no clock reaches */
    *out = (iterator_t){part[0], part[1], v[0], (int64_t)v[1]};
    return 0;
}

typedef struct records_ctx {
    buf_t *b;
    size_t n, bytes;
    uint64_t last;
    int64_t horizon_s; /* records older than this (seconds) count as trimmed */
    bool too_old;
    bool full;
} records_ctx_t;

static int add_record(void *ud, uint64_t seq, str_t rec)
{
    records_ctx_t *c = ud;
    if (c->n == 0) {
        /* the first record decides whether the position is still retained */
        if (stream__record_time_s(rec) < c->horizon_s) {
            c->too_old = true;
            return 1;
        }
    }
    if (c->n > 0 && c->bytes + rec.len > GET_RECORDS_MAX_BYTES) {
        c->full = true;
        return 1;
    }
    jw_comma(c->b);
    buf_append(c->b, rec.ptr, rec.len);
    c->n++;
    c->bytes += rec.len;
    c->last = seq;
    return 0;
}

/* GetRecords(ShardIterator, Limit?) */
req_result_t op_get_records(ddb_req_t *r)
{
    str_t its;
    int64_t limit;
    if (req_string(r, "ShardIterator", true, &its) ||
        read_limit(r, 1000, 1000, "Limit should be less than or equal to 1000", &limit))
        return REQ_FAILED;
    if (its.ptr)
        req_check_length(r, its, "shardIterator", 1, 2048);
    if (req_constraints_done(r))
        return REQ_FAILED;
    iterator_t it;
    if (parse_iterator(its, &it))
        return req_fail(r, ERR_VALIDATION, "Invalid ShardIterator");
    int64_t now = clock_now_ms();
    if (now - it.issued > STREAM_ITERATOR_TTL_MS)
        return req_fail(r, ERR_EXPIRED_ITERATOR, "The provided iterator exceeds the maximum age allowed.");

    store_txn_t *txn = r->txn;
    uint32_t id;
    json_t *m;
    int rc = load_stream(r, txn, it.arn, &id, &m);
    json_t *s = rc ? NULL : find_shard(m, it.shard);
    if (!rc && !s)
        rc = trimmed(r); /* the shard itself aged out */
    if (!rc && it.pos < shard_horizon(m, s))
        rc = trimmed(r);
    bool closed = s && json_object_get(s, "end") != NULL;
    uint64_t end = closed ? jsu64(s, "end") : UINT64_MAX;
    records_ctx_t c = {.b = &r->out, .horizon_s = (now - STREAM_RETENTION_MS) / 1000};
    if (!rc) {
        buf_puts(&r->out, "{\"Records\":[");
        rc = stream__read(txn, id, it.pos, end, (size_t)limit, add_record, &c);
        if (!rc && c.too_old) {
            buf_reset(&r->out);
            rc = trimmed(r);
        }
    }
    if (!rc) {
        buf_putc(&r->out, ']');
        bool at_end = !c.full && c.n < (size_t)limit;
        if (!(closed && at_end)) {
            jw_key(&r->out, "NextShardIterator");
            write_iterator(&r->out, json_string_value(json_object_get(m, "arn")),
                           json_string_value(json_object_get(s, "id")), c.n ? c.last + 1 : it.pos);
        }
        buf_putc(&r->out, '}');
    }
    json_decref(m);
    return req_result(r, rc);
}
