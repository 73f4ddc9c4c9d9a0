/* admin_imports.h - an import's error records (route in admin.c):
 *   GET /_ddbd/imports/<import id>/errors
 *       {"logGroupName": "/aws-dynamodb/imports", "logStreamName":
 *        "<import id>/error", "events": [{"timestamp", "message",
 *        "ingestionTime"}, ...]}
 * the events AWS writes to CloudWatch Logs for an import's items that
 * failed (jobs/import_jobs.h), in the shape of CloudWatch's GetLogEvents
 * answer; 404 for an unknown import. */
#ifndef DDBD_ADMIN_IMPORTS_H
#define DDBD_ADMIN_IMPORTS_H

#include "api/admin_call.h"

void admin_import_errors(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

#endif
