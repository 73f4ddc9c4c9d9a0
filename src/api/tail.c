/* tail.c - a stream's records as server-sent events (see tail.h).
 *
 * Each open tail remembers the last sequence number it sent. When a commit
 * appended records (stream_subscribe), every tail reads what follows its
 * position in a read transaction and writes it out. A pass sends at most
 * TAIL_READ_MAX records, and a tail whose client is behind (TAIL_BEHIND
 * bytes not yet taken) is skipped: either way a short timer runs another
 * pass, so a slow browser or a long backlog never makes ddbd buffer
 * without bound or hold the loop. */
#include "api/tail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "streams/stream.h"

#define TAIL_READ_MAX 500 /* records per tail per pass */
#define TAIL_BEHIND (SERVER_STREAM_MAX_QUEUED / 4)
#define TAIL_RETRY_MS 20 /* a pass left work behind */
#define TAIL_PARAM_MAX 1024 /* a query parameter (an ARN is at most 1024 bytes) */

typedef struct tail {
    struct tail *next, *prev;
    server_slot_t *slot;
    char *arn;
    uint64_t after; /* the last sequence number sent */
} tail_t;

static struct {
    const server_env_t *env;
    uv_timer_t heartbeat, retry;
    bool started;
    tail_t *list;
} tl;

/* ---- sending ---------------------------------------------------------------- */

typedef struct pass {
    tail_t *t;
    buf_t out;
    size_t n;
} pass_t;

static int on_record(void *ud, uint64_t seq, str_t rec)
{
    pass_t *p = ud;
    buf_printf(&p->out, "id: %021llu\nevent: record\ndata: ", (unsigned long long)seq);
    buf_append(&p->out, rec.ptr, rec.len); /* compact JSON: no newline inside */
    buf_puts(&p->out, "\n\n");
    p->t->after = seq;
    p->n++;
    return 0;
}

/* Sends what follows t's position; true when more is waiting. May free t
 * (its client gone): the caller must not touch t afterwards. */
static bool tail_pass(tail_t *t, store_txn_t *txn)
{
    if (server_stream_queued(t->slot) > TAIL_BEHIND)
        return true;
    pass_t p = {t, BUF_INIT, 0};
    stream_read_after(txn, t->arn, t->after, TAIL_READ_MAX, on_record, &p);
    bool more = p.n == TAIL_READ_MAX;
    if (p.out.len)
        server_stream_write(t->slot, p.out.data, p.out.len);
    buf_free(&p.out);
    return more;
}

static void on_retry(uv_timer_t *h);

static void pass_all(void)
{
    store_txn_t *txn;
    if (!tl.started || !tl.list || store_read_begin(tl.env->store, &txn))
        return;
    bool more = false;
    for (tail_t *t = tl.list, *next; t; t = next) {
        next = t->next;
        more |= tail_pass(t, txn);
    }
    store_read_end(txn);
    if (more)
        uv_timer_start(&tl.retry, on_retry, TAIL_RETRY_MS, 0);
}

static void on_retry(uv_timer_t *h)
{
    (void)h;
    pass_all();
}

static void on_records(void *ud)
{
    (void)ud;
    pass_all();
}

static void on_heartbeat(uv_timer_t *h)
{
    (void)h;
    for (tail_t *t = tl.list, *next; t; t = next) {
        next = t->next;
        server_stream_write(t->slot, ": keep-alive\n\n", 14);
    }
}

/* ---- open and close ------------------------------------------------------------ */

static void tail_free(void *ud)
{
    tail_t *t = ud;
    if (t->prev)
        t->prev->next = t->next;
    else
        tl.list = t->next;
    if (t->next)
        t->next->prev = t->prev;
    free(t->arn);
    free(t);
    if (!tl.list && tl.started)
        uv_timer_stop(&tl.heartbeat);
}

static void reply_error(server_slot_t *s, const response_opts_t *o, int status, const char *msg)
{
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    jw_key(&b, "error");
    jw_cstr(&b, msg);
    jw_close(&b, '}');
    response_plain(server_slot_wire(s), status, "application/json", (str_t){b.data, b.len}, server_slot_keep_alive(s),
                   o, NULL, 0);
    buf_free(&b);
    server_reply(s);
}

/* The stream ARN the query names (arn=, or table= with key= and region=)
 * into arn; NULL and *why when it names none. */
static const char *resolve_arn(store_txn_t *txn, const http_request_t *hr, char *arn, const char **why)
{
    if (http_query_get(hr->path, "arn", arn, TAIL_PARAM_MAX) > 0)
        return arn;
    char table[TAIL_PARAM_MAX], key[TAIL_PARAM_MAX], region[TAIL_PARAM_MAX], ns[2 * TAIL_PARAM_MAX + 2];
    if (http_query_get(hr->path, "table", table, sizeof table) <= 0)
        return *why = "give arn=STREAM_ARN, or table=NAME with key=ACCESS_KEY and region=REGION", NULL;
    if (tl.env->shared_db)
        ns[0] = '\0';
    else if (http_query_get(hr->path, "key", key, sizeof key) > 0 &&
             http_query_get(hr->path, "region", region, sizeof region) > 0)
        snprintf(ns, sizeof ns, "%s/%s", key, region);
    else
        return *why = "table= needs key= (the access key) and region= to name its namespace", NULL;
    const table_t *t = NULL;
    if (catalog_lookup(tl.env->loop_catalog, txn, ns, str_from_cstr(table), &t) || !t)
        return *why = "no such table", NULL;
    const char *latest = stream_latest_arn(t);
    if (!latest)
        return *why = "the table has no stream enabled", NULL;
    snprintf(arn, TAIL_PARAM_MAX, "%s", latest);
    return arn;
}

