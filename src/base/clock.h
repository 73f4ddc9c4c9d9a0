/* clock.h - ddbd's clock: real time, or the time tests set.
 *
 * The clock is the real time plus an offset, or a frozen instant. Tests
 * move it through `--clock` and `POST /_ddbd/clock` (admin.c), so that
 * TTL expiry, iterator expiry, stream retention, shard rollover, stream
 * record times, the transaction-token window and trigger record ages can
 * be exercised without waiting. Everything time-based reads
 * clock_now_ms(); nothing else reads the system clock for those.
 *
 * Thread-safe: the state is two atomics, so reading it costs one
 * clock_gettime and two relaxed loads. */
#ifndef DDBD_CLOCK_H
#define DDBD_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Milliseconds since the epoch, as ddbd sees them. */
int64_t clock_now_ms(void);
static inline double clock_now_epoch(void) { return (double)clock_now_ms() / 1000.0; }

/* Moves the clock to ms; it keeps running from there unless frozen. */
void clock_set_ms(int64_t ms);
/* Moves the clock by delta_ms (may be negative). */
void clock_advance_ms(int64_t delta_ms);
/* Stops the clock where it is (true) or lets it run on from there (false). */
void clock_freeze(bool frozen);
bool clock_is_frozen(void);

/* The --clock argument: "<time>" starts the clock at time and lets it run;
 * "frozen:<time>" holds it there until moved; "frozen" holds it now.
 * <time> is an ISO-8601 UTC time ("2030-01-01T00:00:00Z", fractional
 * seconds allowed) or epoch milliseconds. Returns 0 or -1 (why filled). */
int clock_apply_flag(const char *arg, char *why, size_t why_len);

/* "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.250Z", "2030-01-01" (UTC)
 * -> epoch ms. Returns 0 or -1. */
int clock_parse_iso(str_t s, int64_t *out_ms);
/* epoch ms -> "2030-01-01T00:00:00.000Z" (out at least 32 bytes). */
void clock_format_iso(int64_t ms, char *out, size_t out_len);

#endif
