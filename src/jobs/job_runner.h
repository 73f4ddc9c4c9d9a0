/* job_runner.h - a background job that runs at the writer, chunk after chunk.
 *
 * Index backfills and backup jobs (copies, restores, exports, imports, bulk
 * puts) do their work a chunk per writer transaction, so that requests
 * interleave with them. A runner keeps one chunk at the writer at a time:
 * when a chunk's transaction has committed, the runner submits the next one
 * after a pause while the job says there is more, and sleeps otherwise until
 * notified (a request that starts work notifies it; a notification while a
 * chunk runs is kept for after it).
 *
 * The job's return value is the whole protocol: 0, a chunk was done and
 * more may follow; -1, nothing to do (nothing written); below -1, a storage
 * error: logged, and tried again after a second. The writer may run a job
 * twice (a failed batch commit), so a job keeps all its state in the
 * transaction. Loop thread, except the job itself (the writer thread) and
 * job_runner_notify (any thread). */
#ifndef DDBD_JOB_RUNNER_H
#define DDBD_JOB_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "storage/writer.h"

typedef struct job_runner {
    const char *name; /* for the log */
    writer_job_fn job; /* ud: the runner */
    uint64_t pause_ms; /* between chunks */
    writer_t *writer;
    uv_async_t notify;
    uv_timer_t timer;
    bool started, stopping;
    bool running; /* a chunk is at the writer */
    bool again; /* notified while running */
} job_runner_t;

/* Sets the runner up and submits a first chunk (work a restart
 * interrupted resumes). */
void job_runner_start(job_runner_t *jr, uv_loop_t *loop, writer_t *w, const char *name, writer_job_fn job,
                      uint64_t pause_ms);
/* Any thread: there may be new work. */
void job_runner_notify(job_runner_t *jr);
/* No new chunks after this one (the writer is about to stop). */
void job_runner_stop(job_runner_t *jr);
/* Closes the handles (after the writer has stopped). */
void job_runner_close(job_runner_t *jr);

#endif
