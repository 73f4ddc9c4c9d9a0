/* admin.c - ddbd's own endpoints under /_ddbd/ (see admin.h).
 *
 *   GET  /_ddbd/clock          {"now_ms", "now", "frozen"}
 *   POST /_ddbd/clock          {"set_ms": N} | {"set": "<ISO time>"} |
 *                              {"advance_seconds": N} | {"advance_ms": N},
 *                              optionally "frozen": true|false; answers
 *                              like GET
 *   POST /_ddbd/ttl/sweep      runs TTL expiry and stream trimming now:
 *                              {"expired": N, "trimmed": N, "now_ms": N}
 *
 * One row per route in `routes`; handlers answer through admin_reply. */
#include "api/admin.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "api/admin_triggers.h"
#include "jobs/ttl_sweeper.h"

struct admin_call {
    const admin_env_t *env;
    admin_done_cb done;
    void *ud;
    char *method;
    buf_t target; /* path and query, NUL-terminated copies */
    buf_t body;
};

void admin_reply(admin_call_t *call, int status, str_t json_body)
{
    call->done(call->ud, status, json_body);
    free(call->method);
    buf_free(&call->target);
    buf_free(&call->body);
    free(call);
}

void admin_reply_error(admin_call_t *call, int status, const char *msg)
{
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    jw_key(&b, "error");
    jw_cstr(&b, msg);
    jw_close(&b, '}');
    admin_reply(call, status, (str_t){b.data, b.len});
    buf_free(&b);
}

const admin_env_t *admin_call_env(const admin_call_t *call) { return call->env; }

/* ---- /_ddbd/clock ---------------------------------------------------------- */

static void reply_clock(admin_call_t *call)
{
    int64_t now = clock_now_ms();
    char iso[40];
    clock_format_iso(now, iso, sizeof iso);
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    jw_key(&b, "now_ms");
    jw_int(&b, now);
    jw_key(&b, "now");
    jw_cstr(&b, iso);
    jw_key(&b, "frozen");
    jw_bool(&b, clock_is_frozen());
    jw_close(&b, '}');
    admin_reply(call, 200, (str_t){b.data, b.len});
    buf_free(&b);
}

/* Reads the POST body's one move; -1 with *why on bad input. */
static int clock_move(json_t *o, const char **why)
{
    json_t *set_ms = json_object_get(o, "set_ms"), *set = json_object_get(o, "set");
    json_t *adv_s = json_object_get(o, "advance_seconds"), *adv_ms = json_object_get(o, "advance_ms");
    json_t *frozen = json_object_get(o, "frozen");
    int moves = !!set_ms + !!set + !!adv_s + !!adv_ms;
    if (moves > 1)
        return *why = "give one of set_ms, set, advance_seconds, advance_ms", -1;
    if (moves == 0 && !frozen)
        return *why = "give set_ms, set (ISO-8601 time), advance_seconds or advance_ms, and/or frozen", -1;
    if ((set_ms && !json_is_integer(set_ms)) || (adv_ms && !json_is_integer(adv_ms)) ||
        (adv_s && !json_is_number(adv_s)) || (set && !json_is_string(set)) || (frozen && !json_is_boolean(frozen)))
        return *why = "set_ms and advance_ms take integers, advance_seconds a number, set a string, frozen a boolean",
               -1;
    int64_t target = 0;
    if (set && clock_parse_iso(str_from_cstr(json_string_value(set)), &target))
        return *why = "set wants an ISO-8601 UTC time such as 2030-01-01T00:00:00Z", -1;
    if (adv_s && !isfinite(json_number_value(adv_s)))
        return *why = "advance_seconds must be finite", -1;
    if (frozen && json_is_true(frozen))
        clock_freeze(true); /* first, so a set lands exactly */
    if (set_ms)
        clock_set_ms(json_integer_value(set_ms));
    else if (set)
        clock_set_ms(target);
    else if (adv_ms)
        clock_advance_ms(json_integer_value(adv_ms));
    else if (adv_s)
        clock_advance_ms((int64_t)llround(json_number_value(adv_s) * 1000.0));
    if (frozen && !json_is_true(frozen))
        clock_freeze(false);
    return 0;
}

