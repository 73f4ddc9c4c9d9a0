/* main.c - ddbd's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/alloc.h"
#include "base/log.h"
#include "app/daemon.h"
#include "app/data_cli.h"
#include "app/dynamodb_local.h"
#include "app/health.h"
#include "storage/s3dir.h"
#include "storage/store.h"
#include "streams/trigger.h"
#include "jobs/ttl_sweeper.h"

static const char usage[] =
    "Usage: ddbd [options]\n"
    "A DynamoDB-compatible server for local development and tests.\n"
    "\n"
    "  --port N          TCP port to listen on (default 8000; 0 picks a free one)\n"
    "  --host ADDR       address to bind (default 127.0.0.1; 0.0.0.0 in containers)\n"
    "  --data-dir DIR    where tables live (default ./data)\n"
    "  --in-memory       keep data in a temporary directory removed at exit\n"
    "  --shared-db       one set of tables for every access key and region\n"
    "  --no-fsync        skip fsync at commit: survives a process crash, not a power cut\n"
    "  --map-size GB     address space reserved for the database (default 32)\n"
    "  --clock TIME      start ddbd's clock at TIME (ISO-8601 UTC, e.g. 2030-01-01T00:00:00Z)\n"
    "                    and let it run; --clock frozen:TIME holds it there until moved\n"
    "                    (POST /_ddbd/clock); --clock frozen holds it at the current time\n"
    "  --ttl-sweep-seconds N  how often expired TTL items are deleted and old stream\n"
    "                    records trimmed (default 5; 0: only on POST /_ddbd/ttl/sweep)\n"
    "  --s3-dir DIR      a directory that stands in for Amazon S3 (created if missing): bucket b,\n"
    "                    key k is DIR/b/k; exports write there, imports and bulk puts read there\n"
    "  --log-level L     debug (one line per request), info, warn (default), error\n"
    "  --trigger TABLE=http://HOST:PORT/PATH[,key=value...]\n"
    "                    deliver TABLE's stream records to a local function as Lambda does;\n"
    "                    keys: batch (BatchSize), window, start (TRIM_HORIZON|LATEST), retries,\n"
    "                    max-age, bisect, report-failures, on-failure (file or URL), timeout, id,\n"
    "                    enabled;\n"
    "                    repeatable; kept in the database (see /_ddbd/triggers)\n"
    "  --triggers-file F triggers from a JSON file ({\"Triggers\":[{...}]}, Lambda's setting names)\n"
    "  --auth MODE       accept (default: any signature, as DynamoDB Local) or verify\n"
    "                    (check SigV4 signatures against --credentials / --credentials-file)\n"
    "  --credentials KEY:SECRET  an access key and its secret for --auth verify (repeatable)\n"
    "  --credentials-file F      keys from F: KEY:SECRET lines or an AWS credentials file\n"
    "  --cors ORIGINS    origins browsers may call from: * (default, any), a comma-separated\n"
    "                    list (https://a.example,https://b.example), or none\n"
    "  --seed PATH       tables and items to create at start, before serving: a file or a\n"
    "                    folder of TABLE.table.json and TABLE.items.jsonl files (repeatable;\n"
    "                    tables that exist are left alone; POST /_ddbd/reset seeds again)\n"
    "  --seed-namespace KEY/REGION  the access key and region the seeded tables belong to\n"
    "                    (needed without --shared-db)\n"
    "  --help            this text\n"
    "  --version         the version\n"
    "\n"
    "DynamoDB Local's command line works too (-port N -inMemory -dbPath DIR -sharedDb ...,\n"
    "with or without \"java -jar DynamoDBLocal.jar\"): see ddbd -help.\n"
    "ddbd health [--timeout SECONDS] [URL] exits 0 when a ddbd answers GET / with 200.\n"
    "ddbd snapshot|reset|dump|load ... work on a stopped data dir: see ddbd snapshot --help.\n";

typedef struct cli {
    const char *host;
    int port;
    const char *data_dir;
    bool in_memory, shared_db, no_sync;
    size_t map_size;
    trigger_cfg_t *triggers;
    size_t ntriggers;
    const char *cors;
    bool verify;
    sigv4_keys_t keys;
    seed_config_t seeds;
    const char *seed_ns;
} cli_t;

/* Appends n settings to the command line's triggers (moved). */
static void add_triggers(cli_t *c, trigger_cfg_t *t, size_t n)
{
    c->triggers = xrealloc(c->triggers, (c->ntriggers + n) * sizeof *c->triggers);
    memcpy(c->triggers + c->ntriggers, t, n * sizeof *t);
    c->ntriggers += n;
}

static int parse_trigger_flag(cli_t *c, const char *spec)
{
    trigger_cfg_t t;
    char why[512];
    if (trigger_cfg_from_flag(spec, &t, why, sizeof why))
        return fprintf(stderr, "ddbd: --trigger: %s\n", why), 2;
    add_triggers(c, &t, 1);
    return 0;
}