/* Where the tail starts: Last-Event-ID, after=, start=; -1 on bad input. */
static int start_position(store_txn_t *txn, const http_request_t *hr, const char *arn, uint64_t *after)
{
    char v[64];
    str_t last_id = http_header_get(hr, "last-event-id");
    if (last_id.ptr && last_id.len && last_id.len < sizeof v) {
        memcpy(v, last_id.ptr, last_id.len);
        v[last_id.len] = '\0';
    } else if (http_query_get(hr->path, "after", v, sizeof v) <= 0) {
        if (http_query_get(hr->path, "start", v, sizeof v) > 0 && strcmp(v, "trim_horizon") == 0)
            return *after = 0, 0;
        if (http_query_get(hr->path, "start", v, sizeof v) > 0 && strcmp(v, "latest") != 0)
            return -1;
        return stream_last_seq(txn, arn, after) ? -1 : 0;
    }
    char *end;
    *after = strtoull(v, &end, 10);
    return *end || !v[0] || v[0] == '-' ? -1 : 0;
}

/* The table's name in a stream ARN: "arn:...:table/NAME/stream/LABEL". */
static void arn_table(const char *arn, buf_t *b)
{
    const char *t = strstr(arn, ":table/");
    const char *end = t ? strstr(t + 7, "/stream/") : NULL;
    if (end)
        jw_str(b, t + 7, (size_t)(end - t - 7));
    else
        jw_cstr(b, "");
}

static void write_open_event(buf_t *out, const char *arn, uint64_t last, uint64_t after)
{
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    jw_key(&b, "StreamArn");
    jw_cstr(&b, arn);
    jw_key(&b, "TableName");
    arn_table(arn, &b);
    jw_key(&b, "LastSequenceNumber");
    buf_printf(&b, "\"%021llu\"", (unsigned long long)last);
    jw_key(&b, "After");
    buf_printf(&b, "\"%021llu\"", (unsigned long long)after);
    jw_close(&b, '}');
    buf_puts(out, "retry: 1000\nevent: open\ndata: ");
    buf_append(out, b.data, b.len);
    buf_puts(out, "\n\n");
    buf_free(&b);
}

void tail_open(server_slot_t *s, const http_request_t *hr, const response_opts_t *o)
{
    server_slot_label(s, "tail");
    if (!str_eq_cstr(hr->method, "GET"))
        return reply_error(s, o, 405, "use GET on " TAIL_PATH);
    store_txn_t *txn;
    if (store_read_begin(tl.env->store, &txn))
        return reply_error(s, o, 500, "cannot read the store");
    char arnbuf[TAIL_PARAM_MAX];
    const char *why = NULL;
    const char *arn = resolve_arn(txn, hr, arnbuf, &why);
    uint64_t after = 0, last = 0;
    if (arn && stream_last_seq(txn, arn, &last))
        arn = NULL, why = "no such stream";
    if (arn && start_position(txn, hr, arn, &after))
        arn = NULL, why = "start is latest or trim_horizon; after and Last-Event-ID a SequenceNumber";
    if (!arn) {
        store_read_end(txn);
        return reply_error(s, o, strcmp(why, "no such stream") && strcmp(why, "no such table") ? 400 : 404, why);
    }
    tail_t *t = xcalloc(1, sizeof *t);
    *t = (tail_t){.next = tl.list, .slot = s, .arn = xstrdup(arn), .after = after};
    if (tl.list)
        tl.list->prev = t;
    tl.list = t;
    server_slot_on_free(s, tail_free, t);
    http_header_t h[] = {{STR_LIT("Cache-Control"), STR_LIT("no-store")},
                         {STR_LIT("X-Accel-Buffering"), STR_LIT("no")},
                         {STR_LIT("X-Content-Type-Options"), STR_LIT("nosniff")}};
    buf_t *wire = server_slot_wire(s);
    response_stream_head(wire, "text/event-stream; charset=utf-8", o, h, sizeof h / sizeof *h);
    write_open_event(wire, arn, last, after);
    store_read_end(txn);
    server_stream_begin(s);
    if (!uv_is_active((uv_handle_t *)&tl.heartbeat))
        uv_timer_start(&tl.heartbeat, on_heartbeat, TAIL_HEARTBEAT_MS, TAIL_HEARTBEAT_MS);
    pass_all(); /* a backlog (trim_horizon, after=) goes out now */
}

bool tail_is_path(str_t path)
{
    const char *q = memchr(path.ptr, '?', path.len);
    return str_eq_cstr((str_t){path.ptr, q ? (size_t)(q - path.ptr) : path.len}, TAIL_PATH);
}

void tail_start(uv_loop_t *loop, const server_env_t *env)
{
    tl.env = env;
    uv_timer_init(loop, &tl.heartbeat);
    uv_timer_init(loop, &tl.retry);
    uv_unref((uv_handle_t *)&tl.heartbeat); /* open tails never keep ddbd from exiting */
    uv_unref((uv_handle_t *)&tl.retry);
    tl.started = true;
    stream_subscribe(on_records, NULL);
}

void tail_stop(void)
{
    if (!tl.started)
        return;
    tl.started = false;
    uv_close((uv_handle_t *)&tl.heartbeat, NULL);
    uv_close((uv_handle_t *)&tl.retry, NULL);
}
