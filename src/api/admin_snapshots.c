/* admin_snapshots.c - /_ddbd/reset, /_ddbd/snapshots, /_ddbd/dump and
 * /_ddbd/load (see admin_snapshots.h). */
#include "api/admin_snapshots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/dump.h"
#include "api/seed.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "jobs/backfill.h"
#include "jobs/backup_jobs.h"
#include "jobs/snapshots.h"
#include "streams/trigger.h"

#define NS_MAX 200

static void reply_json(admin_call_t *call, int status, json_t *j)
{
    char *text = xjson_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    admin_reply(call, status, str_from_cstr(text));
    free(text);
    json_decref(j);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The namespace a call names (NULL: every namespace), checked; -1 with why. */
static int check_namespace(const admin_env_t *env, const char *ns, char **out, const char **why)
{
    *out = NULL;
    if (!ns)
        return 0;
    if (env->server->shared_db)
        return *why = "ddbd runs with --shared-db: every table is in its one namespace; leave out namespace", -1;
    const char *slash = strchr(ns, '/');
    if (!slash || slash == ns || !slash[1] || strchr(slash + 1, '/') || strlen(ns) > NS_MAX)
        return *why = "namespace is ACCESSKEY/REGION, the access key and region the tables were made with", -1;
    *out = xstrdup(ns);
    return 0;
}

/* The body's object (an empty body is {}), with no member outside
 * allowed (a typo must not silently mean something else). */
static json_t *body_object(str_t body, const char *const *allowed, const char **why)
{
    json_t *o = body.len ? json_loadb(body.ptr, body.len, 0, NULL) : json_object();
    if (!json_is_object(o)) {
        json_decref(o);
        return *why = "the body must be a JSON object", NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *a = allowed;
        while (*a && strcmp(*a, k))
            a++;
        if (!*a) {
            json_decref(o);
            return *why = "unknown member in the body", NULL;
        }
    }
    return o;
}

/* ---- the writer jobs ---------------------------------------------------------- */

typedef enum job_kind { JOB_RESET, JOB_SAVE, JOB_RESTORE, JOB_DELETE, JOB_LOAD } job_kind_t;

typedef struct job {
    /* the plan: never changed by apply, which may run twice */
    admin_call_t *call;
    const admin_env_t *env;
    job_kind_t kind;
    char *ns; /* NULL: every namespace */
    char name[SNAPSHOTS_NAME_MAX + 1];
    bool replace, reseed, held;
    seed_set_t load;
    double started;
    /* what a run found: rewritten by each run */
    int refused; /* SNAPSHOTS_NOT_FOUND, SNAPSHOTS_EXISTS, or -1 (why) */
    snapshots_counts_t counts;
    seed_counts_t seeded;
    char why[SEED_WHY_MAX];
} job_t;

static int reseed(store_txn_t *txn, catalog_cache_t *cache, job_t *j)
{
    const seed_config_t *sc = j->env->seeds;
    if (!j->reseed || !sc || (j->ns && strcmp(j->ns, sc->ns) != 0))
        return 0;
    inproc_t ip;
    inproc_init(&ip, txn, cache, j->env->store, j->env->server->shared_db, sc->ns);
    return seed_apply(&ip, &sc->set, SEED_CREATE, &j->seeded, j->why, sizeof j->why);
}

static int load(store_txn_t *txn, catalog_cache_t *cache, job_t *j)
{
    inproc_t ip;
    inproc_init(&ip, txn, cache, j->env->store, j->env->server->shared_db, j->ns ? j->ns : "");
    return seed_apply(&ip, &j->load, SEED_LOAD, &j->seeded, j->why, sizeof j->why);
}

/* A reset or load in a transaction of its own inside the batch's, so that
 * a file refused half-way leaves nothing behind. */
static int apply_nested(store_txn_t *txn, catalog_cache_t *cache, job_t *j)
{
    store_txn_t *child;
    int rc = store_nested_begin(txn, &child);
    if (rc)
        return rc;
    if (j->kind == JOB_RESET) {
        rc = snapshots_reset(child, j->ns, &j->counts);
        if (!rc)
            rc = reseed(child, cache, j);
    } else {
        rc = load(child, cache, j);
    }
    if (rc) {
        store_nested_abort(child);
        return rc;
    }
    return store_nested_commit(child);
}

static int job_apply(store_txn_t *txn, catalog_cache_t *cache, void *ud)
{
    job_t *j = ud;
    j->refused = 0;
    j->why[0] = '\0';
    j->counts = (snapshots_counts_t){0};
    j->seeded = (seed_counts_t){0};
    int rc = 0;
    switch (j->kind) {
    case JOB_RESET:
    case JOB_LOAD: rc = apply_nested(txn, cache, j); break;
    case JOB_SAVE: rc = snapshots_save(txn, j->name, j->ns, j->replace, clock_now_ms(), &j->counts); break;
    case JOB_RESTORE: rc = snapshots_restore(txn, j->name, &j->counts); break;
    case JOB_DELETE: rc = snapshots_delete(txn, j->name); break;
    }
    if (rc == -1 || rc > 0) { /* checked before anything was written */
        j->refused = rc;
        return -1;
    }
    return rc;
}

static json_t *counts_json(const job_t *j)
{
    json_t *o = json_pack("{s:o,s:I,s:I,s:I}", "Namespace", j->ns ? json_string(j->ns) : json_null(), "Tables",
                          (json_int_t)j->counts.tables, "Items", (json_int_t)j->counts.items, "Streams",
                          (json_int_t)j->counts.streams);
    if (j->kind == JOB_RESET && (j->seeded.created || j->seeded.items))
        json_object_set_new(
            o, "Seeded",
            json_pack("{s:I,s:I}", "Tables", (json_int_t)j->seeded.created, "Items", (json_int_t)j->seeded.items));
    return o;
}

/* The answer of a successful job. */
static json_t *job_answer(job_t *j)
{
    json_t *o = NULL;
    store_txn_t *txn;
    switch (j->kind) {
    case JOB_SAVE:
        if (store_read_begin(j->env->store, &txn) == 0) {
            snapshots_describe(txn, j->name, &o);
            store_read_end(txn);
        }
        return o ? o : json_object();
    case JOB_RESTORE: {
        json_t *d = NULL;
        o = counts_json(j);
        json_object_set_new(o, "Name", json_string(j->name));
        if (store_read_begin(j->env->store, &txn) == 0) {
            snapshots_describe(txn, j->name, &d); /* what it covered: its namespace, or all */
            store_read_end(txn);
        }
        if (d)
            json_object_set(o, "Namespace", json_object_get(d, "Namespace"));
        json_decref(d);
        return o;
    }
    case JOB_DELETE: return json_pack("{s:s}", "Deleted", j->name);
    case JOB_LOAD:
        return json_pack("{s:o,s:I,s:I}", "Namespace", j->ns ? json_string(j->ns) : json_null(), "TablesCreated",
                         (json_int_t)j->seeded.created, "Items", (json_int_t)j->seeded.items);
    case JOB_RESET: return counts_json(j);
    }
    return json_object();
}

static void job_refused(job_t *j)
{
    char msg[SEED_WHY_MAX + 100];
    if (j->refused == SNAPSHOTS_NOT_FOUND) {
        snprintf(msg, sizeof msg, "no snapshot named %s", j->name);
        return admin_reply_error(j->call, 404, msg);
    }
    if (j->refused == SNAPSHOTS_EXISTS) {
        snprintf(msg, sizeof msg, "a snapshot named %s exists (\"replace\": true overwrites it)", j->name);
        return admin_reply_error(j->call, 409, msg);
    }
    admin_reply_error(j->call, 400, j->why[0] ? j->why : "refused");
}

static void job_done(void *ud, int rc)
{
    job_t *j = ud;
    if (j->held)
        trigger_release();
    if (rc == 0 && j->kind != JOB_SAVE && j->kind != JOB_DELETE) {
        backfill_notify(); /* a restored index may be half backfilled */
        backup_jobs_notify(); /* and a restored backup copy or restore half done */
    }
    if (rc < -1) {
        admin_reply_error(j->call, 500, store_strerror(rc));
    } else if (rc == -1) {
        job_refused(j);
    } else {
        json_t *o = job_answer(j);
        json_object_set_new(o, "ElapsedMs", json_real((double)(long)((mono_ms() - j->started) * 100) / 100));
        reply_json(j->call, j->kind == JOB_SAVE ? 201 : 200, o);
    }
    free(j->ns);
    seed_set_free(&j->load);
    free(j);
}

static job_t *job_new(admin_call_t *call, job_kind_t kind, char *ns)
{
    job_t *j = xcalloc(1, sizeof *j);
    j->call = call;
    j->env = admin_call_env(call);
    j->kind = kind;
    j->ns = ns;
    j->started = mono_ms();
    return j;
}

static void job_submit(job_t *j)
{
    /* a batch the engine reads before the step must not count after it */
    j->held = j->kind == JOB_RESET || j->kind == JOB_RESTORE;
    if (j->held)
        trigger_hold();
    writer_submit_job(j->env->writer, job_apply, job_done, j);
}

/* ---- routes ---------------------------------------------------------------------- */

void admin_reset(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    static const char *const allowed[] = {"namespace", "seed", NULL};
    const char *why = NULL;
    json_t *o = body_object(body, allowed, &why);
    json_t *seed = json_object_get(o, "seed"), *ns_member = json_object_get(o, "namespace");
    char *ns;
    if (o && ((seed && !json_is_boolean(seed)) || (ns_member && !json_is_string(ns_member))))
        why = "namespace is a string and seed a boolean";
    if (!o || why) {
        json_decref(o);
        return admin_reply_error(call, 400, why);
    }
    if (check_namespace(admin_call_env(call), json_string_value(ns_member), &ns, &why)) {
        json_decref(o);
        return admin_reply_error(call, 400, why);
    }
    job_t *j = job_new(call, JOB_RESET, ns);
    j->reseed = !seed || json_is_true(seed);
    json_decref(o);
    job_submit(j);
}

static void list_or_describe(admin_call_t *call, const char *name)
{
    store_txn_t *txn;
    json_t *out = NULL;
    int rc = store_read_begin(admin_call_env(call)->store, &txn);
    if (!rc) {
        rc = snapshots_describe(txn, name, &out);
        store_read_end(txn);
    }
    if (rc == SNAPSHOTS_NOT_FOUND)
        return admin_reply_error(call, 404, "no such snapshot");
    if (rc)
        return admin_reply_error(call, 500, store_strerror(rc));
    reply_json(call, 200, out);
}

static void save(admin_call_t *call, str_t body)
{
    static const char *const allowed[] = {"name", "namespace", "replace", NULL};
    const char *why = "name (1-255 of A-Z a-z 0-9 . _ -) is required; namespace is a string, replace a boolean";
    json_t *o = body_object(body, allowed, &why);
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *ns_member = json_object_get(o, "namespace"), *replace = json_object_get(o, "replace");
    char *ns = NULL;
    if (!o || !name || !snapshots_name_ok(name) || (ns_member && !json_is_string(ns_member)) ||
        (replace && !json_is_boolean(replace)) ||
        check_namespace(admin_call_env(call), json_string_value(ns_member), &ns, &why)) {
        json_decref(o);
        return admin_reply_error(call, 400, why);
    }
    job_t *j = job_new(call, JOB_SAVE, ns);
    snprintf(j->name, sizeof j->name, "%s", name);
    j->replace = json_is_true(replace);
    json_decref(o);
    job_submit(j);
}

void admin_snapshots(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    static const str_t base = STR_LIT("/_ddbd/snapshots"), restore = STR_LIT("/restore");
    str_t rest = {path.ptr + base.len, path.len - base.len};
    if (rest.len <= 1)
        return !strcmp(method, "GET") ? list_or_describe(call, NULL) : save(call, body);
    rest.ptr++, rest.len--;
    bool restoring = rest.len > restore.len && !memcmp(rest.ptr + rest.len - restore.len, restore.ptr, restore.len);
    if (restoring)
        rest.len -= restore.len;
    char name[SNAPSHOTS_NAME_MAX + 2];
    snprintf(name, sizeof name, "%.*s", (int)(rest.len < sizeof name ? rest.len : sizeof name - 1), rest.ptr);
    if (rest.len > SNAPSHOTS_NAME_MAX || !snapshots_name_ok(name))
        return admin_reply_error(call, 404, "no such snapshot");
    if (restoring != !strcmp(method, "POST"))
        return admin_reply_error(call, 405, "POST /_ddbd/snapshots/NAME/restore; GET or DELETE /_ddbd/snapshots/NAME");
    if (!strcmp(method, "GET"))
        return list_or_describe(call, name);
    job_t *j = job_new(call, restoring ? JOB_RESTORE : JOB_DELETE, NULL);
    memcpy(j->name, name, strlen(name) + 1); /* checked: at most SNAPSHOTS_NAME_MAX */
    job_submit(j);
}

/* ---- dump and load ------------------------------------------------------------------ */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The query parameter key, percent-decoded, into out (false: absent or too long). */
static bool query_get(str_t query, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);
    for (const char *p = query.ptr, *end = query.ptr + query.len; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
            size_t n = 0;
            for (const char *v = p + klen + 1; v < stop; v++) {
                char c = *v;
                if (c == '%' && stop - v > 2 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
                    c = (char)(hexval(v[1]) * 16 + hexval(v[2]));
                    v += 2;
                }
                if (n + 1 >= len || c == '\0')
                    return false;
                out[n++] = c == '+' ? ' ' : c;
            }
            out[n] = '\0';
            return true;
        }
        p = stop + 1;
    }
    return false;
}

