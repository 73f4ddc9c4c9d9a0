/* admin_call.c - one call to a /_ddbd/ endpoint and its reply (see
 * admin_call.h). */
#include "api/admin_call.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

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

admin_call_t *admin_call_new(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done,
                             void *ud)
{
    admin_call_t *call = xcalloc(1, sizeof *call);
    *call = (admin_call_t){.env = env, .done = done, .ud = ud, .method = xstrndup(method.ptr, method.len)};
    buf_append(&call->target, target.ptr, target.len);
    buf_putc(&call->target, '\0');
    buf_append(&call->body, body.ptr, body.len);
    buf_putc(&call->body, '\0');
    return call;
}

const char *admin_call_method(const admin_call_t *call) { return call->method; }

str_t admin_call_target(const admin_call_t *call) { return (str_t){call->target.data, call->target.len - 1}; }

str_t admin_call_body(const admin_call_t *call) { return (str_t){call->body.data, call->body.len - 1}; }
