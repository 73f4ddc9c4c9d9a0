/* trigger.c - the trigger delivery engine (see trigger.h), on the loop
 * thread.
 *
 * Each trigger is a small state machine driven by trig_pump():
 *   idle -> read a batch after the checkpoint (read txn) -> POST ->
 *     success: checkpoint = end of batch, persisted (writer job) -> idle
 *     failure: bisect, or back off and retry, or drop the batch to the
 *              on-failure destination and move past it
 * `busy` covers both the POST and the checkpoint write, so there is one
 * batch in flight per trigger, and a batch is never taken before the
 * previous checkpoint is durable: after a clean shutdown nothing is
 * delivered twice. Batches are rebuilt from the stream on each attempt
 * (the stream keeps the records), so a retry needs no saved state beyond
 * the checkpoint, the attempt count and the bisect limit.
 *
 * Wake-ups: stream_subscribe (new records), the per-trigger timer
 * (backoff, batching window) and persistence completions. */
#include "streams/trigger.h"
#include "base/json_fast.h"
#include "base/rand.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "net/httpc.h"
#include "base/log.h"
#include "streams/stream.h"
#include "streams/trigger_destination.h"
#include "streams/trigger_filter.h"
#include "streams/trigger_history.h"
#include "streams/trigger_reply.h"

#define MAX_PAYLOAD (6u * 1024 * 1024) /* Lambda's synchronous invocation payload limit */
#define READ_MAX 10000 /* records looked at per pump (filtered ones included) */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 10000
#define SHUTDOWN_WAIT_MS 10000
#define LAG_COUNT_MAX 1000000

typedef struct batch {
    buf_t body; /* {"Records":[...]} */
    uint64_t *seqs; /* the delivered records' sequence numbers, in order */
    size_t n, cap;
    uint64_t end; /* last sequence number read, filtered-out ones included */
    int64_t first_ms, last_ms; /* ApproximateCreationDateTime of the first/last delivered */
    bool expired; /* all older than MaximumRecordAgeInSeconds */
    bool stopped; /* reading stopped at a limit, not at the stream's end */
} batch_t;

typedef struct trig {
    struct trig *next;
    trigger_cfg_t cfg;
    tfilter_t *filter;
    httpc_url_t target;
    char *arn; /* the stream followed; NULL until the table has one */
    char *found_ns; /* without cfg.ns: the namespace where the table was found */
    uint64_t checkpoint; /* every record <= this is done */
    uv_timer_t timer; /* backoff and batching window */
    bool timer_armed;
    bool window_timer; /* the timer waits out a batching window (new records may fill the batch first) */
    bool busy; /* a POST or a checkpoint write is in flight */
    bool deleted; /* freed when the work in flight ends */
    /* A redefinition of a trigger with a batch in flight waits for that
     * batch (one in flight per trigger, as Lambda has), then goes on from
     * where it got: successor / predecessor link the two meanwhile. */
    struct trig *successor, *predecessor;
    httpc_req_t *http; /* the POST in flight */
    int attempts; /* failed invocations of the batch at the checkpoint */
    size_t limit; /* batch size now (bisecting halves it) */
    uint64_t window_started; /* uv_now() when records started waiting for a window */
    batch_t b;
    /* what GET /_ddbd/triggers shows */
    const char *state;
    char last_error[320];
    char last_result[64];
    int64_t last_delivery_ms;
    uint64_t delivered, invocations, dropped;
    bool last_partial; /* the last failure was a valid batchItemFailures answer */
    unsigned gen; /* eng.gen when the batch in flight was posted */
    trigger_history_t history;
} trig_t;

static struct engine {
    trigger_env_t env;
    trig_t *list;
    bool started, stopping, aborting;
    int held; /* trigger_hold: a reset or restore is changing the store */
    unsigned gen; /* counts holds: a batch posted before one is stale */
    uv_timer_t stop_timer;
    void (*stop_done)(void *ud);
    void *stop_ud;
} eng;

static void trig_pump(trig_t *t);
static void check_shutdown(void);

/* ---- small helpers -------------------------------------------------------- */

static void seq_format(uint64_t seq, char out[32]) { snprintf(out, 32, "%021llu", (unsigned long long)seq); }

