/* admin_clock.c - /_ddbd/clock and /_ddbd/ttl/sweep (see admin_clock.h). */
#include "api/admin_clock.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "base/clock.h"
#include "jobs/ttl_sweeper.h"

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

void admin_clock(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
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

void admin_ttl_sweep(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)method;
    (void)path;
    (void)query;
    (void)body;
    ttl_sweep_now(admin_call_env(call)->writer, sweep_done, call);
}
