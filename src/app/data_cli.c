/* data_cli.c - ddbd snapshot|reset|dump|load on a stopped data dir, and
 * --seed at start-up (see data_cli.h). */
#include "app/data_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/dump.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "jobs/snapshots.h"
#include "storage/history.h"
#include "storage/itemstore.h"
#include "streams/stream.h"

static const char usage[] =
    "Usage:\n"
    "  ddbd snapshot save    [--data-dir DIR] [--namespace KEY/REGION] [--replace] NAME\n"
    "  ddbd snapshot restore [--data-dir DIR] NAME\n"
    "  ddbd snapshot list    [--data-dir DIR]\n"
    "  ddbd snapshot delete  [--data-dir DIR] NAME\n"
    "  ddbd reset            [--data-dir DIR] [--namespace KEY/REGION]\n"
    "  ddbd dump             [--data-dir DIR] (--namespace KEY/REGION | --shared-db) [--table T]... [--out PATH]\n"
    "  ddbd load             [--data-dir DIR] (--namespace KEY/REGION | --shared-db) [--table T] PATH...\n"
    "\n"
    "On a data dir no ddbd is serving (dump also reads a served one); --data-dir defaults to ./data.\n"
    "Without --namespace, snapshots and reset cover every namespace. dump writes TABLE.table.json and\n"
    "TABLE.items.jsonl per table into the folder --out names, or with one --table its items (DynamoDB\n"
    "JSON lines) to --out FILE or stdout. load reads what --seed reads (files or folders).\n";

typedef struct opts {
    const char *dir, *ns, *out;
    bool shared, replace;
    const char **tables;
    size_t n_tables;
} opts_t;

static const char *const commands[] = {"snapshot", "reset", "dump", "load"};

bool data_cli_is_command(const char *word)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(word, commands[i]))
            return true;
    return false;
}

static int bad_usage(const char *what)
{
    fprintf(stderr, "ddbd: %s\n%s", what, usage);
    return 2;
}

static bool namespace_ok(const char *ns)
{
    const char *slash = strchr(ns, '/');
    return slash && slash != ns && slash[1] && !strchr(slash + 1, '/') && strlen(ns) <= 200;
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    enum { O_DIR = 1, O_NS, O_SHARED, O_REPLACE, O_TABLE, O_OUT, O_HELP };
    static const struct option longopts[] = {
        {"data-dir", required_argument, NULL, O_DIR}, {"namespace", required_argument, NULL, O_NS},
        {"shared-db", no_argument, NULL, O_SHARED},   {"replace", no_argument, NULL, O_REPLACE},
        {"table", required_argument, NULL, O_TABLE},  {"out", required_argument, NULL, O_OUT},
        {"help", no_argument, NULL, O_HELP},          {NULL, 0, NULL, 0},
    };
    *o = (opts_t){.dir = "./data"};
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "", longopts, NULL)) != -1;) {
        switch (c) {
        case O_DIR: o->dir = optarg; break;
        case O_NS:
            if (!namespace_ok(optarg))
                return bad_usage("--namespace is ACCESSKEY/REGION, as the tables' clients sign them");
            o->ns = optarg;
            break;
        case O_SHARED: o->shared = true; break;
        case O_REPLACE: o->replace = true; break;
        case O_TABLE:
            o->tables = xrealloc(o->tables, (o->n_tables + 1) * sizeof *o->tables);
            o->tables[o->n_tables++] = optarg;
            break;
        case O_OUT: o->out = optarg; break;
        case O_HELP: fputs(usage, stdout); exit(0);
        default: return bad_usage("bad option");
        }
    }
    if (o->ns && o->shared)
        return bad_usage("give --namespace or --shared-db, not both");
    return 0;
}

/* create: a missing data dir is made (load); otherwise a typo must not
 * make an empty one. */
static int open_store(const opts_t *o, store_lock_t lock, bool create, store_t **out)
{
    char why[512];
    store_opts_t so = {o->dir, (size_t)32 << 30, false, lock};
    struct stat st;
    if (!create && stat(o->dir, &st) != 0)
        return fprintf(stderr, "ddbd: %s: %s\n", o->dir, strerror(errno)), 1;
    if (store_open(&so, out, why, sizeof why) != 0)
        return fprintf(stderr, "ddbd: %s\n", why), 1;
    itemstore_on_change(stream_on_write); /* loads write stream records, as any write */
    history_attach(); /* and the item history of a table with point-in-time recovery on */
    return 0;
}

