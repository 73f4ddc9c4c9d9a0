/* test_clock.c - ddbd's clock: ISO-8601 parsing and formatting, the
 * --clock argument, freezing, setting and advancing. */
#include <stdint.h>

#include "check.h"
#include "base/clock.h"

#define Y2030 1893456000000ll /* 2030-01-01T00:00:00Z */

static int64_t parse(const char *s)
{
    int64_t ms = -1;
    return clock_parse_iso(str_from_cstr(s), &ms) == 0 ? ms : -1;
}

static void test_parse_iso(void)
{
    CHECK(parse("2030-01-01T00:00:00Z") == Y2030);
    CHECK(parse("2030-01-01T00:00:00.250Z") == Y2030 + 250);
    CHECK(parse("2030-01-01T00:00:00.5") == Y2030 + 500);
    CHECK(parse("2030-01-01T00:00:00+00:00") == Y2030);
    CHECK(parse("2030-01-01") == Y2030);
    CHECK(parse("2030-01-01T00:00") == Y2030);
    CHECK(parse("1970-01-01T00:00:00Z") == 0);
    CHECK(parse("2000-02-29T12:00:00Z") == 951825600000ll); /* a leap day */
    CHECK(parse("2030-13-01T00:00:00Z") == -1);
    CHECK(parse("2030-01-01T24:00:00Z") == -1);
    CHECK(parse("2030-01-01T00:00:00+02:00") == -1); /* UTC only */
    CHECK(parse("tomorrow") == -1);
    CHECK(parse("") == -1);
    CHECK(parse("2030-01-01T00:00:00.Z") == -1);
}

static void test_format_iso(void)
{
    char s[40];
    clock_format_iso(Y2030 + 1234, s, sizeof s);
    CHECK_STR(s, "2030-01-01T00:00:01.234Z");
    clock_format_iso(0, s, sizeof s);
    CHECK_STR(s, "1970-01-01T00:00:00.000Z");
}

static void test_flag_and_moves(void)
{
    char why[128];
    CHECK(clock_apply_flag("frozen:2030-01-01T00:00:00Z", why, sizeof why) == 0);
    CHECK(clock_is_frozen());
    CHECK(clock_now_ms() == Y2030);
    clock_advance_ms(1500);
    CHECK(clock_now_ms() == Y2030 + 1500);
    clock_set_ms(Y2030);
    CHECK(clock_now_ms() == Y2030);
    clock_freeze(false);
    CHECK(!clock_is_frozen());
    int64_t now = clock_now_ms();
    CHECK(now >= Y2030 && now < Y2030 + 60000); /* runs on from where it stood */
    CHECK(clock_apply_flag("2030-01-01T00:00:00Z", why, sizeof why) == 0);
    CHECK(!clock_is_frozen() && clock_now_ms() >= Y2030 && clock_now_ms() < Y2030 + 60000);
    CHECK(clock_apply_flag("1893456000000", why, sizeof why) == 0); /* epoch ms */
    CHECK(clock_now_ms() >= Y2030);
    CHECK(clock_apply_flag("frozen", why, sizeof why) == 0 && clock_is_frozen());
    CHECK(clock_apply_flag("tomorrow", why, sizeof why) == -1);
    CHECK(clock_apply_flag("frozen:never", why, sizeof why) == -1);
    CHECK(clock_apply_flag("frozenx", why, sizeof why) == -1);
    CHECK(clock_apply_flag("", why, sizeof why) == -1);
}

int main(void)
{
    RUN(test_parse_iso);
    RUN(test_format_iso);
    RUN(test_flag_and_moves);
    return check_done();
}
