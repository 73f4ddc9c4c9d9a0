/* daemon.c - start-up and shutdown order (see daemon.h).
 *
 * Start: the writer, then what hangs off it (streams' hooks, admin
 * endpoints and the TTL sweeper, index backfills a restart interrupted,
 * triggers), then the port. Stop: the port closes, background work stops
 * queueing, triggers finish their batch in flight (it needs the writer for
 * its checkpoint), the writer applies and answers everything queued, then
 * connections close as their replies drain. */
#include "app/daemon.h"

#include <arpa/inet.h>
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

/* Whether host is a loopback address: 127.0.0.0/8, ::1 (or localhost). */
static bool daemon_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strcmp(host, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static int start_services(const daemon_opts_t *o)
{
    server_env_t *env = &d.svc.env;
    *env = (server_env_t){.store = o->store,
                          .loop_catalog = catalog_cache_new(),
                          .account_id = "000000000000",
                          .shared_db = o->shared_db,
                          .loop_vectors = vcache_new(VECTOR_CACHE_BYTES)};
    if (writer_start(&d.svc.writer, o->store, d.loop) != 0) {
        log_error("cannot start the writer thread");
        return 1;
    }
    stream_attach(d.svc.writer);
    history_attach(); /* the item history behind backups and PITR */
    d.svc.admin = (admin_env_t){o->store, d.svc.writer, env, d.loop};
    d.svc.admin.access = (admin_access_t){o->admin_token, o->no_admin, !daemon_is_loopback(o->host), o->trigger_dir,
                                          o->any_trigger_target};
    d.svc.admin.seeds = o->seeds && o->seeds->set.n_tables ? o->seeds : NULL;
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
    so.max_conns = o->max_conns;
    so.header_timeout_ms = o->header_timeout_ms;
    so.body_timeout_ms = o->body_timeout_ms;
    so.idle_timeout_ms = o->idle_timeout_ms;
    so.refusal = service_refusal;
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
    vcache_free(d.svc.env.loop_vectors);
    uv_loop_close(d.loop);
    return 0;
}