static void print_json(json_t *j)
{
    char *text = xjson_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
    json_decref(j);
}

/* Runs step in one write transaction: committed when it returns 0. */
typedef int (*step_fn)(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len);

static int run_step(const opts_t *o, const char *name, step_fn step)
{
    store_t *store;
    if (open_store(o, STORE_LOCK_EXCLUSIVE, false, &store))
        return 1;
    store_txn_t *txn;
    json_t *answer = NULL;
    char why[SEED_WHY_MAX] = "";
    int rc = store_write_begin(store, &txn);
    if (!rc) {
        rc = step(txn, o, name, &answer, why, sizeof why);
        if (rc)
            store_write_abort(txn);
        else
            rc = store_write_commit(txn);
    }
    store_close(store);
    if (rc) {
        json_decref(answer);
        fprintf(stderr, "ddbd: %s\n", why[0] ? why : store_strerror(rc));
        return 1;
    }
    if (answer)
        print_json(answer);
    return 0;
}

static json_t *counts_json(const char *ns, const snapshots_counts_t *c)
{
    return json_pack("{s:o,s:I,s:I,s:I}", "Namespace", ns ? json_string(ns) : json_null(), "Tables",
                     (json_int_t)c->tables, "Items", (json_int_t)c->items, "Streams", (json_int_t)c->streams);
}

/* ---- snapshot and reset ------------------------------------------------------ */

static int step_save(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len)
{
    snapshots_counts_t c;
    int rc = snapshots_save(txn, name, o->ns, o->replace, clock_now_ms(), &c);
    if (rc == SNAPSHOTS_EXISTS)
        snprintf(why, len, "a snapshot named %s exists (--replace overwrites it)", name);
    return rc ? rc : snapshots_describe(txn, name, answer);
}

static int step_restore(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len)
{
    snapshots_counts_t c;
    int rc = snapshots_restore(txn, name, &c);
    if (rc == SNAPSHOTS_NOT_FOUND)
        snprintf(why, len, "no snapshot named %s", name);
    json_t *d = NULL;
    if (!rc && (rc = snapshots_describe(txn, name, &d)) == 0) {
        *answer = counts_json(json_string_value(json_object_get(d, "Namespace")), &c);
        json_object_set_new(*answer, "Name", json_string(name));
    }
    json_decref(d);
    return rc;
}

static int step_delete(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len)
{
    int rc = snapshots_delete(txn, name);
    if (rc == SNAPSHOTS_NOT_FOUND)
        snprintf(why, len, "no snapshot named %s", name);
    if (!rc)
        *answer = json_pack("{s:s}", "Deleted", name);
    return rc;
}

static int step_list(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len)
{
    return snapshots_describe(txn, NULL, answer);
}

static int step_reset(store_txn_t *txn, const opts_t *o, const char *name, json_t **answer, char *why, size_t len)
{
    snapshots_counts_t c;
    int rc = snapshots_reset(txn, o->ns, &c);
    if (!rc)
        *answer = counts_json(o->ns, &c);
    return rc;
}

static int snapshot_main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("snapshot wants save, restore, list or delete");
    if (!strcmp(argv[1], "--help"))
        return fputs(usage, stdout), 0;
    static const struct {
        const char *word;
        step_fn step;
        bool named;
    } subs[] = {{"save", step_save, true},
                {"restore", step_restore, true},
                {"delete", step_delete, true},
                {"list", step_list, false}};
    opts_t o;
    if (parse_opts(argc - 1, argv + 1, &o))
        return 2;
    int rc = -1;
    for (size_t i = 0; i < sizeof subs / sizeof *subs && rc < 0; i++) {
        if (strcmp(argv[1], subs[i].word) != 0)
            continue;
        int left = argc - 1 - optind;
        const char *name = left == 1 ? argv[1 + optind] : NULL;
        if (left != (subs[i].named ? 1 : 0) || (name && !snapshots_name_ok(name)))
            rc = bad_usage(subs[i].named ? "give one snapshot NAME (1-255 of A-Z a-z 0-9 . _ -)" : "no NAME here");
        else if (o.shared || o.out || o.n_tables || ((o.ns || o.replace) && subs[i].step != step_save))
            rc = bad_usage("an option this command does not take");
        else
            rc = run_step(&o, name, subs[i].step);
    }
    free(o.tables);
    return rc < 0 ? bad_usage("snapshot wants save, restore, list or delete") : rc;
}

