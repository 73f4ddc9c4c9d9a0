/* admin_faults.h - /_ddbd/faults: faults on demand (faults.h).
 *
 *   POST   /_ddbd/faults        add one: {"Error": "ThrottlingException", "TableName": "T",
 *                               "Count": 3, ...} -> 201 with the fault and its "Id"
 *   GET    /_ddbd/faults        {"Faults": [...]}: every live fault, with Hits and Remaining
 *   DELETE /_ddbd/faults        remove them all -> {"Removed": n}
 *   DELETE /_ddbd/faults/<id>   remove one (404 when there is no such fault) */
#ifndef DDBD_ADMIN_FAULTS_H
#define DDBD_ADMIN_FAULTS_H

#include "api/admin_call.h"

void admin_faults(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

#endif
