/* admin_snapshots.h - reset, snapshots, dump and load on a running ddbd
 * (rows of admin.c's route table):
 *
 *   POST   /_ddbd/reset                   {"namespace"?: "KEY/REGION", "seed"?: true}
 *   GET    /_ddbd/snapshots               every snapshot
 *   POST   /_ddbd/snapshots               {"name": N, "namespace"?: ..., "replace"?: false}
 *   GET    /_ddbd/snapshots/N             one
 *   POST   /_ddbd/snapshots/N/restore
 *   DELETE /_ddbd/snapshots/N
 *   GET    /_ddbd/dump?table=T[&namespace=KEY/REGION]    T's items, DynamoDB JSON lines
 *   POST   /_ddbd/load?[table=T&]namespace=KEY/REGION    a seed file as the body
 *
 * Without a namespace, reset and snapshots cover every namespace (with
 * --shared-db there is only one, and naming one is refused). Every change
 * is one writer job, one transaction: requests in flight see the store
 * before it or after it. A reset or restore holds the trigger engine
 * around its job (trigger_hold/release); a reset seeds again what --seed
 * seeded (unless "seed": false). Answers carry "ElapsedMs", from the
 * request to the commit. */
#ifndef DDBD_ADMIN_SNAPSHOTS_H
#define DDBD_ADMIN_SNAPSHOTS_H

#include "api/admin_call.h"

void admin_reset(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);
void admin_snapshots(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);
void admin_dump(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);
void admin_load(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

#endif
