/* admin.c - the /_ddbd/ router (see admin.h): one row per route in
 * `routes`; handlers answer through admin_reply (admin_call.h). */
#include "api/admin.h"

#include <string.h>

#include "base/alloc.h"

#include "api/admin_clock.h"
#include "api/admin_faults.h"
#include "api/admin_imports.h"
#include "api/admin_snapshots.h"
#include "api/admin_triggers.h"
#include "api/console.h"
#include "api/stats.h"
#include "api/tail.h"
#include "jobs/ttl_sweeper.h"

/* ---- routing ------------------------------------------------------------------- */

static const struct route {
    const char *methods; /* "GET POST": allowed methods, space-separated */
    const char *path; /* exact, or a prefix when it ends in '/' */
    admin_handler_fn handler;
} routes[] = {
    {"GET POST", "/_ddbd/clock", admin_clock},
    {"GET", "/_ddbd/stats", stats_admin},
    {"POST", "/_ddbd/ttl/sweep", admin_ttl_sweep},
    {"GET POST", "/_ddbd/triggers", trigger_admin_handle},
    {"GET DELETE", "/_ddbd/triggers/", trigger_admin_handle},
    {"GET", "/_ddbd/imports/", admin_import_errors},
    {"GET POST DELETE", "/_ddbd/faults", admin_faults},
    {"DELETE", "/_ddbd/faults/", admin_faults},
    {"POST", "/_ddbd/reset", admin_reset},
    {"GET POST", "/_ddbd/snapshots", admin_snapshots},
    {"GET POST DELETE", "/_ddbd/snapshots/", admin_snapshots},
    {"GET", "/_ddbd/dump", admin_dump},
    {"POST", "/_ddbd/load", admin_load},
};

static const str_t admin_prefix = STR_LIT("/_ddbd/");

bool admin_is_admin_path(str_t path)
{
    return path.len >= admin_prefix.len && memcmp(path.ptr, admin_prefix.ptr, admin_prefix.len) == 0;
}

/* ---- access ---------------------------------------------------------------------- */

/* Equal in time independent of where they differ (the token is a secret). */
static bool token_equal(const char *want, str_t got)
{
    size_t n = strlen(want);
    unsigned char diff = (unsigned char)(n != got.len);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(want[i] ^ (i < got.len ? got.ptr[i] : 0));
    return diff == 0;
}

/* The value of ?token= in target, or STR_NULL. */
static str_t query_token(str_t target)
{
    const char *q = memchr(target.ptr, '?', target.len);
    if (!q)
        return STR_NULL;
    const char *p = q + 1, *end = target.ptr + target.len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) >= 6 && memcmp(p, "token=", 6) == 0)
            return (str_t){p + 6, (size_t)(stop - p - 6)};
        p = amp ? amp + 1 : end;
    }
    return STR_NULL;
}

static int access_error(buf_t *body, int status, const char *msg)
{
    jw_open(body, '{');
    jw_key(body, "error");
    jw_cstr(body, msg);
    jw_close(body, '}');
    return status;
}

int admin_access_check(const admin_access_t *a, str_t target, str_t token_header, buf_t *body)
{
    if (a->off)
        return access_error(body, 404, "the /_ddbd/ endpoints are off (--no-admin)");
    if (!a->token) {
        if (!a->exposed)
            return 0;
        return access_error(body, 403,
                            "ddbd listens beyond loopback: its /_ddbd/ endpoints need --admin-token "
                            "(or --admin-token-file), sent as the X-Ddbd-Admin-Token header");
    }
    str_t got = token_header.ptr ? token_header : query_token(target);
    if (!got.ptr)
        return access_error(body, 401,
                            "this ddbd's /_ddbd/ endpoints need its admin token "
                            "(the X-Ddbd-Admin-Token header, or ?token=)");
    if (!token_equal(a->token, got))
        return access_error(body, 403, "wrong admin token");
    return 0;
}

/* The value of name=... in a Cookie header, or STR_NULL. */
static str_t cookie_value(str_t cookies, const char *name)
{
    size_t n = strlen(name);
    const char *p = cookies.ptr, *end = cookies.ptr + cookies.len;
    while (p && p < end) {
        while (p < end && (*p == ' ' || *p == ';'))
            p++;
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        if ((size_t)(stop - p) > n && memcmp(p, name, n) == 0 && p[n] == '=')
            return (str_t){p + n + 1, (size_t)(stop - p - n - 1)};
        p = semi;
    }
    return STR_NULL;
}

/* RFC 6265's cookie-octet: a token of other characters stays out of cookies. */
static bool cookie_safe(const char *v)
{
    for (; *v; v++)
        if (*v <= ' ' || *v >= 0x7f || *v == '"' || *v == ',' || *v == ';' || *v == '\\')
            return false;
    return true;
}

int admin_console_access(const admin_access_t *a, str_t target, str_t token_header, str_t cookie_header, buf_t *body,
                         char **set_cookie)
{
    *set_cookie = NULL;
    bool given = token_header.ptr || query_token(target).ptr;
    if (!given && cookie_header.ptr)
        token_header = cookie_value(cookie_header, ADMIN_COOKIE);
    int status = admin_access_check(a, target, token_header, body);
    if (status == 0 && given && a->token && cookie_safe(a->token))
        *set_cookie = xasprintf(ADMIN_COOKIE "=%s; Path=" CONSOLE_PATH "/; HttpOnly; SameSite=Strict", a->token);
    return status;
}

/* ---- routes ------------------------------------------------------------------------ */

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
    admin_call_t *call = admin_call_new(env, method, target, body, done, ud);
    str_t t = admin_call_target(call);
    const char *q = memchr(t.ptr, '?', t.len);
    str_t path = {t.ptr, q ? (size_t)(q - t.ptr) : t.len};
    str_t query = q ? (str_t){q + 1, t.len - path.len - 1} : STR_LIT("");
    const char *m = admin_call_method(call);
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!route_matches(&routes[i], path))
            continue;
        if (!method_allowed(routes[i].methods, m))
            return admin_reply_error(call, 405, "method not allowed");
        return routes[i].handler(call, m, path, query, admin_call_body(call));
    }
    admin_reply_error(call, 404, "no such ddbd endpoint");
}

void admin_start(const admin_env_t *env)
{
    ttl_sweeper_start(env->loop, env->store, env->writer);
    tail_start(env->loop, env->server);
}

void admin_stop(void)
{
    ttl_sweeper_stop();
    tail_stop();
}
