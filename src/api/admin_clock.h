/* admin_clock.h - ddbd's clock and TTL endpoints (routes in admin.c):
 *   GET  /_ddbd/clock          {"now_ms", "now", "frozen"}
 *   POST /_ddbd/clock          {"set_ms": N} | {"set": "<ISO time>"} |
 *                              {"advance_seconds": N} | {"advance_ms": N},
 *                              optionally "frozen": true|false; answers
 *                              like GET
 *   POST /_ddbd/ttl/sweep      runs TTL expiry and stream trimming now:
 *                              {"expired": N, "trimmed": N, "now_ms": N} */
#ifndef DDBD_ADMIN_CLOCK_H
#define DDBD_ADMIN_CLOCK_H

#include "api/admin_call.h"

void admin_clock(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);
void admin_ttl_sweep(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

#endif
