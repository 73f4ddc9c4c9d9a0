/* admin.c - the /_ddbd/ router (see admin.h): one row per route in
 * `routes`; handlers answer through admin_reply (admin_call.h). */
#include "api/admin.h"

#include <string.h>

#include "api/admin_clock.h"
#include "api/admin_imports.h"
#include "api/admin_snapshots.h"
#include "api/admin_triggers.h"
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
