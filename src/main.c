/* main.c - ddbd's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
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
    "  --map-size SIZE   address space reserved for the database at start (default 32GB;\n"
    "                    a plain number is GB, or say 64MB, 2GB, ...)\n"
    "  --max-size SIZE   let a full database grow its map up to SIZE (default: no limit\n"
    "                    but the disk); past it writes fail with InternalServerError\n"
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
    "  --max-connections N  open connections at most (default 10000, or what the open-file\n"
    "                    limit allows); beyond it a client gets 503 and is closed\n"
    "  --header-timeout S  seconds a request's headers may take (default 10; 0: no limit): 408\n"
    "  --body-timeout S  seconds a request's body may take after its headers (default 60): 408\n"
    "  --idle-timeout S  close a keep-alive connection idle this long, or whose client reads\n"
    "                    none of its replies this long (default 120)\n"
    "  --admin-token TOKEN  required on every /_ddbd/ call (X-Ddbd-Admin-Token or ?token=);\n"
    "                    without one, /_ddbd/ answers only when ddbd listens on loopback\n"
    "  --admin-token-file F  the admin token from the first line of F\n"
    "  --no-admin        turn /_ddbd/ off (404)\n"
    "  --trigger-dir DIR  the folder triggers created at run time may write on-failure files in\n"
    "  --allow-any-trigger-target  let run-time triggers use any URL and any file (default:\n"
    "                    loopback URLs and --trigger-dir only)\n"
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
    size_t max_size;
    long max_conns; /* -1: the default */
    double header_timeout, body_timeout, idle_timeout;
    const char *admin_token, *trigger_dir;
    char *admin_token_owned; /* read from --admin-token-file */
    bool no_admin, any_trigger_target;
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

/* A size: a plain number is GB (as --map-size always took), or with a
 * unit: 64MB, 2GB, 1TB (powers of 1024). */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || v == 0)
        return -1;
    unsigned shift = 30;
    if (!strcasecmp(end, "KB"))
        shift = 10;
    else if (!strcasecmp(end, "MB"))
        shift = 20;
    else if (!strcasecmp(end, "TB"))
        shift = 40;
    else if (*end && strcasecmp(end, "GB"))
        return -1;
    if (v > (1ull << 50) >> shift)
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 86400))
        return -1;
    *out = v;
    return 0;
}

/* A token is sent in a header and a query string: printable, no spaces. */
static int check_token(const char *t)
{
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i++)
        if (t[i] <= ' ' || t[i] > '~' || t[i] == '&' || t[i] == '%' || t[i] == '#')
            return fprintf(stderr, "ddbd: the admin token must be printable ASCII without spaces, &, %% or #\n"), -1;
    if (n < 8 || n > 512)
        return fprintf(stderr, "ddbd: the admin token must have 8 to 512 characters\n"), -1;
    return 0;
}

