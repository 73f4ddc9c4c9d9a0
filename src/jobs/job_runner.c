/* job_runner.c - one chunk at the writer at a time (see job_runner.h). */
#include "jobs/job_runner.h"

#include "base/log.h"

#define ERROR_PAUSE_MS 1000 /* before trying again after a storage error */

static void submit(job_runner_t *jr);

static void on_timer(uv_timer_t *h) { submit(h->data); }

static void chunk_done(void *ud, int rc)
{
    job_runner_t *jr = ud;
    jr->running = false;
    if (rc < -1)
        log_error("%s: %s", jr->name, store_strerror(rc));
    if (jr->stopping)
        return;
    if (rc < -1)
        uv_timer_start(&jr->timer, on_timer, ERROR_PAUSE_MS, 0);
    else if (rc == 0 || jr->again)
        uv_timer_start(&jr->timer, on_timer, jr->pause_ms, 0);
}

static void submit(job_runner_t *jr)
{
    if (jr->stopping || jr->running)
        return;
    jr->running = true;
    jr->again = false;
    writer_submit_job(jr->writer, jr->job, chunk_done, jr);
}

static void on_notify(uv_async_t *h)
{
    job_runner_t *jr = h->data;
    if (jr->running)
        jr->again = true;
    else
        submit(jr);
}

void job_runner_start(job_runner_t *jr, uv_loop_t *loop, writer_t *w, const char *name, writer_job_fn job,
                      uint64_t pause_ms)
{
    *jr = (job_runner_t){.name = name, .job = job, .pause_ms = pause_ms, .writer = w};
    uv_async_init(loop, &jr->notify, on_notify);
    uv_timer_init(loop, &jr->timer);
    jr->notify.data = jr;
    jr->timer.data = jr;
    jr->started = true;
    submit(jr);
}

void job_runner_notify(job_runner_t *jr)
{
    if (jr->started && !jr->stopping)
        uv_async_send(&jr->notify);
}

void job_runner_stop(job_runner_t *jr)
{
    jr->stopping = true;
    if (jr->started)
        uv_timer_stop(&jr->timer);
}

void job_runner_close(job_runner_t *jr)
{
    if (!jr->started)
        return;
    jr->started = false;
    uv_close((uv_handle_t *)&jr->notify, NULL);
    uv_close((uv_handle_t *)&jr->timer, NULL);
}