static int parse_triggers_file(cli_t *c, const char *path)
{
    trigger_cfg_t *t;
    size_t n;
    char why[600];
    if (trigger_cfg_load_file(path, &t, &n, why, sizeof why))
        return fprintf(stderr, "ddbd: --triggers-file: %s\n", why), 2;
    add_triggers(c, t, n);
    free(t);
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* DynamoDB Local's command line (app/dynamodb_local.h) becomes ddbd's own;
 * the rewritten argv lives until exit, as getopt's optarg points into it. */
static int rewrite_dynamodb_local(int *argc, char ***argv, const struct option *opts, cli_t *c)
{
    static dl_args_t dl;
    char why[512];
    if (dl_args_rewrite(*argc, *argv, opts, &dl, why, sizeof why))
        return fprintf(stderr, "ddbd: %s\n", why), -1;
    if (dl.help) {
        fputs(dl_help_text, stdout);
        exit(0);
    }
    *argc = dl.argc;
    *argv = dl.argv;
    return 0;
}

static int parse_cli(int argc, char **argv, cli_t *c)
{
    enum {
        O_PORT = 1,
        O_HOST,
        O_DATA,
        O_MEM,
        O_SHARED,
        O_NOSYNC,
        O_MAP,
        O_LOG,
        O_HELP,
        O_VERSION,
        O_CLOCK,
        O_SWEEP,
        O_TRIGGER,
        O_TFILE,
        O_CORS,
        O_AUTH,
        O_CREDS,
        O_CREDS_FILE,
        O_S3DIR,
        O_SEED,
        O_SEED_NS
    };
    static const struct option opts[] = {
        {"port", required_argument, NULL, O_PORT},
        {"host", required_argument, NULL, O_HOST},
        {"data-dir", required_argument, NULL, O_DATA},
        {"in-memory", no_argument, NULL, O_MEM},
        {"shared-db", no_argument, NULL, O_SHARED},
        {"no-fsync", no_argument, NULL, O_NOSYNC},
        {"map-size", required_argument, NULL, O_MAP},
        {"log-level", required_argument, NULL, O_LOG},
        {"clock", required_argument, NULL, O_CLOCK},
        {"ttl-sweep-seconds", required_argument, NULL, O_SWEEP},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {"trigger", required_argument, NULL, O_TRIGGER},
        {"triggers-file", required_argument, NULL, O_TFILE},
        {"cors", required_argument, NULL, O_CORS},
        {"auth", required_argument, NULL, O_AUTH},
        {"credentials", required_argument, NULL, O_CREDS},
        {"credentials-file", required_argument, NULL, O_CREDS_FILE},
        {"s3-dir", required_argument, NULL, O_S3DIR},
        {"seed", required_argument, NULL, O_SEED},
        {"seed-namespace", required_argument, NULL, O_SEED_NS},
        {NULL, 0, NULL, 0},
    };
    int opt;
    long v;
    if (rewrite_dynamodb_local(&argc, &argv, opts, c))
        return 2;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case O_PORT:
            if (parse_int(optarg, 0, 65535, &v))
                return fprintf(stderr, "ddbd: --port wants 0..65535, got %s\n", optarg), 2;
            c->port = (int)v;
            break;
        case O_HOST: c->host = optarg; break;
        case O_DATA: c->data_dir = optarg; break;
        case O_MEM: c->in_memory = true; break;
        case O_SHARED: c->shared_db = true; break;
        case O_NOSYNC: c->no_sync = true; break;
        case O_MAP:
            if (parse_int(optarg, 1, 1L << 20, &v))
                return fprintf(stderr, "ddbd: --map-size wants a size in GB, got %s\n", optarg), 2;
            c->map_size = (size_t)v << 30;
            break;
        case O_LOG:
            if (log_level_parse(optarg, &log_threshold))
                return fprintf(stderr, "ddbd: --log-level wants debug, info, warn or error\n"), 2;
            break;
        case O_CLOCK: {
            char why[256];
            if (clock_apply_flag(optarg, why, sizeof why))
                return fprintf(stderr, "ddbd: %s\n", why), 2;
            break;
        }
        case O_TRIGGER:
            if (parse_trigger_flag(c, optarg))
                return 2;
            break;
        case O_TFILE:
            if (parse_triggers_file(c, optarg))
                return 2;
            break;
        case O_SWEEP:
            if (parse_int(optarg, 0, 86400, &v))
                return fprintf(stderr, "ddbd: --ttl-sweep-seconds wants 0..86400, got %s\n", optarg), 2;
            ttl_sweeper_interval((uint64_t)v * 1000);
            break;
        case O_CORS:
            if (!*optarg || strlen(optarg) > 4096)
                return fprintf(stderr, "ddbd: --cors wants *, none or a list of origins\n"), 2;
            c->cors = strcmp(optarg, "none") == 0 ? NULL : optarg;
            break;
        case O_AUTH:
            if (strcmp(optarg, "verify") != 0 && strcmp(optarg, "accept") != 0)
                return fprintf(stderr, "ddbd: --auth wants accept or verify, got %s\n", optarg), 2;
            c->verify = strcmp(optarg, "verify") == 0;
            break;
        case O_CREDS:
            if (sigv4_keys_add(&c->keys, optarg))
                return fprintf(stderr, "ddbd: --credentials wants KEY:SECRET\n"), 2;
            break;
        case O_CREDS_FILE: {
            char why[512];
            if (sigv4_keys_load(&c->keys, optarg, why, sizeof why))
                return fprintf(stderr, "ddbd: --credentials-file: %s\n", why), 2;
            break;
        }
        case O_S3DIR: {
            char why[512];
            if (s3dir_set_root(optarg, why, sizeof why))
                return fprintf(stderr, "ddbd: --s3-dir: %s\n", why), 2;
            break;
        }
        case O_SEED: {
            char why[SEED_WHY_MAX];
            if (seed_read_path(&c->seeds.set, optarg, NULL, why, sizeof why))
                return fprintf(stderr, "ddbd: --seed: %s\n", why), 2;
            break;
        }
        case O_SEED_NS: c->seed_ns = optarg; break;
        case O_HELP: fputs(usage, stdout); exit(0);
        case O_VERSION: printf("ddbd %s\n", DDBD_VERSION); exit(0);
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        return fprintf(stderr, "ddbd: unexpected argument %s\n%s", argv[optind], usage), 2;
    if (c->verify && !c->keys.n)
        return fprintf(stderr, "ddbd: --auth verify needs --credentials or --credentials-file\n"), 2;
    const char *slash = c->seed_ns ? strchr(c->seed_ns, '/') : NULL;
    if (c->seed_ns && (!slash || slash == c->seed_ns || !slash[1] || strchr(slash + 1, '/')))
        return fprintf(stderr, "ddbd: --seed-namespace wants ACCESSKEY/REGION\n"), 2;
    if (c->seeds.set.n_tables && !c->shared_db && !c->seed_ns)
        return fprintf(stderr, "ddbd: --seed needs --shared-db, or --seed-namespace ACCESSKEY/REGION (the access "
                               "key and region the clients of the seeded tables use)\n"),
               2;
    c->seeds.ns = c->shared_db ? "" : c->seed_ns ? c->seed_ns : "";
    return 0;
}

/* A fresh directory for --in-memory: tmpfs when there is one, so "in
 * memory" holds literally; removed again at exit. */
static char *make_temp_dir(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char *path = xasprintf("%s/ddbd-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

static void remove_temp_dir(const char *dir)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    for (size_t i = 0; i < 2; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "health") == 0)
        return health_main(argc - 1, argv + 1);
    if (argc > 1 && data_cli_is_command(argv[1]))
        return data_cli_main(argc - 1, argv + 1);
    cli_t c = {.host = "127.0.0.1", .port = 8000, .data_dir = "./data", .map_size = (size_t)32 << 30, .cors = "*"};
    int rc = parse_cli(argc, argv, &c);
    if (rc) {
        seed_set_free(&c.seeds.set);
        return rc;
    }
    char *temp = NULL;
    if (c.in_memory) {
        temp = make_temp_dir();
        if (!temp)
            return fprintf(stderr, "ddbd: cannot create a temporary directory: %s\n", strerror(errno)), 1;
        c.data_dir = temp;
        c.no_sync = true;
    }
    store_opts_t so = {c.data_dir, c.map_size, c.no_sync, STORE_LOCK_SHARED};
    store_t *store;
    char why[512];
    if (store_open(&so, &store, why, sizeof why) != 0) {
        fprintf(stderr, "ddbd: %s\n", why);
        if (temp)
            remove_temp_dir(temp);
        return 1;
    }
    daemon_opts_t o = {c.host,     c.port,      c.shared_db, store,
                       c.triggers, c.ntriggers, c.cors,      c.verify ? &c.keys : NULL,
                       &c.seeds,   c.data_dir,  c.in_memory, argc,
                       argv};
    rc = c.seeds.set.n_tables ? data_cli_seed_at_start(store, c.shared_db, &c.seeds) : 0;
    if (!rc)
        rc = daemon_run(&o);
    else /* refused before the server took the triggers over */
        for (size_t i = 0; i < c.ntriggers; i++)
            trigger_cfg_free(&c.triggers[i]);
    seed_set_free(&c.seeds.set);
    sigv4_keys_free(&c.keys);
    free(c.triggers); /* their contents were taken over by the server */
    store_close(store);
    s3dir_reset();
    if (temp) {
        remove_temp_dir(temp);
        free(temp);
    }
    return rc;
}