static int read_token_file(cli_t *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fprintf(stderr, "ddbd: --admin-token-file %s: %s\n", path, strerror(errno)), -1;
    char line[600] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (check_token(line))
        return -1;
    free(c->admin_token_owned);
    c->admin_token = c->admin_token_owned = xstrdup(line);
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
        O_MAX_SIZE,
        O_MAX_CONNS,
        O_HEADER_TIMEOUT,
        O_BODY_TIMEOUT,
        O_IDLE_TIMEOUT,
        O_ADMIN_TOKEN,
        O_ADMIN_TOKEN_FILE,
        O_NO_ADMIN,
        O_TRIGGER_DIR,
        O_ANY_TRIGGER_TARGET,
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
        {"max-size", required_argument, NULL, O_MAX_SIZE},
        {"max-connections", required_argument, NULL, O_MAX_CONNS},
        {"header-timeout", required_argument, NULL, O_HEADER_TIMEOUT},
        {"body-timeout", required_argument, NULL, O_BODY_TIMEOUT},
        {"idle-timeout", required_argument, NULL, O_IDLE_TIMEOUT},
        {"admin-token", required_argument, NULL, O_ADMIN_TOKEN},
        {"admin-token-file", required_argument, NULL, O_ADMIN_TOKEN_FILE},
        {"no-admin", no_argument, NULL, O_NO_ADMIN},
        {"trigger-dir", required_argument, NULL, O_TRIGGER_DIR},
        {"allow-any-trigger-target", no_argument, NULL, O_ANY_TRIGGER_TARGET},
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
            if (parse_size(optarg, &c->map_size))
                return fprintf(stderr, "ddbd: --map-size wants a size (GB, or 64MB, 2GB...), got %s\n", optarg), 2;
            break;
        case O_MAX_SIZE:
            if (parse_size(optarg, &c->max_size))
                return fprintf(stderr, "ddbd: --max-size wants a size (GB, or 64MB, 2GB...), got %s\n", optarg), 2;
            break;
        case O_MAX_CONNS:
            if (parse_int(optarg, 1, 1000000, &v))
                return fprintf(stderr, "ddbd: --max-connections wants 1..1000000, got %s\n", optarg), 2;
            c->max_conns = v;
            break;
        case O_HEADER_TIMEOUT:
        case O_BODY_TIMEOUT:
        case O_IDLE_TIMEOUT:
            if (parse_seconds(optarg, opt == O_HEADER_TIMEOUT ? &c->header_timeout
                                      : opt == O_BODY_TIMEOUT ? &c->body_timeout
                                                              : &c->idle_timeout))
                return fprintf(stderr, "ddbd: --%s-timeout wants seconds (0..86400), got %s\n",
                               opt == O_HEADER_TIMEOUT ? "header"
                               : opt == O_BODY_TIMEOUT ? "body"
                                                       : "idle",
                               optarg),
                       2;
            break;
        case O_ADMIN_TOKEN:
            if (check_token(optarg))
                return 2;
            c->admin_token = optarg;
            break;
        case O_ADMIN_TOKEN_FILE:
            if (read_token_file(c, optarg))
                return 2;
            break;
        case O_NO_ADMIN: c->no_admin = true; break;
        case O_TRIGGER_DIR: c->trigger_dir = optarg; break;
        case O_ANY_TRIGGER_TARGET: c->any_trigger_target = true; break;
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

/* Open files: the soft limit is raised to the hard one (each connection
 * is a descriptor). The default connection limit is 10,000, or what the
 * limit leaves after LMDB, the listener and triggers' clients (128). */
static size_t connection_limit(long asked)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (asked > 0)
        return (size_t)asked;
    size_t room = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 10128 ? 10128 : (size_t)rl.rlim_cur;
    return room > 256 ? room - 128 : 128;
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
    cli_t c = {.host = "127.0.0.1",
               .port = 8000,
               .data_dir = "./data",
               .map_size = (size_t)32 << 30,
               .cors = "*",
               .max_conns = -1,
               .header_timeout = 10,
               .body_timeout = 60,
               .idle_timeout = 120};
    int rc = parse_cli(argc, argv, &c);
    if (rc) {
        seed_set_free(&c.seeds.set);
        return rc;
    }
    if (c.max_size && c.max_size < c.map_size)
        c.map_size = c.max_size;
    size_t max_conns = connection_limit(c.max_conns);
    char *temp = NULL;
    if (c.in_memory) {
        temp = make_temp_dir();
        if (!temp)
            return fprintf(stderr, "ddbd: cannot create a temporary directory: %s\n", strerror(errno)), 1;
        c.data_dir = temp;
        c.no_sync = true;
    }
    store_opts_t so = {c.data_dir, c.map_size, c.no_sync, STORE_LOCK_SERVER};
    so.max_size = c.max_size;
    store_t *store;
    char why[512];
    if (store_open(&so, &store, why, sizeof why) != 0) {
        fprintf(stderr, "ddbd: %s\n", why);
        if (temp)
            remove_temp_dir(temp);
        return 1;
    }
    daemon_opts_t o = {c.host, c.port, c.shared_db, store, c.triggers, c.ntriggers, c.cors, c.verify ? &c.keys : NULL};
    o.seeds = &c.seeds;
    o.data_dir = c.data_dir;
    o.in_memory = c.in_memory;
    o.argc = argc;
    o.argv = argv;
    o.max_conns = max_conns;
    o.header_timeout_ms = (uint64_t)(c.header_timeout * 1000);
    o.body_timeout_ms = (uint64_t)(c.body_timeout * 1000);
    o.idle_timeout_ms = (uint64_t)(c.idle_timeout * 1000);
    o.admin_token = c.admin_token;
    o.no_admin = c.no_admin;
    o.trigger_dir = c.trigger_dir;
    o.any_trigger_target = c.any_trigger_target;
    rc = c.seeds.set.n_tables ? data_cli_seed_at_start(store, c.shared_db, &c.seeds) : 0;
    if (!rc)
        rc = daemon_run(&o);
    else /* refused before the server took the triggers over */
        for (size_t i = 0; i < c.ntriggers; i++)
            trigger_cfg_free(&c.triggers[i]);
    seed_set_free(&c.seeds.set);
    free(c.admin_token_owned);
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
