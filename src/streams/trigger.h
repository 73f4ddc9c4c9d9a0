/* trigger.h - stream triggers: delivery of a table's stream records to a
 * local HTTP endpoint the way a Lambda event source mapping invokes a
 * DynamoDB-stream function.
 *
 * A trigger's settings use Lambda's names, defaults and limits (see
 * trigger_config.c). The engine (trigger.c) runs on the loop thread: per
 * trigger it reads the records after its checkpoint, filters them,
 * POSTs {"Records":[...]} with one batch in flight, retries failures with
 * backoff, and advances the checkpoint only after the endpoint succeeded,
 * persisting it through the writer (STORE_DB_TRIGGERS):
 *   key   trigger UUID
 *   value {"Config":{<settings, Lambda names>},"Origin":"flag|file|admin",
 *          "StreamArn":"<stream followed>","Checkpoint":"<SequenceNumber>"}
 * Delivery is at-least-once, in sequence order. */
#ifndef DDBD_TRIGGER_H
#define DDBD_TRIGGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "base/rand.h"
#include "storage/catalog.h"
#include "storage/store.h"
#include "storage/writer.h"

#define TRIGGER_UUID_LEN RAND_UUID_LEN

/* ---- settings (trigger_config.c) ----------------------------------------- */

typedef struct trigger_cfg {
    char uuid[TRIGGER_UUID_LEN + 1];
    char origin[8]; /* "flag", "file" or "admin": where it was defined */
    char *table; /* TableName */
    char *ns; /* Namespace ("ACCESSKEY/region"), NULL: any namespace */
    char *url; /* Url: http://host:port/path of the function */
    int batch_size; /* BatchSize 1..10000 (100) */
    int window_s; /* MaximumBatchingWindowInSeconds 0..300 (0) */
    bool latest; /* StartingPosition LATEST (else TRIM_HORIZON) */
    int max_retries; /* MaximumRetryAttempts -1..10000 (-1: until the record expires) */
    int max_age_s; /* MaximumRecordAgeInSeconds -1 or 60..604800 (-1: no limit) */
    bool bisect; /* BisectBatchOnFunctionError */
    bool report_failures; /* FunctionResponseTypes ["ReportBatchItemFailures"] */
    json_t *filter; /* FilterCriteria (validated), or NULL */
    char *on_failure; /* DestinationConfig.OnFailure.Destination: a file path or http:// URL */
    int timeout_s; /* Timeout 1..900 (3): the function's timeout, per request */
    bool disabled; /* Enabled false: paused, the checkpoint stays where it is */
} trigger_cfg_t;

/* From the admin endpoint's or the config file's JSON object. Unknown
 * members are refused (a typo must not silently fall back to a default).
 * Returns 0, or -1 with a message in why. An absent UUID is generated. */
int trigger_cfg_from_json(const json_t *j, trigger_cfg_t *out, char *why, size_t why_len);
/* From --trigger: "TABLE=http://host:port/path[,key=value...]" where key is
 * a Lambda name (BatchSize, StartingPosition, ...) or its short form
 * (batch, window, start, retries, max-age, bisect, report-failures,
 * on-failure, timeout, id, enabled). The UUID is derived from table and URL unless
 * id= gives one, so the same flag names the same trigger on every run. */
int trigger_cfg_from_flag(const char *spec, trigger_cfg_t *out, char *why, size_t why_len);
/* The settings as a JSON object with Lambda's names (new reference). */
json_t *trigger_cfg_to_json(const trigger_cfg_t *c);
void trigger_cfg_free(trigger_cfg_t *c);

/* A --triggers-file: {"Triggers":[{...}, ...]} or a plain list. On success
 * *out is a malloc'd array of *n settings (free each, then the array). */
int trigger_cfg_load_file(const char *path, trigger_cfg_t **out, size_t *n, char *why, size_t why_len);

/* ---- the engine (trigger.c), loop thread only ----------------------------- */

typedef struct trigger_env {
    uv_loop_t *loop;
    store_t *store;
    writer_t *writer;
    catalog_cache_t *catalog; /* the loop thread's cache */
} trigger_env_t;

/* Loads the persisted triggers, then adds or updates the given ones (from
 * flags and the config file; their checkpoints are kept), and starts
 * delivering. The array's contents are taken over (moved). */
int trigger_start(const trigger_env_t *env, trigger_cfg_t *boot, size_t nboot);

/* Clean shutdown: takes no new batch, waits (bounded) for the batches in
 * flight and their checkpoints, then calls done. */
void trigger_shutdown(void (*done)(void *ud), void *ud);

/* Around a reset or restore (jobs/snapshots.h), from before its writer job
 * is queued to after it committed: hold pauses delivery and makes the
 * batches in flight stale (their answers then change nothing: no
 * checkpoint, no retry); release gives every trigger the position the
 * store now holds for it (or its StartingPosition on the new state) and
 * resumes. Holds nest. */
void trigger_hold(void);
void trigger_release(void);

/* For the admin endpoint. done gets 0, or an HTTP status and message. */
typedef void (*trigger_op_done)(void *ud, int status, const char *msg);
/* Creates (or replaces, same UUID) a trigger (cfg is taken over); done
 * runs after it is stored. Returns 0, or 503 while shutting down (then
 * done is not called). */
int trigger_create(trigger_cfg_t *cfg, trigger_op_done done, void *ud);
/* Deletes a trigger; 404 when unknown. */
void trigger_delete(const char *uuid, trigger_op_done done, void *ud);
/* The state of one trigger (uuid) or of all (NULL) as JSON: a new
 * reference, or NULL when uuid is unknown. */
json_t *trigger_describe(const char *uuid);

#endif
