/* admin_triggers.c - /_ddbd/triggers (see admin_triggers.h): parses and
 * validates, then hands over to the engine (trigger.c). Creation and
 * deletion answer after the change is committed. */
#include "api/admin_triggers.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "net/httpc.h"
#include "streams/trigger.h"

#define PREFIX "/_ddbd/triggers"

typedef struct pending {
    admin_call_t *call;
    int status; /* on success */
    json_t *answer; /* on success */
} pending_t;

static void reply_json(admin_call_t *call, int status, json_t *j)
{
    char *text = xjson_dumps(j, JSON_COMPACT);
    admin_reply(call, status, str_from_cstr(text));
    free(text);
    json_decref(j);
}

static void on_done(void *ud, int status, const char *msg)
{
    pending_t *p = ud;
    if (status)
        admin_reply_error(p->call, status, msg);
    else
        reply_json(p->call, p->status, json_incref(p->answer));
    json_decref(p->answer);
    free(p);
}

static pending_t *pending_new(admin_call_t *call, int status)
{
    pending_t *p = xcalloc(1, sizeof *p);
    p->call = call;
    p->status = status;
    return p;
}

/* ---- where a trigger made at run time may point ---------------------------------- */

/* A loopback host: localhost, 127.0.0.0/8 or ::1. */
static bool host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n > 1 && h[0] == '[' && h[n - 1] == ']') {
        memmove(h, h + 1, n - 2);
        h[n - 2] = '\0';
    }
    if (!strcasecmp(h, "localhost"))
        return true;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static int check_url(const char *what, const char *url, char *why, size_t why_len)
{
    httpc_url_t u;
    char e[256];
    if (httpc_url_parse(url, &u, e, sizeof e) == 0 && host_is_loopback(u.host))
        return 0;
    snprintf(why, why_len,
             "%s: a trigger created at run time may only call loopback URLs (localhost, 127.0.0.1, [::1]); "
             "start ddbd with --allow-any-trigger-target to allow %.200s",
             what, url);
    return -1;
}

/* A file inside --trigger-dir: its folder, symbolic links resolved, is
 * that folder or below it, and the file itself is no symbolic link. */
static int check_file(const char *dir, const char *path, char *why, size_t why_len)
{
    char root[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = '\0';
    struct stat st;
    bool inside = dir && realpath(dir, root) && realpath(parent[0] ? parent : "/", real) &&
                  strncmp(real, root, strlen(root)) == 0 && (real[strlen(root)] == '\0' || real[strlen(root)] == '/') &&
                  !(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
    if (inside)
        return 0;
    if (!dir)
        snprintf(why, why_len,
                 "DestinationConfig.OnFailure.Destination: a trigger created at run time may write files only in "
                 "the folder given with --trigger-dir (none was given)");
    else
        snprintf(why, why_len,
                 "DestinationConfig.OnFailure.Destination: a trigger created at run time may write files only in "
                 "%.150s (--trigger-dir), not %.150s",
                 dir, path);
    return -1;
}

static int check_targets(const admin_access_t *a, const trigger_cfg_t *c, char *why, size_t why_len)
{
    if (a->any_trigger_target)
        return 0;
    if (check_url("Url", c->url, why, why_len))
        return -1;
    if (!c->on_failure)
        return 0;
    if (!strncmp(c->on_failure, "http://", 7))
        return check_url("DestinationConfig.OnFailure.Destination", c->on_failure, why, why_len);
    return check_file(a->trigger_dir, c->on_failure, why, why_len);
}

/* ---- the routes ---------------------------------------------------------------------- */

static void create(admin_call_t *call, str_t body)
{
    json_error_t je;
    json_t *j = json_loadb(body.ptr, body.len, 0, &je);
    if (!j) {
        char msg[300];
        snprintf(msg, sizeof msg, "the body is not valid JSON: %s", je.text);
        return admin_reply_error(call, 400, msg);
    }
    trigger_cfg_t cfg;
    char why[600];
    int rc = trigger_cfg_from_json(j, &cfg, why, sizeof why);
    json_decref(j);
    if (rc)
        return admin_reply_error(call, 400, why);
    if (check_targets(&admin_call_env(call)->access, &cfg, why, sizeof why)) {
        trigger_cfg_free(&cfg);
        return admin_reply_error(call, 403, why);
    }
    char uuid[TRIGGER_UUID_LEN + 1];
    memcpy(uuid, cfg.uuid, sizeof uuid);
    pending_t *p = pending_new(call, 201);
    if (trigger_create(&cfg, on_done, p)) {
        free(p);
        return admin_reply_error(call, 503, "ddbd is shutting down");
    }
    p->answer = trigger_describe(uuid); /* done runs after the commit, later */
}

void trigger_admin_handle(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)query;
    str_t rest = {path.ptr + strlen(PREFIX), path.len - strlen(PREFIX)};
    if (rest.len == 0 || str_eq_cstr(rest, "/")) {
        if (!strcmp(method, "GET"))
            return reply_json(call, 200, trigger_describe(NULL));
        if (!strcmp(method, "POST"))
            return create(call, body);
        return admin_reply_error(call, 405, "use GET or POST on /_ddbd/triggers");
    }
    char uuid[TRIGGER_UUID_LEN + 2];
    if (rest.len - 1 > TRIGGER_UUID_LEN || memchr(rest.ptr + 1, '/', rest.len - 1))
        return admin_reply_error(call, 404, "no such trigger");
    snprintf(uuid, sizeof uuid, "%.*s", (int)rest.len - 1, rest.ptr + 1);
    json_t *desc = trigger_describe(uuid);
    if (!desc)
        return admin_reply_error(call, 404, "no such trigger");
    if (!strcmp(method, "GET"))
        return reply_json(call, 200, desc);
    if (!strcmp(method, "DELETE")) {
        pending_t *p = pending_new(call, 200);
        json_object_set_new(desc, "State", json_string("Deleting"));
        p->answer = desc;
        return trigger_delete(uuid, on_done, p);
    }
    json_decref(desc);
    admin_reply_error(call, 405, "use GET or DELETE on /_ddbd/triggers/<uuid>");
}
