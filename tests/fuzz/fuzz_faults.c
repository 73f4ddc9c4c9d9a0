/* fuzz_faults.c - what the admin door reads: fault definitions
 * (POST /_ddbd/faults, api/faults.h) matched against request bodies, and
 * the admin token in a request target (api/admin.h).
 *
 * Input: lines. Line 1 is a fault definition (JSON), line 2 an operation
 * name, line 3 a request target (path and query), the rest a request
 * body (JSON). Invariants: a refused definition says why and adds
 * nothing; an accepted one is listed, matches only as its filters say
 * (an Operation filter never matches another operation), uses up its
 * Count, and clears; the token check lets a request through only with
 * the exact token. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/console.h"
#include "api/faults.h"

#include "fuzz.h"

static str_t next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    str_t s = {*p, (size_t)((nl ? nl : end) - *p)};
    *p = nl ? nl + 1 : end;
    return s;
}

static void check_fault(str_t def_text, str_t op, str_t body_text)
{
    json_error_t je;
    json_t *def = json_loadb(def_text.ptr, def_text.len, 0, &je);
    json_t *body = json_loadb(body_text.ptr, body_text.len, 0, &je);
    char opname[80];
    snprintf(opname, sizeof opname, "%.*s", (int)(op.len < 64 ? op.len : 64), op.ptr);
    json_t *desc = NULL;
    char why[300] = "";
    if (faults_add(def, 1000, &desc, why, sizeof why) != 0) {
        FUZZ_ASSERT(why[0] && !desc);
        json_t *l = faults_list(1000);
        FUZZ_ASSERT(json_array_size(json_object_get(l, "Faults")) == 0);
        json_decref(l);
    } else {
        json_t *l = faults_list(1000);
        FUZZ_ASSERT(json_array_size(json_object_get(l, "Faults")) == 1);
        json_decref(l);
        const char *want_op = json_string_value(json_object_get(desc, "Operation"));
        fault_hit_t hit;
        for (int i = 0; i < 3; i++) {
            bool m = faults_match(opname, body, 1000, &hit);
            if (m && want_op)
                FUZZ_ASSERT(strcmp(want_op, opname) == 0);
            if (!m)
                FUZZ_ASSERT(!hit.error && !hit.drop && !hit.drop_reply && !hit.delay_ms);
        }
        FUZZ_ASSERT(faults_clear(NULL) <= 1);
    }
    json_decref(desc);
    json_decref(def);
    json_decref(body);
}

static void check_token(str_t target)
{
    admin_access_t a = {.token = "tok-12345678"};
    buf_t b = BUF_INIT;
    int st = admin_access_check(&a, target, STR_NULL, &b);
    FUZZ_ASSERT(st == 0 || st == 401 || st == 403);
    if (st == 0)
        FUZZ_ASSERT(memmem(target.ptr, target.len, "token=tok-12345678", 18) != NULL);
    else
        FUZZ_ASSERT(b.len > 0);
    buf_free(&b);
    buf_t c = BUF_INIT;
    FUZZ_ASSERT(admin_access_check(&a, STR_LIT("/_ddbd/clock"), target, &c) ==
                (str_eq_cstr(target, "tok-12345678") ? 0 : 403));
    buf_free(&c);
    /* the same line as the console's Cookie header, then as its target */
    buf_t d = BUF_INIT;
    char *set_cookie = NULL;
    st = admin_console_access(&a, STR_LIT(CONSOLE_PATH "/"), STR_NULL, target, &d, &set_cookie);
    FUZZ_ASSERT(st == 0 || st == 401 || st == 403);
    FUZZ_ASSERT(!set_cookie); /* only a token given as ?token= or the header is echoed */
    if (st == 0)
        FUZZ_ASSERT(memmem(target.ptr, target.len, ADMIN_COOKIE "=tok-12345678", sizeof ADMIN_COOKIE + 12) != NULL);
    buf_free(&d);
    buf_t e = BUF_INIT;
    st = admin_console_access(&a, target, STR_NULL, STR_LIT(ADMIN_COOKIE "=tok-12345678"), &e, &set_cookie);
    FUZZ_ASSERT(st == 0 || st == 403);
    if (set_cookie) /* the token came as ?token= (not the cookie), and right */
        FUZZ_ASSERT(st == 0 && memmem(target.ptr, target.len, "token=tok-12345678", 18) != NULL);
    free(set_cookie);
    buf_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    str_t def = next_line(&p, end), op = next_line(&p, end), target = next_line(&p, end);
    str_t body = {p, (size_t)(end - p)};
    check_fault(def, op, body);
    check_token(target);
    return 0;
}