static void iso_seconds(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static trig_t *trig_find(const char *uuid)
{
    for (trig_t *t = eng.list; t; t = t->next)
        if (!t->deleted && !strcmp(t->cfg.uuid, uuid))
            return t;
    return NULL;
}

static void batch_reset(batch_t *b)
{
    buf_reset(&b->body);
    b->n = 0;
    b->end = 0;
    b->first_ms = b->last_ms = 0;
    b->expired = b->stopped = false;
}

static void on_timer_closed(uv_handle_t *h)
{
    trig_t *t = h->data;
    trigger_cfg_free(&t->cfg);
    tfilter_free(t->filter);
    free(t->arn);
    free(t->found_ns);
    buf_free(&t->b.body);
    free(t->b.seqs);
    free(t);
}

static void trig_unlink_free(trig_t *t)
{
    if (t->predecessor)
        t->predecessor->successor = NULL;
    if (t->successor)
        t->successor->predecessor = NULL;
    for (trig_t **p = &eng.list; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    uv_close((uv_handle_t *)&t->timer, on_timer_closed);
}

/* ---- persistence ------------------------------------------------------------ */

static json_t *trig_stored_json(const trig_t *t)
{
    char seq[32];
    seq_format(t->checkpoint, seq);
    json_t *j = json_object();
    json_object_set_new(j, "Config", trigger_cfg_to_json(&t->cfg));
    json_object_set_new(j, "Origin", json_string(t->cfg.origin));
    json_object_set_new(j, "StreamArn", t->arn ? json_string(t->arn) : json_null());
    json_object_set_new(j, "Checkpoint", json_string(seq));
    return j;
}

typedef struct put_job {
    char uuid[TRIGGER_UUID_LEN + 1];
    char *doc; /* NULL: delete */
    void (*done)(void *ud, int rc);
    void *ud;
} put_job_t;

static int put_job_apply(store_txn_t *txn, catalog_cache_t *catalog, void *ud)
{
    (void)catalog;
    put_job_t *j = ud;
    str_t key = str_from_cstr(j->uuid);
    if (!j->doc) {
        int rc = store_del(txn, STORE_DB_TRIGGERS, key);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    return store_put(txn, STORE_DB_TRIGGERS, key, str_from_cstr(j->doc));
}

static void put_job_done(void *ud, int rc)
{
    put_job_t *j = ud;
    if (rc < -1)
        log_error("trigger %s: storing its state failed: %s", j->uuid, store_strerror(rc));
    if (j->done)
        j->done(j->ud, rc);
    free(j->doc);
    free(j);
}

/* Writes uuid's state (doc NULL: deletes it); done(ud, rc) after the commit. */
static void store_submit(const char *uuid, json_t *doc, void (*done)(void *ud, int rc), void *ud)
{
    put_job_t *j = xcalloc(1, sizeof *j);
    snprintf(j->uuid, sizeof j->uuid, "%s", uuid);
    j->doc = doc ? xjson_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    j->done = done;
    j->ud = ud;
    writer_submit_job(eng.env.writer, put_job_apply, put_job_done, j);
}

static void trig_persist(trig_t *t);

/* A deleted or redefined trigger whose work in flight has ended; a
 * redefinition waiting for it takes over, past done_upto when its last
 * batch succeeded. */
static void trig_retire(trig_t *t, uint64_t done_upto)
{
    trig_t *s = t->successor;
    trig_unlink_free(t);
    if (!s)
        return;
    if (done_upto > s->checkpoint) {
        s->checkpoint = done_upto;
        trig_persist(s); /* pumps when stored */
    } else {
        trig_pump(s);
    }
}

static void on_checkpoint_stored(void *ud, int rc)
{
    trig_t *t = ud;
    t->busy = false;
    if (rc < -1)
        snprintf(t->last_error, sizeof t->last_error, "storing the checkpoint failed: %s", store_strerror(rc));
    if (t->deleted)
        trig_retire(t, t->checkpoint);
    else
        trig_pump(t);
    check_shutdown();
}

/* Persists the checkpoint (busy until it is durable, then pumps again). */
static void trig_persist(trig_t *t)
{
    t->busy = true;
    store_submit(t->cfg.uuid, trig_stored_json(t), on_checkpoint_stored, t);
}

/* ---- finding the stream ------------------------------------------------------- */

typedef struct ns_scan {
    const char *name;
    trigger_env_t *env;
    store_txn_t *txn;
    const char *arn; /* the first enabled stream of a table of that name */
} ns_scan_t;

/* The latest stream ARN of the trigger's table (NULL: no table or no
 * enabled stream). Without a Namespace, the first namespace (in catalog
 * order) holding a table of that name with a stream. Valid while txn. */
static const char *ns_stream_arn(const char *ns, const char *table, store_txn_t *txn)
{
    const table_t *tab = NULL;
    if (catalog_lookup(eng.env.catalog, txn, ns, str_from_cstr(table), &tab) || !tab)
        return NULL;
    return stream_latest_arn(tab);
}

static const char *table_stream_arn(trig_t *t, store_txn_t *txn)
{
    if (t->cfg.ns)
        return ns_stream_arn(t->cfg.ns, t->cfg.table, txn);
    const char *arn = t->found_ns ? ns_stream_arn(t->found_ns, t->cfg.table, txn) : NULL;
    if (arn) /* the namespace found before: no catalog scan on every commit */
        return arn;
    store_cursor_t *c;
    if (store_cursor_open(txn, STORE_DB_CATALOG, &c))
        return NULL;
    str_t k, v;
    for (int rc = store_cursor_seek(c, STR_NULL, &k, &v); rc == 0 && !arn; rc = store_cursor_next(c, &k, &v)) {
        const char *nul = memchr(k.ptr, '\0', k.len);
        if (!nul || !str_eq_cstr((str_t){nul + 1, k.len - (size_t)(nul + 1 - k.ptr)}, t->cfg.table))
            continue;
        char ns[512];
        snprintf(ns, sizeof ns, "%.*s", (int)(nul - k.ptr), k.ptr);
        if ((arn = ns_stream_arn(ns, t->cfg.table, txn)) != NULL) {
            free(t->found_ns);
            t->found_ns = xstrdup(ns);
        }
    }
    store_cursor_close(c);
    return arn;
}

/* ---- reading a batch ------------------------------------------------------------ */

typedef struct reader {
    trig_t *t;
    int64_t now_ms;
    buf_t lambda_rec; /* a record being converted to Lambda's form */
} reader_t;

/* rec with the TTL identity spelled as Lambda spells it (in lambda_rec's
 * bytes when it has one). */
static str_t lambda_form(str_t rec, buf_t *lambda_rec)
{
    static const str_t api = STR_LIT(STREAM_TTL_IDENTITY);
    const char *at = memmem(rec.ptr, rec.len, api.ptr, api.len);
    if (!at)
        return rec;
    buf_reset(lambda_rec);
    buf_append(lambda_rec, rec.ptr, rec.len);
    memcpy(lambda_rec->data + (at - rec.ptr), STREAM_TTL_IDENTITY_LAMBDA, api.len);
    return (str_t){lambda_rec->data, lambda_rec->len};
}

/* Appends the record as Lambda delivers it: the stream record plus
 * eventSourceARN as its last member. */
static void batch_append(batch_t *b, str_t rec, const char *arn)
{
    buf_puts(&b->body, b->n ? "," : "{\"Records\":[");
    size_t close = rec.len;
    while (close > 0 && rec.ptr[close - 1] != '}')
        close--;
    buf_append(&b->body, rec.ptr, close ? close - 1 : 0);
    buf_puts(&b->body, ",\"eventSourceARN\":");
    jw_cstr(&b->body, arn);
    buf_putc(&b->body, '}');
}

static int on_record(void *ud, uint64_t seq, str_t api_rec)
{
    reader_t *r = ud;
    str_t rec = lambda_form(api_rec, &r->lambda_rec);
    trig_t *t = r->t;
    batch_t *b = &t->b;
    if (b->n >= t->limit || (b->n && b->body.len + rec.len + 512 > MAX_PAYLOAD)) {
        b->stopped = true;
        return 1;
    }
    json_t *j = json_fast_loadb(rec.ptr, rec.len);
    double created = json_number_value(json_object_get(json_object_get(j, "dynamodb"), "ApproximateCreationDateTime"));
    int64_t created_ms = (int64_t)(created * 1000);
    bool expired = t->cfg.max_age_s >= 0 && r->now_ms - created_ms > (int64_t)t->cfg.max_age_s * 1000;
    bool pass = j && tfilter_match(t->filter, j);
    json_decref(j);
    if (b->n && expired != b->expired) { /* old records are dropped apart from fresh ones */
        b->stopped = true;
        return 1;
    }
    b->end = seq;
    if (!pass)
        return 0; /* filtered out: skipped, and the checkpoint moves past it */
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->seqs = xrealloc(b->seqs, b->cap * sizeof *b->seqs);
    }
    b->seqs[b->n] = seq;
    if (b->n == 0) {
        b->first_ms = created_ms;
        b->expired = expired;
    }
    b->last_ms = created_ms;
    batch_append(b, rec, t->arn);
    b->n++;
    return 0;
}

/* ---- the on-failure destination ----------------------------------------------- */

/* Lambda's invocation record for a dropped stream batch. */
static json_t *failure_record(trig_t *t, const char *condition, const char *shard)
{
    char req_id[RAND_UUID_LEN + 1], now[40], first[32], last[32], start[32], end[32];
    rand_uuid(req_id);
    clock_format_iso(clock_now_ms(), now, sizeof now);
    iso_seconds(t->b.first_ms, first);
    iso_seconds(t->b.last_ms, last);
    seq_format(t->b.seqs[0], start);
    seq_format(t->b.seqs[t->b.n - 1], end);
    /* statusCode is Lambda's Invoke status, 200 even for a function error;
     * functionError is left out when the function answered with a valid
     * batchItemFailures list (a partial failure, not an error). */
    json_t *rc = json_pack("{s:i,s:s}", "statusCode", 200, "executedVersion", "$LATEST");
    if (!t->last_partial)
        json_object_set_new(rc, "functionError", json_string("Unhandled"));
    return json_pack("{s:{s:s,s:s,s:s,s:i},s:o,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:I,s:s}}", "requestContext", "requestId",
                     req_id, "functionArn", t->cfg.url, "condition", condition, "approximateInvokeCount", t->attempts,
                     "responseContext", rc, "version", "1.0", "timestamp", now, "DDBStreamBatchInfo", "shardId", shard,
                     "startSequenceNumber", start, "endSequenceNumber", end, "approximateArrivalOfFirstRecord", first,
                     "approximateArrivalOfLastRecord", last, "batchSize", (json_int_t)t->b.n, "streamArn", t->arn);
}

static void send_to_destination(trig_t *t, const char *condition)
{
    if (!t->cfg.on_failure)
        return;
    char shard[80] = "";
    store_txn_t *txn;
    if (store_read_begin(eng.env.store, &txn) == 0) {
        stream_shard_of(txn, t->arn, t->b.seqs[0], shard, sizeof shard);
        store_read_end(txn);
    }
    json_t *rec = failure_record(t, condition, shard);
    char *text = xjson_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    trigger_destination_send(eng.env.loop, t->cfg.on_failure, text, (uint64_t)t->cfg.timeout_s * 1000);
    free(text);
}

/* ---- delivery ------------------------------------------------------------------- */

static void on_timer(uv_timer_t *h)
{
    trig_t *t = h->data;
    t->timer_armed = t->window_timer = false;
    trig_pump(t);
}

static void arm_timer(trig_t *t, uint64_t ms)
{
    t->timer_armed = true;
    t->window_timer = false;
    uv_timer_start(&t->timer, on_timer, ms, 0);
}

/* Moves past the batch: to the on-failure destination, then checkpoint. */
static void trig_drop(trig_t *t, const char *condition)
{
    char a[32], z[32];
    seq_format(t->b.seqs[0], a);
    seq_format(t->b.seqs[t->b.n - 1], z);
    log_warn("trigger %s: dropped %zu records %s..%s (%s)%s%s", t->cfg.uuid, t->b.n, a, z, condition,
             t->cfg.on_failure ? " to " : "", t->cfg.on_failure ? t->cfg.on_failure : "");
    send_to_destination(t, condition);
    t->dropped += t->b.n;
    t->checkpoint = t->b.end;
    t->attempts = 0;
    t->limit = (size_t)t->cfg.batch_size;
    trig_persist(t);
}

static void trig_failed(trig_t *t)
{
    if (eng.stopping) { /* no retry now: the batch is delivered again after a restart */
        t->busy = false;
        return check_shutdown();
    }
    if (t->cfg.bisect && t->b.n > 1) {
        t->limit = t->b.n / 2; /* retry the first half; splitting does not use up retries */
        t->busy = false;
        return arm_timer(t, BACKOFF_FIRST_MS);
    }
    t->attempts++;
    if (t->cfg.max_retries >= 0 && t->attempts > t->cfg.max_retries)
        return trig_drop(t, "RetryAttemptsExhausted");
    uint64_t delay = BACKOFF_FIRST_MS;
    for (int i = 1; i < t->attempts && delay < BACKOFF_MAX_MS; i++)
        delay *= 2;
    t->busy = false;
    t->state = "Retrying";
    arm_timer(t, delay > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay);
}

static void on_response(void *ud, const httpc_result_t *res)
{
    trig_t *t = ud;
    t->http = NULL;
    if (t->gen != eng.gen) { /* read before a restore: its outcome is no one's */
        t->busy = false;
        if (t->deleted)
            trig_retire(t, 0);
        else
            trig_pump(t);
        return check_shutdown();
    }
    t->invocations++;
    t->last_delivery_ms = clock_now_ms();
    char a[32], z[32];
    seq_format(t->b.seqs[0], a);
    seq_format(t->b.seqs[t->b.n - 1], z);
    bool ok = res->status >= 200 && res->status <= 299;
    uint64_t failed = 0;
    int partial = ok && t->cfg.report_failures ? trigger_item_failures(t->b.seqs, t->b.n, res->body, &failed) : 0;
    t->last_partial = partial > 0;
    if (res->error)
        snprintf(t->last_error, sizeof t->last_error, "%s", res->error);
    else if (!ok)
        trigger_error_with_body(t->last_error, sizeof t->last_error, res->status, res->body);
    else if (partial < 0)
        snprintf(t->last_error, sizeof t->last_error, "invalid batchItemFailures in the response");
    else if (partial > 0)
        snprintf(t->last_error, sizeof t->last_error, "batchItemFailures from %021llu", (unsigned long long)failed);
    log_msg(ok && partial == 0 ? LOG_INFO : LOG_WARN, "trigger %s: batch of %zu records %s..%s -> %s: %s%d in %llu ms",
            t->cfg.uuid, t->b.n, a, z, t->cfg.url, res->error ? res->error : "HTTP ", res->error ? 0 : res->status,
            (unsigned long long)res->duration_ms);
    trigger_delivery_t d = {t->last_delivery_ms,          t->b.n, t->b.seqs[0],     t->b.seqs[t->b.n - 1],
                            res->error ? 0 : res->status, "",     res->duration_ms, ok && partial == 0};
    snprintf(d.error, sizeof d.error, "%s", res->error ? res->error : "");
    trigger_history_add(&t->history, &d);
    if (t->deleted) {
        t->busy = false;
        trig_retire(t, ok && partial == 0 ? t->b.end : 0);
        return check_shutdown();
    }
    if (ok && partial == 0) {
        snprintf(t->last_result, sizeof t->last_result, "OK");
        t->delivered += t->b.n;
        t->checkpoint = t->b.end;
        t->attempts = 0;
        t->limit = (size_t)t->cfg.batch_size;
        return trig_persist(t);
    }
    snprintf(t->last_result, sizeof t->last_result, "PROBLEM: Function call failed");
    if (partial > 0 && failed > t->b.seqs[0]) {
        /* the records before the first failed one are done: resume at it */
        for (size_t k = 0; k < t->b.n && t->b.seqs[k] < failed; k++)
            t->delivered++;
        t->checkpoint = failed - 1;
        t->attempts = 1;
        t->limit = (size_t)t->cfg.batch_size;
        return trig_persist(t);
    }
    trig_failed(t);
}

static void trig_post(trig_t *t)
{
    buf_puts(&t->b.body, "]}");
    t->busy = true;
    t->gen = eng.gen;
    t->state = "Enabled";
    t->window_started = 0;
    t->http = httpc_post(eng.env.loop, &t->target, (str_t){t->b.body.data, t->b.body.len},
                         (uint64_t)t->cfg.timeout_s * 1000, on_response, t);
}

/* Follows the table's stream: its first one, or a new one after the old
 * one is read to its end (disable + enable gives a new ARN). */
static bool trig_follow(trig_t *t, const char *latest, bool old_done)
{
    if (!latest || (t->arn && (!old_done || !strcmp(latest, t->arn))))
        return false;
    if (t->arn)
        log_info("trigger %s: following the new stream %s", t->cfg.uuid, latest);
    free(t->arn);
    t->arn = xstrdup(latest);
    t->checkpoint = 0; /* every record of a new stream is after the trigger's start */
    trig_persist(t);
    return true;
}

static void trig_pump(trig_t *t)
{
    if (t->busy || t->deleted || t->predecessor || (t->timer_armed && !t->window_timer) || eng.stopping || eng.held)
        return;
    if (t->cfg.disabled) {
        t->state = "Disabled";
        return;
    }
    store_txn_t *txn;
    if (store_read_begin(eng.env.store, &txn))
        return;
    const char *latest = table_stream_arn(t, txn);
    if (!t->arn) {
        t->state = latest ? "Enabled" : "Waiting";
        if (!latest)
            snprintf(t->last_result, sizeof t->last_result, "No records processed");
        trig_follow(t, latest, true);
        store_read_end(txn);
        return;
    }
    /* Waiting out a batching window, read on after the batch's last record:
     * each record is read once, however many commits arrive meanwhile. */
    bool extend = t->timer_armed && t->window_timer && t->b.n > 0;
    if (!extend)
        batch_reset(&t->b);
    reader_t r = {t, clock_now_ms(), BUF_INIT};
    int rc = stream_read_after(txn, t->arn, extend ? t->b.end : t->checkpoint, READ_MAX, on_record, &r);
    buf_free(&r.lambda_rec);
    bool at_end = rc == STREAM_NOT_FOUND || (rc == 0 && t->b.end == 0);
    if (at_end && trig_follow(t, latest, true)) {
        store_read_end(txn);
        return;
    }
    store_read_end(txn);
    if (rc < 0) {
        snprintf(t->last_error, sizeof t->last_error, "reading the stream: %s", store_strerror(rc));
        return arm_timer(t, BACKOFF_MAX_MS);
    }
    t->state = "Enabled";
    if (t->b.end == 0)
        return; /* nothing new */
    if (t->b.n == 0) { /* only filtered-out records: move past them */
        t->checkpoint = t->b.end;
        return trig_persist(t);
    }
    if (t->b.expired) {
        t->attempts = 0;
        return trig_drop(t, "RecordAgeExceeded");
    }
    bool full = t->b.stopped || t->b.n >= t->limit;
    if (t->cfg.window_s > 0 && !full) { /* a partial batch waits out the window */
        uint64_t now = uv_now(eng.env.loop), until;
        if (!t->window_started)
            t->window_started = now;
        until = t->window_started + (uint64_t)t->cfg.window_s * 1000;
        if (now < until) {
            if (!t->timer_armed)
                arm_timer(t, until - now);
            t->window_timer = true;
            return;
        }
    }
    if (t->timer_armed) { /* the batch filled up before its window ended */
        uv_timer_stop(&t->timer);
        t->timer_armed = t->window_timer = false;
    }
    trig_post(t);
}

static void on_stream_records(void *ud)
{
    (void)ud;
    for (trig_t *t = eng.list; t; t = t->next)
        trig_pump(t);
}

/* ---- setting triggers up --------------------------------------------------------- */

static trig_t *trig_new(trigger_cfg_t *cfg)
{
    trig_t *t = xcalloc(1, sizeof *t);
    t->cfg = *cfg; /* moved */
    memset(cfg, 0, sizeof *cfg);
    char why[256];
    if (t->cfg.filter && tfilter_compile(t->cfg.filter, &t->filter, why, sizeof why))
        log_error("trigger %s: %s", t->cfg.uuid, why); /* validated when created: not reached */
    httpc_url_parse(t->cfg.url, &t->target, why, sizeof why);
    t->limit = (size_t)t->cfg.batch_size;
    t->state = t->cfg.disabled ? "Disabled" : "Waiting";
    uv_timer_init(eng.env.loop, &t->timer);
    t->timer.data = t;
    t->next = eng.list;
    eng.list = t;
    return t;
}

/* The starting position of a new trigger: LATEST is the stream's last
 * record now; TRIM_HORIZON (or no stream yet) is its beginning. */
static void trig_position(trig_t *t)
{
    store_txn_t *txn;
    if (store_read_begin(eng.env.store, &txn))
        return;
    const char *arn = table_stream_arn(t, txn);
    if (arn) {
        t->arn = xstrdup(arn);
        if (t->cfg.latest)
            stream_last_seq(txn, arn, &t->checkpoint);
    }
    store_read_end(txn);
}

static void trig_restore(const json_t *doc)
{
    trigger_cfg_t cfg;
    char why[400];
    if (trigger_cfg_from_json(json_object_get(doc, "Config"), &cfg, why, sizeof why)) {
        log_error("a stored trigger is unreadable and skipped: %s", why);
        return;
    }
    snprintf(cfg.origin, sizeof cfg.origin, "%s", json_string_value(json_object_get(doc, "Origin")) ?: "admin");
    trig_t *t = trig_new(&cfg);
    const char *arn = json_string_value(json_object_get(doc, "StreamArn"));
    t->arn = arn ? xstrdup(arn) : NULL;
    const char *cp = json_string_value(json_object_get(doc, "Checkpoint"));
    t->checkpoint = cp ? strtoull(cp, NULL, 10) : 0;
}

static int load_stored(void)
{
    store_txn_t *txn;
    int rc = store_read_begin(eng.env.store, &txn);
    if (rc)
        return rc;
    store_cursor_t *c;
    if ((rc = store_cursor_open(txn, STORE_DB_TRIGGERS, &c)) == 0) {
        str_t k, v;
        for (rc = store_cursor_seek(c, STR_NULL, &k, &v); rc == 0; rc = store_cursor_next(c, &k, &v)) {
            json_t *doc = json_loadb(v.ptr, v.len, 0, NULL);
            if (doc)
                trig_restore(doc);
            json_decref(doc);
        }
        store_cursor_close(c);
    }
    store_read_end(txn);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* A trigger defined again (flag, file, or admin with the same UUID): new
 * settings, same checkpoint and stream. */
static trig_t *trig_upsert(trigger_cfg_t *cfg)
{
    trig_t *old = trig_find(cfg->uuid);
    if (old && !old->busy) {
        trigger_cfg_free(&old->cfg);
        tfilter_free(old->filter);
        old->filter = NULL;
        char *arn = old->arn;
        uint64_t cp = old->checkpoint;
        trig_t *waits_for = old->predecessor; /* redefined again while waiting */
        old->arn = NULL;
        trig_unlink_free(old);
        trig_t *t = trig_new(cfg);
        t->arn = arn;
        t->checkpoint = cp;
        if (waits_for) {
            t->predecessor = waits_for;
            waits_for->successor = t;
        }
        return t;
    }
    trig_t *t = trig_new(cfg);
    if (old) { /* busy: retired when its batch ends, then the new one goes on */
        old->deleted = true;
        old->successor = t;
        t->predecessor = old;
        t->arn = old->arn ? xstrdup(old->arn) : NULL;
        t->checkpoint = old->checkpoint;
    } else {
        trig_position(t);
    }
    return t;
}

int trigger_start(const trigger_env_t *env, trigger_cfg_t *boot, size_t nboot)
{
    eng.env = *env;
    int rc = load_stored();
    if (rc)
        return rc;
    for (size_t i = 0; i < nboot; i++) {
        trig_t *t = trig_upsert(&boot[i]);
        log_info("trigger %s: %s -> %s (%s)", t->cfg.uuid, t->cfg.table, t->cfg.url, t->cfg.origin);
        trig_persist(t);
    }
    stream_subscribe(on_stream_records, NULL);
    eng.started = true;
    on_stream_records(NULL);
    return 0;
}

/* ---- resets and restores: the store changes under the engine ---------------------------- */

void trigger_hold(void)
{
    eng.held++;
    eng.gen++;
    for (trig_t *t = eng.list; t; t = t->next)
        if (t->timer_armed) {
            uv_timer_stop(&t->timer);
            t->timer_armed = t->window_timer = false;
        }
}

/* The position the store now gives t (a restore's), or, without one, its
 * starting position on the new state; the batch and its retries go. */
static void trig_reload(trig_t *t)
{
    store_txn_t *txn;
    str_t v;
    json_t *doc = NULL;
    if (store_read_begin(eng.env.store, &txn) == 0) {
        if (store_get(txn, STORE_DB_TRIGGERS, str_from_cstr(t->cfg.uuid), &v) == 0)
            doc = json_loadb(v.ptr, v.len, 0, NULL);
        store_read_end(txn);
    }
    const char *arn = json_string_value(json_object_get(doc, "StreamArn"));
    const char *cp = json_string_value(json_object_get(doc, "Checkpoint"));
    free(t->arn);
    free(t->found_ns);
    t->arn = arn ? xstrdup(arn) : NULL;
    t->found_ns = NULL;
    t->checkpoint = cp ? strtoull(cp, NULL, 10) : 0;
    json_decref(doc);
    t->attempts = 0;
    t->limit = (size_t)t->cfg.batch_size;
    t->window_started = 0;
    batch_reset(&t->b);
    if (!t->arn)
        trig_position(t);
}

void trigger_release(void)
{
    if (--eng.held > 0)
        return;
    for (trig_t *t = eng.list; t; t = t->next)
        if (!t->deleted)
            trig_reload(t);
    on_stream_records(NULL);
}

/* ---- shutdown ------------------------------------------------------------------------ */

static void stop_finish(void)
{
    void (*done)(void *) = eng.stop_done;
    eng.stop_done = NULL;
    uv_timer_stop(&eng.stop_timer);
    uv_close((uv_handle_t *)&eng.stop_timer, NULL);
    while (eng.list)
        trig_unlink_free(eng.list);
    done(eng.stop_ud);
}

static void check_shutdown(void)
{
    if (!eng.stopping || !eng.stop_done || eng.aborting)
        return;
    for (trig_t *t = eng.list; t; t = t->next)
        if (t->busy)
            return;
    stop_finish();
}

static void on_stop_timeout(uv_timer_t *h)
{
    (void)h;
    eng.aborting = true; /* the callbacks below must not end the wait while we walk the list */
    for (trig_t *t = eng.list; t; t = t->next)
        if (t->http) {
            log_warn("trigger %s: abandoning the batch in flight at shutdown (it is delivered again)", t->cfg.uuid);
            httpc_abort(t->http);
        }
    eng.aborting = false;
    check_shutdown();
}

void trigger_shutdown(void (*done)(void *ud), void *ud)
{
    if (!eng.started) {
        done(ud);
        return;
    }
    eng.stopping = true;
    eng.stop_done = done;
    eng.stop_ud = ud;
    for (trig_t *t = eng.list; t; t = t->next)
        if (t->timer_armed) {
            uv_timer_stop(&t->timer);
            t->timer_armed = t->window_timer = false;
        }
    uv_timer_init(eng.env.loop, &eng.stop_timer);
    uv_timer_start(&eng.stop_timer, on_stop_timeout, SHUTDOWN_WAIT_MS, 0);
    check_shutdown();
}

/* ---- admin ------------------------------------------------------------------------------ */

typedef struct op_ctx {
    trigger_op_done done;
    void *ud;
} op_ctx_t;

static void on_op_stored(void *ud, int rc)
{
    op_ctx_t *o = ud;
    if (rc < -1)
        o->done(o->ud, 500, store_strerror(rc));
    else
        o->done(o->ud, 0, NULL);
    free(o);
}

static op_ctx_t *op_new(trigger_op_done done, void *ud)
{
    op_ctx_t *o = xmalloc(sizeof *o);
    o->done = done;
    o->ud = ud;
    return o;
}

typedef struct create_ctx {
    trig_t *t;
    trigger_op_done done;
    void *ud;
} create_ctx_t;

static void on_created(void *ud, int rc)
{
    create_ctx_t *c = ud;
    c->done(c->ud, rc < -1 ? 500 : 0, rc < -1 ? store_strerror(rc) : NULL);
    on_checkpoint_stored(c->t, rc); /* not busy any more: starts delivering */
    free(c);
}

int trigger_create(trigger_cfg_t *cfg, trigger_op_done done, void *ud)
{
    if (eng.stopping) {
        trigger_cfg_free(cfg);
        return 503;
    }
    trig_t *t = trig_upsert(cfg);
    log_info("trigger %s: %s -> %s (admin)", t->cfg.uuid, t->cfg.table, t->cfg.url);
    create_ctx_t *c = xmalloc(sizeof *c);
    *c = (create_ctx_t){t, done, ud};
    t->busy = true; /* the first batch waits until the trigger is stored */
    store_submit(t->cfg.uuid, trig_stored_json(t), on_created, c);
    return 0;
}

void trigger_delete(const char *uuid, trigger_op_done done, void *ud)
{
    trig_t *t = trig_find(uuid);
    if (!t)
        return done(ud, 404, "no such trigger");
    log_info("trigger %s: deleted", uuid);
    t->deleted = true;
    if (t->http)
        httpc_abort(t->http); /* its callback frees it */
    else if (!t->busy)
        trig_unlink_free(t);
    store_submit(uuid, NULL, on_op_stored, op_new(done, ud));
}

static int count_one(void *ud, uint64_t seq, str_t rec)
{
    (void)seq;
    (void)rec;
    (*(uint64_t *)ud)++;
    return 0;
}

/* Records after the checkpoint (filtered-out ones included). */
static uint64_t count_lag(const trig_t *t)
{
    uint64_t n = 0;
    store_txn_t *txn;
    if (!t->arn || store_read_begin(eng.env.store, &txn))
        return 0;
    stream_read_after(txn, t->arn, t->checkpoint, LAG_COUNT_MAX, count_one, &n);
    store_read_end(txn);
    return n;
}

static json_t *trig_describe(const trig_t *t)
{
    char seq[32];
    seq_format(t->checkpoint, seq);
    json_t *j = trigger_cfg_to_json(&t->cfg);
    json_object_set_new(j, "Origin", json_string(t->cfg.origin));
    json_object_set_new(j, "State", json_string(t->state));
    json_object_set_new(j, "EventSourceArn", t->arn ? json_string(t->arn) : json_null());
    json_object_set_new(j, "Checkpoint", t->arn ? json_string(seq) : json_null());
    json_object_set_new(j, "Lag", json_integer((json_int_t)count_lag(t)));
    json_object_set_new(j, "InFlight", json_boolean(t->http != NULL));
    json_object_set_new(j, "LastProcessingResult",
                        json_string(t->last_result[0] ? t->last_result : "No records processed"));
    json_object_set_new(j, "LastError", t->last_error[0] ? json_string(t->last_error) : json_null());
    json_object_set_new(j, "LastDeliveryTime",
                        t->last_delivery_ms ? json_real((double)t->last_delivery_ms / 1000.0) : json_null());
    json_object_set_new(j, "RecordsDelivered", json_integer((json_int_t)t->delivered));
    json_object_set_new(j, "RecordsDropped", json_integer((json_int_t)t->dropped));
    json_object_set_new(j, "Invocations", json_integer((json_int_t)t->invocations));
    json_object_set_new(j, "RecentDeliveries", trigger_history_json(&t->history));
    return j;
}

json_t *trigger_describe(const char *uuid)
{
    if (uuid) {
        const trig_t *t = trig_find(uuid);
        return t ? trig_describe(t) : NULL;
    }
    json_t *list = json_array();
    for (const trig_t *t = eng.list; t; t = t->next)
        if (!t->deleted)
            json_array_append_new(list, trig_describe(t));
    return json_pack("{s:o}", "Triggers", list);
}
