/* admin_triggers.c - /_ddbd/triggers (see admin_triggers.h): parses and
 * validates, then hands over to the engine (trigger.c). Creation and
 * deletion answer after the change is committed. */
#include "api/admin_triggers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
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
    char why[400];
    int rc = trigger_cfg_from_json(j, &cfg, why, sizeof why);
    json_decref(j);
    if (rc)
        return admin_reply_error(call, 400, why);
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
