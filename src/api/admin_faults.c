/* admin_faults.c - /_ddbd/faults (see admin_faults.h). */
#include "api/admin_faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/faults.h"
#include "base/alloc.h"

#define PREFIX "/_ddbd/faults"

static void reply_json(admin_call_t *call, int status, json_t *j)
{
    char *text = xjson_dumps(j, JSON_COMPACT);
    admin_reply(call, status, str_from_cstr(text));
    free(text);
    json_decref(j);
}

static void add(admin_call_t *call, str_t body, uint64_t now)
{
    json_error_t je;
    json_t *def = json_loadb(body.ptr, body.len, 0, &je);
    if (!def) {
        char msg[300];
        snprintf(msg, sizeof msg, "the body is not valid JSON: %s", je.text);
        return admin_reply_error(call, 400, msg);
    }
    json_t *desc;
    char why[300];
    int rc = faults_add(def, now, &desc, why, sizeof why);
    json_decref(def);
    if (rc)
        return admin_reply_error(call, 400, why);
    reply_json(call, 201, desc);
}

void admin_faults(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)query;
    uint64_t now = uv_now(admin_call_env(call)->loop);
    str_t rest = {path.ptr + strlen(PREFIX), path.len - strlen(PREFIX)};
    if (rest.len > 1) { /* /_ddbd/faults/<id> */
        char id[64];
        if (rest.len - 1 >= sizeof id || memchr(rest.ptr + 1, '/', rest.len - 1))
            return admin_reply_error(call, 404, "no such fault");
        snprintf(id, sizeof id, "%.*s", (int)rest.len - 1, rest.ptr + 1);
        if (strcmp(method, "DELETE") != 0)
            return admin_reply_error(call, 405, "use DELETE on /_ddbd/faults/<id>");
        if (!faults_clear(id))
            return admin_reply_error(call, 404, "no such fault");
        return reply_json(call, 200, json_pack("{s:i}", "Removed", 1));
    }
    if (!strcmp(method, "GET"))
        return reply_json(call, 200, faults_list(now));
    if (!strcmp(method, "DELETE"))
        return reply_json(call, 200, json_pack("{s:I}", "Removed", (json_int_t)faults_clear(NULL)));
    add(call, body, now);
}
