/* history_trim.h - keeps the item history (storage/history.h) down to what
 * a restore can still ask for, and expires system backups.
 *
 * For each table with history, entries go once no restore can need them:
 *   - point-in-time recovery on: entries older than the window (the later
 *     of the enable time and now - RecoveryPeriodInDays, on ddbd's clock);
 *   - off (or the table gone): all of them, and the table's header row;
 *   - but never what a running backup copy or restore still reads (its
 *     pin, backup_store.h's jobs).
 * System backups (a table deleted with point-in-time recovery on) go 35
 * days after their creation, as on AWS. The trimmer looks every
 * HISTORY_TRIM_INTERVAL_MS in a read transaction and writes only when
 * something is due, in bounded writer jobs. Started and stopped by
 * backup_jobs.h. */
#ifndef DDBD_HISTORY_TRIM_H
#define DDBD_HISTORY_TRIM_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "storage/catalog.h"
#include "storage/store.h"
#include "storage/writer.h"

#define HISTORY_TRIM_INTERVAL_MS 5000
#define HISTORY_TRIM_STEP_MAX 2000 /* entries removed per writer job */
#define HISTORY_DAY_MS (24ll * 3600 * 1000)

/* The start of a table's restore window as its catalog JSON describes it
 * ("ddbd_pitr": {"on", "days", "since"}) at now_ms, or false when
 * point-in-time recovery is off. Shared with DescribeContinuousBackups
 * and the restore checks, so they agree with what is kept. */
bool history_window_start(const json_t *desc, int64_t now_ms, int64_t *out);

/* One bounded trimming step (writer thread, in a job's txn): *removed
 * counts what went, *more whether another step would remove more. */
int history_trim_step(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms, size_t max, uint64_t *removed,
                      bool *more);

void history_trimmer_start(uv_loop_t *loop, store_t *store, writer_t *w);
void history_trimmer_stop(void);

#endif
