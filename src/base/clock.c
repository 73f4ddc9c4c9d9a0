/* clock.c - ddbd's controllable clock (see clock.h).
 *
 * State: an offset added to the real time, and a frozen instant
 * (CLOCK_RUNNING when the clock runs). Both are atomics so any thread reads
 * the clock without a lock; setters (admin endpoint, start-up) are rare
 * and race only with each other, where the last one wins. */
#include "base/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOCK_RUNNING INT64_MIN

static _Atomic int64_t offset_ms;
static _Atomic int64_t frozen_ms = CLOCK_RUNNING;

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
    int64_t f = atomic_load_explicit(&frozen_ms, memory_order_relaxed);
    if (f != CLOCK_RUNNING)
        return f;
    return real_ms() + atomic_load_explicit(&offset_ms, memory_order_relaxed);
}

void clock_set_ms(int64_t ms)
{
    if (atomic_load(&frozen_ms) != CLOCK_RUNNING)
        atomic_store(&frozen_ms, ms);
    else
        atomic_store(&offset_ms, ms - real_ms());
}

void clock_advance_ms(int64_t delta_ms) { clock_set_ms(clock_now_ms() + delta_ms); }

void clock_freeze(bool frozen)
{
    int64_t now = clock_now_ms();
    if (frozen) {
        atomic_store(&frozen_ms, now);
    } else if (atomic_load(&frozen_ms) != CLOCK_RUNNING) {
        atomic_store(&offset_ms, now - real_ms());
        atomic_store(&frozen_ms, CLOCK_RUNNING);
    }
}

bool clock_is_frozen(void) { return atomic_load(&frozen_ms) != CLOCK_RUNNING; }

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no time zone or libc state is involved. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= end || **p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

int clock_parse_iso(str_t s, int64_t *out_ms)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
    if (digits(&p, end, 4, &y) || p >= end || *p++ != '-' || digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
        digits(&p, end, 2, &d))
        return -1;
    if (p < end && (*p == 'T' || *p == ' ')) {
        p++;
        if (digits(&p, end, 2, &h) || p >= end || *p++ != ':' || digits(&p, end, 2, &mi))
            return -1;
        if (p < end && *p == ':') {
            p++;
            if (digits(&p, end, 2, &sec))
                return -1;
            if (p < end && *p == '.') {
                p++;
                int scale = 100;
                if (p >= end || *p < '0' || *p > '9')
                    return -1;
                for (; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
                    ms += (*p - '0') * scale;
            }
        }
    }
    if (p < end && *p == 'Z')
        p++;
    else if (p + 6 == end && (p[0] == '+' || p[0] == '-') && memcmp(p + 1, "00:00", 5) == 0)
        p = end;
    if (p != end || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
    return 0;
}

void clock_format_iso(int64_t ms, char *out, size_t out_len)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)secs * 1000));
}

/* A time given as ISO-8601 or as epoch milliseconds. */
static int parse_time(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s && !*end && end - s > 8) {
        *out = v;
        return 0;
    }
    return clock_parse_iso(str_from_cstr(s), out);
}

int clock_apply_flag(const char *arg, char *why, size_t why_len)
{
    bool frozen = strncmp(arg, "frozen", 6) == 0;
    const char *t = frozen ? arg + 6 : arg;
    if (frozen && *t == ':')
        t++;
    else if (frozen && *t) {
        snprintf(why, why_len, "--clock wants TIME, frozen or frozen:TIME, got %s", arg);
        return -1;
    }
    int64_t ms = 0;
    if (*t && parse_time(t, &ms)) {
        snprintf(why, why_len, "--clock: cannot read the time %s (want e.g. 2030-01-01T00:00:00Z)", t);
        return -1;
    }
    if (!*t && !frozen) {
        snprintf(why, why_len, "--clock wants a time");
        return -1;
    }
    if (frozen)
        clock_freeze(true); /* first, so the set below lands exactly */
    if (*t)
        clock_set_ms(ms);
    return 0;
}