static int reset_main(int argc, char **argv)
{
    opts_t o;
    if (parse_opts(argc, argv, &o))
        return 2;
    int rc = optind != argc || o.shared || o.out || o.n_tables || o.replace
                 ? bad_usage("reset takes --data-dir and --namespace")
                 : run_step(&o, NULL, step_reset);
    free(o.tables);
    return rc;
}

/* ---- dump and load -------------------------------------------------------------- */

static int sink_file(void *ud, const char *p, size_t n) { return fwrite(p, 1, n, ud) == n ? 0 : STORE_ERR_IO; }

/* TABLE.table.json and TABLE.items.jsonl into dir. */
static int dump_one(const inproc_t *ip, const char *dir, const char *table, uint64_t *items)
{
    buf_t def = BUF_INIT;
    err_t e;
    err_clear(&e);
    if (dump_table_json(ip, table, &def, &e))
        return fprintf(stderr, "ddbd: %s: %s\n", table, e.msg), buf_free(&def), 1;
    char *p1 = xasprintf("%s/%s.table.json", dir, table), *p2 = xasprintf("%s/%s.items.jsonl", dir, table);
    FILE *f1 = fopen(p1, "w"), *f2 = fopen(p2, "w");
    int rc = !f1 || !f2 || fwrite(def.data, 1, def.len, f1) != def.len || dump_items(ip, table, sink_file, f2, items);
    int closed1 = f1 ? fclose(f1) : 0, closed2 = f2 ? fclose(f2) : 0; /* both, whatever happened */
    if (rc || closed1 || closed2) {
        fprintf(stderr, "ddbd: cannot write %s or %s: %s\n", p1, p2, strerror(errno));
        rc = 1;
    }
    free(p1);
    free(p2);
    buf_free(&def);
    return rc;
}

static int dump_folder(const inproc_t *ip, const opts_t *o)
{
    char **names = (char **)o->tables;
    size_t n = o->n_tables;
    if (!n && dump_table_names(ip, &names, &n))
        return fprintf(stderr, "ddbd: cannot list the tables\n"), 1;
    if (mkdir(o->out, 0755) != 0 && errno != EEXIST)
        return fprintf(stderr, "ddbd: %s: %s\n", o->out, strerror(errno)), 1;
    uint64_t total = 0, items;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++, total += items)
        rc = dump_one(ip, o->out, names[i], &items);
    if (!rc)
        fprintf(stderr, "ddbd: dumped %zu tables (%llu items) of namespace '%s' into %s\n", n,
                (unsigned long long)total, ip->ns, o->out);
    if (!o->n_tables) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    return rc;
}

static int dump_table(const inproc_t *ip, const opts_t *o)
{
    FILE *f = o->out ? fopen(o->out, "w") : stdout;
    if (!f)
        return fprintf(stderr, "ddbd: %s: %s\n", o->out, strerror(errno)), 1;
    uint64_t n;
    int rc = dump_items(ip, o->tables[0], sink_file, f, &n);
    if (f != stdout && fclose(f) != 0)
        rc = rc ? rc : STORE_ERR_IO;
    if (rc == STORE_NOTFOUND)
        return fprintf(stderr, "ddbd: no table %s in namespace '%s'\n", o->tables[0], ip->ns), 1;
    if (rc)
        return fprintf(stderr, "ddbd: %s\n", store_strerror(rc)), 1;
    return 0;
}

