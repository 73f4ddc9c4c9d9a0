/* err.c - the error value handlers fill in (see err.h). */
#include "base/err.h"

#include <stdio.h>

static const struct {
    const char *name;
    int status;
    const char *ns;
} err_table[] = {[ERR_NONE] = {"", 200, ""},
#define X(e, name, status, ns) [e] = {name, status, ns},
                 ERR_LIST(X)
#undef X
};

int err_vset(err_t *e, err_code_t code, const char *fmt, va_list ap)
{
    if (e->code != ERR_NONE)
        return -1; /* the first error is the one DynamoDB reports */
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return -1;
}

int err_set(err_t *e, err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, fmt, ap);
    va_end(ap);
    return -1;
}

void err_clear(err_t *e)
{
    e->code = ERR_NONE;
    e->msg[0] = '\0';
    e->extra_json = NULL;
    e->msg_long = NULL;
}

const char *err_type_name(err_code_t code) { return err_table[code].name; }
const char *err_namespace(err_code_t code) { return err_table[code].ns; }
int err_http_status(err_code_t code) { return err_table[code].status; }