/* The namespace of a dump or load: the query's (required without --shared-db). */
static int data_namespace(admin_call_t *call, str_t query, char **ns)
{
    const admin_env_t *env = admin_call_env(call);
    char given[NS_MAX + 1];
    const char *why = "give namespace=ACCESSKEY/REGION";
    bool has = query_get(query, "namespace", given, sizeof given);
    if (!has && env->server->shared_db) {
        *ns = xstrdup("");
        return 0;
    }
    if (has && !check_namespace(env, given, ns, &why))
        return 0;
    admin_reply_error(call, 400, why);
    return -1;
}

static int sink_buf(void *ud, const char *p, size_t n)
{
    buf_append(ud, p, n);
    return 0;
}

void admin_dump(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    char table[256], *ns;
    if (!query_get(query, "table", table, sizeof table))
        return admin_reply_error(call, 400, "give table=NAME");
    if (data_namespace(call, query, &ns))
        return;
    const admin_env_t *env = admin_call_env(call);
    store_txn_t *txn;
    buf_t out = BUF_INIT;
    uint64_t n;
    int rc = store_read_begin(env->store, &txn);
    if (!rc) {
        inproc_t ip;
        inproc_init(&ip, txn, env->server->loop_catalog, env->store, env->server->shared_db, ns);
        rc = dump_items(&ip, table, sink_buf, &out, &n);
        store_read_end(txn);
    }
    free(ns);
    if (rc == STORE_NOTFOUND)
        admin_reply_error(call, 404, "no such table in that namespace");
    else if (rc)
        admin_reply_error(call, 500, store_strerror(rc));
    else
        admin_reply(call, 200, (str_t){out.data ? out.data : "", out.len});
    buf_free(&out);
}

void admin_load(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    char table[256], *ns;
    bool has_table = query_get(query, "table", table, sizeof table);
    if (data_namespace(call, query, &ns))
        return;
    job_t *j = job_new(call, JOB_LOAD, ns);
    /* the body is a file: items of table=, or else a table file */
    if (seed_parse(&j->load, has_table ? "body" : "body.json", has_table ? table : NULL, body.ptr, body.len, j->why,
                   sizeof j->why)) {
        admin_reply_error(call, 400, j->why);
        free(j->ns);
        seed_set_free(&j->load);
        free(j);
        return;
    }
    job_submit(j);
}