static int dump_main(int argc, char **argv)
{
    opts_t o;
    if (parse_opts(argc, argv, &o))
        return 2;
    struct stat st;
    bool folder = o.out && (o.n_tables != 1 || (stat(o.out, &st) == 0 && S_ISDIR(st.st_mode)));
    int rc = 2;
    if (optind != argc || o.replace || (!o.ns && !o.shared))
        bad_usage("dump takes --data-dir, --namespace (or --shared-db), --table and --out");
    else if (!folder && o.n_tables != 1)
        bad_usage("dump without --table writes a folder: give --out DIR");
    else {
        store_t *store;
        store_txn_t *txn;
        rc = open_store(&o, STORE_LOCK_SHARED, false, &store);
        if (!rc && (rc = store_read_begin(store, &txn)) == 0) {
            catalog_cache_t *cache = catalog_cache_new();
            inproc_t ip;
            inproc_init(&ip, txn, cache, store, o.shared, o.shared ? "" : o.ns);
            rc = folder ? dump_folder(&ip, &o) : dump_table(&ip, &o);
            store_read_end(txn);
            catalog_cache_free(cache);
        }
        if (store)
            store_close(store);
        rc = rc ? 1 : 0;
    }
    free(o.tables);
    return rc;
}

/* Applies set to ns in one transaction; prints why and returns 1 when it
 * is refused (nothing written). */
static int apply_seeds(store_t *store, bool shared_db, const char *ns, const seed_set_t *set, seed_mode_t mode,
                       seed_counts_t *out, const char *what)
{
    store_txn_t *txn;
    char why[SEED_WHY_MAX] = "";
    int rc = store_write_begin(store, &txn);
    if (!rc) {
        catalog_cache_t *cache = catalog_cache_new();
        inproc_t ip;
        inproc_init(&ip, txn, cache, store, shared_db, ns);
        rc = seed_apply(&ip, set, mode, out, why, sizeof why);
        if (rc)
            store_write_abort(txn);
        else
            rc = store_write_commit(txn);
        catalog_cache_free(cache);
    }
    if (rc)
        fprintf(stderr, "ddbd: %s: %s (nothing was %s)\n", what, rc == -1 ? why : store_strerror(rc),
                mode == SEED_CREATE ? "seeded" : "loaded");
    return rc ? 1 : 0;
}

static int load_main(int argc, char **argv)
{
    opts_t o;
    if (parse_opts(argc, argv, &o))
        return 2;
    int rc = 2;
    seed_set_t set = {0};
    char why[SEED_WHY_MAX];
    store_t *store = NULL;
    seed_counts_t c;
    if (optind == argc || o.replace || o.out || o.n_tables > 1 || (!o.ns && !o.shared)) {
        bad_usage("load takes --data-dir, --namespace (or --shared-db), at most one --table, and PATHs");
    } else {
        rc = 0;
        for (int i = optind; i < argc && !rc; i++)
            if (seed_read_path(&set, argv[i], o.n_tables ? o.tables[0] : NULL, why, sizeof why)) {
                fprintf(stderr, "ddbd: load: %s (nothing was loaded)\n", why);
                rc = 1;
            }
        if (!rc)
            rc = open_store(&o, STORE_LOCK_EXCLUSIVE, true, &store);
        if (!rc)
            rc = apply_seeds(store, o.shared, o.shared ? "" : o.ns, &set, SEED_LOAD, &c, "load");
        if (!rc)
            print_json(json_pack("{s:s,s:I,s:I}", "Namespace", o.shared ? "" : o.ns, "TablesCreated",
                                 (json_int_t)c.created, "Items", (json_int_t)c.items));
        if (store)
            store_close(store);
    }
    seed_set_free(&set);
    free(o.tables);
    return rc;
}

int data_cli_main(int argc, char **argv)
{
    if (!strcmp(argv[0], "snapshot"))
        return snapshot_main(argc, argv);
    if (!strcmp(argv[0], "reset"))
        return reset_main(argc, argv);
    if (!strcmp(argv[0], "dump"))
        return dump_main(argc, argv);
    return load_main(argc, argv);
}

/* ---- seeding --------------------------------------------------------------------- */

int data_cli_seed_at_start(store_t *store, bool shared_db, const seed_config_t *cfg)
{
    seed_counts_t c;
    itemstore_on_change(stream_on_write); /* seeded items have stream records, as any write */
    history_attach(); /* and history, in a table with point-in-time recovery on */
    if (apply_seeds(store, shared_db, cfg->ns, &cfg->set, SEED_CREATE, &c, "--seed"))
        return 1;
    log_info("--seed: %zu tables created (%zu items), %zu already there", c.created, c.items, c.kept);
    return 0;
}
