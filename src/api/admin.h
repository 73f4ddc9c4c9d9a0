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
/* Starts the call; done runs exactly once (maybe before this returns). */
void admin_handle(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done, void *ud);
/* Start-up and shutdown of the background work admin endpoints drive
 * (the TTL sweeper and stream trimmer timer). */
void admin_start(const admin_env_t *env);
void admin_stop(void);

#endif
