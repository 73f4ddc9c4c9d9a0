/* admin_triggers.h - the /_ddbd/triggers admin endpoint (routes in admin.c):
 *   GET    /_ddbd/triggers          every trigger with its checkpoint, lag, state, last error
 *   POST   /_ddbd/triggers          create (or redefine, same UUID) from a JSON body
 *   GET    /_ddbd/triggers/<uuid>   one trigger
 *   DELETE /_ddbd/triggers/<uuid>   delete it (answers with its last state) */
#ifndef DDBD_ADMIN_TRIGGERS_H
#define DDBD_ADMIN_TRIGGERS_H

#include "api/admin_call.h"

void trigger_admin_handle(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

#endif
