/* fuzz_settings.c - the settings ddbd reads from users outside the
 * DynamoDB API: a trigger's --trigger flag, its JSON settings (admin
 * endpoint, --triggers-file) and the clock's time syntax (--clock,
 * POST /_ddbd/clock).
 *
 * The input is tried as all three. Invariants: a refusal says why; an
 * accepted JSON setting survives trigger_cfg_to_json and back unchanged;
 * an accepted ISO time formats to a time that parses to the same instant
 * (to the millisecond). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "streams/trigger.h"

#include "fuzz.h"

static void try_flag(const char *s)
{
    trigger_cfg_t c;
    memset(&c, 0, sizeof c);
    char why[256] = "";
    if (trigger_cfg_from_flag(s, &c, why, sizeof why) == 0)
        trigger_cfg_free(&c);
    else
        FUZZ_ASSERT(why[0] != '\0');
}

static void try_json(const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    trigger_cfg_t c, back;
    memset(&c, 0, sizeof c);
    memset(&back, 0, sizeof back);
    char why[256] = "";
    if (trigger_cfg_from_json(j, &c, why, sizeof why) == 0) {
        json_t *again = trigger_cfg_to_json(&c);
        FUZZ_ASSERT(trigger_cfg_from_json(again, &back, why, sizeof why) == 0);
        json_t *twice = trigger_cfg_to_json(&back);
        FUZZ_ASSERT(json_equal(again, twice));
        json_decref(twice);
        json_decref(again);
        trigger_cfg_free(&back);
        trigger_cfg_free(&c);
    } else {
        FUZZ_ASSERT(why[0] != '\0');
    }
    json_decref(j);
}

static void try_time(const char *s, size_t n)
{
    int64_t ms, again;
    if (clock_parse_iso((str_t){s, n}, &ms) != 0)
        return;
    char text[64];
    clock_format_iso(ms, text, sizeof text);
    FUZZ_ASSERT(clock_parse_iso(str_from_cstr(text), &again) == 0 && again == ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_ASSERT(s);
    memcpy(s, data, size);
    s[size] = '\0';
    try_flag(s);
    try_json(s, size);
    try_time(s, size);
    free(s);
    return 0;
}
