/* stats.c - request counters and the stats endpoint (see stats.h). */
#include "api/stats.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"

#define STATS_MAX_OPS 64 /* more than DynamoDB's and Streams' operations together */
#define STATS_MSG_MAX 240 /* of an error message kept */

typedef struct op_count {
    const char *op; /* static: the dispatch table's name, or "-" */
    uint64_t requests, errors;
} op_count_t;

typedef struct recent_error {
    int64_t at_ms; /* ddbd's clock */
    const char *op;
    const char *type; /* static: err_type_name */
    char msg[STATS_MSG_MAX];
} recent_error_t;

static struct {
    op_count_t ops[STATS_MAX_OPS];
    size_t nops;
    recent_error_t recent[STATS_RECENT_ERRORS];
    size_t nrecent, next_recent; /* a ring: next_recent is the oldest once full */
    uint64_t requests, errors;
    struct timespec started; /* CLOCK_MONOTONIC: uptime ignores ddbd's movable clock */
    stats_info_t info;
    char *data_dir, *cors;
} st;

void stats_set_info(const stats_info_t *info)
{
    stats_free();
    st.info = *info;
    st.data_dir = info->data_dir ? xstrdup(info->data_dir) : NULL;
    st.cors = info->cors ? xstrdup(info->cors) : NULL;
    st.info.data_dir = st.data_dir;
    st.info.cors = st.cors;
    clock_gettime(CLOCK_MONOTONIC, &st.started);
}

void stats_free(void)
{
    free(st.data_dir);
    free(st.cors);
    st.data_dir = st.cors = NULL;
}

/* Operation names are the dispatch table's static strings: compare pointers. */
static op_count_t *op_slot(const char *op)
{
    for (size_t i = 0; i < st.nops; i++)
        if (st.ops[i].op == op)
            return &st.ops[i];
    if (st.nops == STATS_MAX_OPS)
        return NULL;
    st.ops[st.nops].op = op;
    return &st.ops[st.nops++];
}

void stats_count(const char *op, const err_t *e)
{
    op = op ? op : "-";
    op_count_t *c = op_slot(op);
    st.requests++;
    if (c)
        c->requests++;
    if (!e || !e->code)
        return;
    st.errors++;
    if (c)
        c->errors++;
    recent_error_t *r = &st.recent[st.next_recent];
    st.next_recent = (st.next_recent + 1) % STATS_RECENT_ERRORS;
    if (st.nrecent < STATS_RECENT_ERRORS)
        st.nrecent++;
    r->at_ms = clock_now_ms();
    r->op = op;
    r->type = err_type_name(e->code);
    size_t n = strnlen(e->msg, sizeof r->msg - 1); /* the start of it is enough */
    memcpy(r->msg, e->msg, n);
    r->msg[n] = '\0';
}

/* The files directly in dir (LMDB keeps data.mdb and lock.mdb there):
 * their sizes, and the disk blocks they really use (data.mdb is sparse). */
static void dir_size(const char *dir, uint64_t *bytes, uint64_t *disk)
{
    *bytes = *disk = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d)) != NULL) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            *bytes += (uint64_t)sb.st_size;
            *disk += (uint64_t)sb.st_blocks * 512;
        }
    }
    closedir(d);
}

static void write_info(buf_t *b)
{
    const stats_info_t *in = &st.info;
    jw_key(b, "version");
    jw_cstr(b, DDBD_VERSION);
    jw_key(b, "flags");
    jw_open(b, '{');
    jw_key(b, "host");
    jw_cstr(b, in->host ? in->host : "");
    jw_key(b, "port");
    jw_int(b, in->port);
    jw_key(b, "in_memory");
    jw_bool(b, in->in_memory);
    jw_key(b, "shared_db");
    jw_bool(b, in->shared_db);
    jw_key(b, "auth");
    jw_cstr(b, in->verify ? "verify" : "accept");
    jw_key(b, "cors");
    jw_cstr(b, in->cors ? in->cors : "none");
    jw_close(b, '}');
    jw_key(b, "args");
    jw_open(b, '[');
    for (int i = 1; i < in->argc; i++) {
        jw_comma(b);
        jw_cstr(b, in->argv[i]);
    }
    jw_close(b, ']');
    uint64_t bytes, disk;
    dir_size(in->data_dir, &bytes, &disk);
    jw_key(b, "data_dir");
    jw_cstr(b, in->data_dir ? in->data_dir : "");
    jw_key(b, "data_dir_bytes");
    jw_int(b, (int64_t)bytes);
    jw_key(b, "data_dir_disk_bytes");
    jw_int(b, (int64_t)disk);
}

static void write_counts(buf_t *b)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double up = (double)(now.tv_sec - st.started.tv_sec) + (double)(now.tv_nsec - st.started.tv_nsec) / 1e9;
    jw_key(b, "uptime_seconds");
    jw_double(b, up);
    jw_key(b, "requests");
    jw_int(b, (int64_t)st.requests);
    jw_key(b, "errors");
    jw_int(b, (int64_t)st.errors);
    jw_key(b, "operations");
    jw_open(b, '{');
    for (size_t i = 0; i < st.nops; i++) {
        jw_key(b, st.ops[i].op);
        jw_open(b, '{');
        jw_key(b, "requests");
        jw_int(b, (int64_t)st.ops[i].requests);
        jw_key(b, "errors");
        jw_int(b, (int64_t)st.ops[i].errors);
        jw_close(b, '}');
    }
    jw_close(b, '}');
}

static void write_recent(buf_t *b)
{
    jw_key(b, "recent_errors");
    jw_open(b, '[');
    for (size_t k = 0; k < st.nrecent; k++) { /* newest first */
        size_t i = (st.next_recent + STATS_RECENT_ERRORS - 1 - k) % STATS_RECENT_ERRORS;
        const recent_error_t *r = &st.recent[i];
        jw_open(b, '{');
        jw_key(b, "time_ms");
        jw_int(b, r->at_ms);
        jw_key(b, "operation");
        jw_cstr(b, r->op);
        jw_key(b, "type");
        jw_cstr(b, r->type);
        jw_key(b, "message");
        jw_cstr(b, r->msg);
        jw_close(b, '}');
    }
    jw_close(b, ']');
}

void stats_admin(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)method;
    (void)path;
    (void)query;
    (void)body;
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    write_info(&b);
    write_counts(&b);
    write_recent(&b);
    jw_key(&b, "now_ms");
    jw_int(&b, clock_now_ms());
    jw_close(&b, '}');
    admin_reply(call, 200, (str_t){b.data, b.len});
    buf_free(&b);
}
