/* backfill.h - fills indexes created on populated tables (UpdateTable
 * GlobalSecondaryIndexUpdates Create).
 *
 * An index in IndexStatus CREATING is maintained by every write from the
 * moment it exists; the backfill adds entries for the items written
 * before, BACKFILL_CHUNK items per internal writer job, resuming after the
 * last base key it handled ("ddbd_backfill" in the index's stored
 * description, committed with the entries), and marks the index ACTIVE
 * after the last item. It also removes the definitions of deleted
 * indexes (DELETING), whose entries UpdateTable dropped. Jobs follow one another on the loop thread with a
 * short pause so requests keep flowing. Because the position is stored,
 * a restart resumes where it stopped: backfill_start looks once. */
#ifndef DDBD_BACKFILL_H
#define DDBD_BACKFILL_H

#include <uv.h>

#include "storage/writer.h"

#define BACKFILL_CHUNK 256 /* items per write transaction */
#define BACKFILL_PAUSE_MS 2 /* between chunks */

/* Loop thread; the writer must be running. Looks for unfinished work. */
void backfill_start(uv_loop_t *loop, writer_t *w);
/* Any thread (UpdateTable's apply): there may be new work. */
void backfill_notify(void);
/* Loop thread, before writer_stop: no new jobs. */
void backfill_stop(void);
/* Loop thread, after writer_stop: closes the handles. */
void backfill_close(void);

#endif
