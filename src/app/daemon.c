/* daemon.c - start-up and shutdown order (see daemon.h).
 *
 * Start: the writer, then what hangs off it (streams' hooks, admin
 * endpoints and the TTL sweeper, index backfills a restart interrupted,
 * triggers), then the port. Stop: the port closes, background work stops
 * queueing, triggers finish their batch in flight (it needs the writer for
 * its checkpoint), the writer applies and answers everything queued, then
 * connections close as their replies drain. */
#include "app/daemon.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api/admin.h"
#include "api/service.h"
#include "api/stats.h"
#include "base/log.h"
#include "jobs/backfill.h"
#include "jobs/backup_jobs.h"
#include "net/server.h"
#include "storage/history.h"
#include "storage/writer.h"
#include "streams/stream.h"

static struct {
    uv_loop_t *loop;
    uv_signal_t sigint, sigterm;
    service_env_t svc;
    bool stopping;
} d;

static void on_triggers_stopped(void *ud)
{
    (void)ud;
    writer_stop(d.svc.writer); /* applies and answers everything queued */
    backfill_close();
    backup_jobs_close();
    server_close_all();
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    if (d.stopping)
        return;
    d.stopping = true;
    log_warn("signal %d: finishing in-flight writes and stopping", signum);
    server_stop_listening();
    service_stop();
    uv_close((uv_handle_t *)&d.sigint, NULL);
    uv_close((uv_handle_t *)&d.sigterm, NULL);
    admin_stop();
    backfill_stop();
    backup_jobs_stop();
    trigger_shutdown(on_triggers_stopped, NULL);
}

static int start_services(const daemon_opts_t *o)
{
    server_env_t *env = &d.svc.env;
    *env = (server_env_t){o->store, catalog_cache_new(), "000000000000", o->shared_db};
    if (writer_start(&d.svc.writer, o->store, d.loop) != 0) {
        log_error("cannot start the writer thread");
        return 1;
    }
    stream_attach(d.svc.writer);
    history_attach(); /* the item history behind backups and PITR */
    d.svc.admin =
        (admin_env_t){o->store, d.svc.writer, env, d.loop, o->seeds && o->seeds->set.n_tables ? o->seeds : NULL};
    d.svc.cors = o->cors;
    d.svc.keys = o->keys;
    admin_start(&d.svc.admin);
    backfill_start(d.loop, d.svc.writer); /* resumes index backfills a restart interrupted */
    backup_jobs_start(d.loop, o->store, d.svc.writer); /* and backup copies and restores */
    trigger_env_t tenv = {d.loop, o->store, d.svc.writer, env->loop_catalog};
    int rc = trigger_start(&tenv, o->triggers, o->ntriggers);
    if (rc) {
        log_error("cannot load the stored triggers: %s", store_strerror(rc));
        return 1;
    }
    return 0;
}

int daemon_run(const daemon_opts_t *o)
{
    memset(&d, 0, sizeof d);
    d.loop = uv_default_loop();
    server_opts_t so = {d.loop, o->host, o->port, REQ_MAX_BODY, service_handle, &d.svc, service_too_large};
    int port;
    if (server_start(&so, &port) != 0)
        return 1;
    stats_set_info(&(stats_info_t){o->host, port, o->data_dir, o->in_memory, o->shared_db, o->keys != NULL, o->cors,
                                   o->argc, o->argv});
    if (start_services(o) != 0)
        return 1;
    uv_signal_init(d.loop, &d.sigint);
    uv_signal_init(d.loop, &d.sigterm);
    uv_signal_start(&d.sigint, on_signal, SIGINT);
    uv_signal_start(&d.sigterm, on_signal, SIGTERM);

    printf("ddbd %s listening on %s:%d\n", DDBD_VERSION, o->host, port);
    fflush(stdout);
    uv_run(d.loop, UV_RUN_DEFAULT);

    service_free();
    stats_free();
    catalog_cache_free(d.svc.env.loop_catalog);
    uv_loop_close(d.loop);
    return 0;
}
