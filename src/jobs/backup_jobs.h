/* backup_jobs.h - the long copies behind backups and restores, run as
 * writer jobs between requests.
 *
 * CreateBackup, RestoreTableFromBackup, RestoreTableToPointInTime and a
 * DeleteTable with point-in-time recovery on only record a job
 * (backup_store.h) and answer; this module then runs the jobs one chunk
 * per writer transaction (BACKUP_JOB_CHUNK items, a short pause between
 * chunks so requests keep flowing), reading the source as it was
 * (snapshot.h) and writing:
 *   - a backup copy into the backup's items; at the end the backup is
 *     AVAILABLE with its size and item count;
 *   - a restore through itemstore into the new table, so its indexes are
 *     built as the items arrive; at the end the table is ACTIVE.
 * Each chunk commits its position with its items, so a restart (even
 * kill -9) resumes where the last commit left off: backup_jobs_start looks
 * for unfinished jobs. Progress goes to the log (info).
 *
 * Tests may slow the jobs down to catch one in the middle:
 * DDBD_TEST_BACKUP_CHUNK (items per chunk) and DDBD_TEST_BACKUP_PAUSE_MS
 * (pause between chunks), read at start. */
#ifndef DDBD_BACKUP_JOBS_H
#define DDBD_BACKUP_JOBS_H

#include <uv.h>

#include "storage/store.h"
#include "storage/writer.h"

#define BACKUP_JOB_CHUNK 256 /* items per writer transaction */
#define BACKUP_JOB_PAUSE_MS 2 /* between chunks */

/* Loop thread; the writer must be running. Resumes unfinished jobs and
 * starts the history trimmer (history_trim.h). */
void backup_jobs_start(uv_loop_t *loop, store_t *store, writer_t *w);
/* Any thread (an operation's apply): a job was recorded. */
void backup_jobs_notify(void);
/* Loop thread, before writer_stop: no new writer jobs. */
void backup_jobs_stop(void);
/* Loop thread, after writer_stop: closes the handles. */
void backup_jobs_close(void);

#endif
