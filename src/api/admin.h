/* admin.h - ddbd's own HTTP endpoints under /_ddbd/ (not DynamoDB API):
 * the router. The front door (service.c) hands every request whose path
 * starts with /_ddbd/ to admin_handle(). Routes are one row each in
 * admin.c's table: the methods, a path (exact, or a prefix when it ends in
 * '/'), and a handler from an endpoint family (admin_clock.h,
 * admin_triggers.h); handlers answer through admin_call.h. */
#ifndef DDBD_ADMIN_H
#define DDBD_ADMIN_H

#include <stdbool.h>

#include "api/admin_call.h"

bool admin_is_admin_path(str_t path);
/* Whether this request may use /_ddbd/ (README "Limits and safety"):
 * with --no-admin nothing may (404); with an admin token set, a call must
 * carry it in the X-Ddbd-Admin-Token header (token_header) or as
 * ?token= in target (401 without, 403 when wrong); without one, only a
 * ddbd listening on loopback answers (403 otherwise). Returns 0, or the
 * status with its {"error": ...} body in *body (the caller frees it). */
int admin_access_check(const admin_access_t *a, str_t target, str_t token_header, buf_t *body);
/* The console's files also take the token from the cookie it sets
 * (ADMIN_COOKIE, scoped to the console's path, so no admin endpoint ever
 * acts on a cookie a browser sends by itself). Like admin_access_check;
 * *set_cookie: a Set-Cookie value to send when the token came as ?token=
 * or the header (free it), else NULL. */
#define ADMIN_COOKIE "ddbd_admin_token"
int admin_console_access(const admin_access_t *a, str_t target, str_t token_header, str_t cookie_header, buf_t *body,
                         char **set_cookie);
/* Starts the call; done runs exactly once (maybe before this returns). */
void admin_handle(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done, void *ud);
/* Start-up and shutdown of the background work admin endpoints drive
 * (the TTL sweeper and stream trimmer timer). */
void admin_start(const admin_env_t *env);
void admin_stop(void);

#endif