static void admin_clock(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)path;
    (void)query;
    if (strcmp(method, "GET") == 0)
        return reply_clock(call);
    json_t *o = json_loadb(body.ptr, body.len, 0, NULL);
    const char *why = "the body must be a JSON object";
    int rc = json_is_object(o) ? clock_move(o, &why) : -1;
    json_decref(o);
    if (rc)
        return admin_reply_error(call, 400, why);
    reply_clock(call);
}

/* ---- /_ddbd/ttl/sweep ---------------------------------------------------------- */

static void sweep_done(void *ud, int rc, const ttl_sweep_result_t *total)
{
    admin_call_t *call = ud;
    if (rc)
        return admin_reply_error(call, 500, store_strerror(rc));
    buf_t b = BUF_INIT;
    jw_open(&b, '{');
    jw_key(&b, "expired");
    jw_int(&b, (int64_t)total->expired);
    jw_key(&b, "trimmed");
    jw_int(&b, (int64_t)total->trimmed);
    jw_key(&b, "now_ms");
    jw_int(&b, clock_now_ms());
    jw_close(&b, '}');
    admin_reply(call, 200, (str_t){b.data, b.len});
    buf_free(&b);
}

static void admin_ttl_sweep(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)method;
    (void)path;
    (void)query;
    (void)body;
    ttl_sweep_now(call->env->writer, sweep_done, call);
}

/* ---- routing ------------------------------------------------------------------- */

static const struct route {
    const char *methods; /* "GET POST": allowed methods, space-separated */
    const char *path; /* exact, or a prefix when it ends in '/' */
    admin_handler_fn handler;
} routes[] = {
    {"GET POST", "/_ddbd/clock", admin_clock},
    {"POST", "/_ddbd/ttl/sweep", admin_ttl_sweep},
    {"GET POST", "/_ddbd/triggers", trigger_admin_handle},
    {"GET DELETE", "/_ddbd/triggers/", trigger_admin_handle},
};

static const str_t admin_prefix = STR_LIT("/_ddbd/");

bool admin_is_admin_path(str_t path)
{
    return path.len >= admin_prefix.len && memcmp(path.ptr, admin_prefix.ptr, admin_prefix.len) == 0;
}

static bool route_matches(const struct route *rt, str_t path)
{
    size_t n = strlen(rt->path);
    if (n && rt->path[n - 1] == '/')
        return path.len >= n && memcmp(path.ptr, rt->path, n) == 0;
    return str_eq_cstr(path, rt->path);
}

static bool method_allowed(const char *methods, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = methods; (p = strstr(p, m)) != NULL; p += n)
        if ((p == methods || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

void admin_handle(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done, void *ud)
{
    admin_call_t *call = calloc(1, sizeof *call);
    if (!call)
        abort();
    *call = (admin_call_t){.env = env, .done = done, .ud = ud, .method = strndup(method.ptr, method.len)};
    buf_append(&call->target, target.ptr, target.len);
    buf_putc(&call->target, '\0');
    buf_append(&call->body, body.ptr, body.len);
    buf_putc(&call->body, '\0');
    const char *q = memchr(call->target.data, '?', target.len);
    str_t path = {call->target.data, q ? (size_t)(q - call->target.data) : target.len};
    str_t query = q ? (str_t){q + 1, target.len - path.len - 1} : STR_LIT("");
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!route_matches(&routes[i], path))
            continue;
        if (!method_allowed(routes[i].methods, call->method))
            return admin_reply_error(call, 405, "method not allowed");
        return routes[i].handler(call, call->method, path, query, (str_t){call->body.data, body.len});
    }
    admin_reply_error(call, 404, "no such ddbd endpoint");
}

void admin_start(const admin_env_t *env) { ttl_sweeper_start(env->loop, env->store, env->writer); }

void admin_stop(void) { ttl_sweeper_stop(); }
