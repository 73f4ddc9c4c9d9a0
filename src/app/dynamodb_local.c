/* dynamodb_local.c - DynamoDB Local's command line, rewritten into ddbd's.
 *
 * DynamoDB Local (3.x, Apache Commons CLI) takes single-dash, case-
 * sensitive options with their value in the next word (-port 8001, never
 * -port=8001); the first of a repeated option wins; without -dbPath and
 * -inMemory its data lives in the working directory. Its own error texts
 * are reused where a user may search for them. It exits 0 even on a bad
 * command line; ddbd exits 2, like for its own flags. */
#include "app/dynamodb_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

typedef enum dl_flag {
    DL_PORT,
    DL_IN_MEMORY,
    DL_DB_PATH,
    DL_SHARED_DB,
    DL_CORS,
    DL_DELAY,
    DL_OPTIMIZE,
    DL_TELEMETRY,
    DL_VERSION,
    DL_HELP,
    DL_NFLAGS
} dl_flag_t;

/* One row per DynamoDB Local option: its spelling, whether the next word
 * is its value, and the ddbd flag it becomes (NULL: accepted, nothing to
 * pass on). */
static const struct {
    const char *name;
    bool has_value;
    const char *native;
} dl_flags[DL_NFLAGS] = {
    [DL_PORT] = {"-port", true, "--port"},
    [DL_IN_MEMORY] = {"-inMemory", false, "--in-memory"},
    [DL_DB_PATH] = {"-dbPath", true, "--data-dir"},
    [DL_SHARED_DB] = {"-sharedDb", false, "--shared-db"},
    [DL_CORS] = {"-cors", true, "--cors"},
    [DL_DELAY] = {"-delayTransientStatuses", false, NULL},
    [DL_OPTIMIZE] = {"-optimizeDbBeforeStartup", false, NULL},
    [DL_TELEMETRY] = {"-disableTelemetry", false, NULL},
    [DL_VERSION] = {"-version", false, "--version"},
    [DL_HELP] = {"-help", false, NULL},
};

const char dl_help_text[] =
    "Usage: ddbd [java [JVM options] -jar DynamoDBLocal.jar] [-port N] [-inMemory | -dbPath DIR]\n"
    "            [-sharedDb] [-cors LIST] [-delayTransientStatuses] [-optimizeDbBeforeStartup]\n"
    "            [-disableTelemetry] [-version] [-help] [ddbd's own --options]\n"
    "ddbd takes DynamoDB Local's command line, so what starts DynamoDB Local can start ddbd:\n"
    "\"java\", JVM options (-D..., -X...) and \"-jar DynamoDBLocal.jar\" are skipped.\n"
    "\n"
    " -port N                    TCP port (default 8000); as --port\n"
    " -inMemory                  a temporary store removed at exit; as --in-memory\n"
    " -dbPath DIR                where the data lives, created if missing (default: the\n"
    "                            working directory, as DynamoDB Local); as --data-dir\n"
    " -sharedDb                  one set of tables for every access key and region; as --shared-db\n"
    " -cors LIST                 origins browsers may call from (ddbd's --cors; default *)\n"
    " -delayTransientStatuses    accepted; ddbd always shows transient statuses (an index is\n"
    "                            CREATING while it backfills, TTL is ENABLING for a second)\n"
    " -optimizeDbBeforeStartup   accepted (with -dbPath, as DynamoDB Local wants); LMDB needs\n"
    "                            no optimizing\n"
    " -disableTelemetry          accepted; ddbd sends no telemetry\n"
    " -version                   ddbd's version; as --version\n"
    " -help                      this text; ddbd --help lists ddbd's own options\n";

typedef struct dl_rewrite {
    dl_args_t *out;
    const struct option *native;
    bool past_jvm; /* after "-jar X" or the main class: the program's own options */
    bool classpath; /* -cp seen: the next bare word is the main class */
    bool any_word; /* a word that is not one of ddbd's --options was seen */
    bool seen[DL_NFLAGS];
    bool native_store; /* --data-dir or --in-memory given */
    char *why;
    size_t why_len;
} dl_rewrite_t;

static void push(dl_rewrite_t *r, const char *word) { r->out->argv[r->out->argc++] = (char *)word; }

static int fail(dl_rewrite_t *r, const char *fmt, const char *arg)
{
    snprintf(r->why, r->why_len, fmt, arg);
    return -1;
}

/* has_arg of ddbd's --option in word (exact name or a unique prefix, as
 * getopt_long accepts), or -1 when there is no such option. */
static int native_has_arg(const struct option *opts, const char *word, const char **name)
{
    const char *s = word + 2;
    size_t n = strcspn(s, "=");
    int found = -1, matches = 0;
    for (const struct option *o = opts; o && o->name; o++) {
        if (strncmp(o->name, s, n) != 0)
            continue;
        if (o->name[n] == '\0') {
            *name = o->name;
            return o->has_arg;
        }
        matches++;
        found = o->has_arg;
        *name = o->name;
    }
    return matches == 1 ? found : -1;
}

/* ddbd's own --option: passed on with its value, which may be the next
 * word and may start with '-'. */
static void take_native(dl_rewrite_t *r, int argc, char **argv, int *i)
{
    const char *word = argv[*i], *name = "";
    push(r, word);
    int has_arg = native_has_arg(r->native, word, &name);
    if (strcmp(name, "data-dir") == 0 || strcmp(name, "in-memory") == 0)
        r->native_store = true;
    if (has_arg == required_argument && !strchr(word, '=') && *i + 1 < argc)
        push(r, argv[++*i]);
}

static bool is_java(const char *word)
{
    const char *base = strrchr(word, '/');
    return strcmp(base ? base + 1 : word, "java") == 0;
}

/* What the JVM reads before -jar: system properties and -X options. */
static bool is_jvm_option(const char *word)
{
    return (strncmp(word, "-D", 2) == 0 && word[2]) || (strncmp(word, "-X", 2) == 0 && word[2]) ||
           strcmp(word, "-server") == 0 || strcmp(word, "-client") == 0;
}

/* The JVM's part of a java command line (java, its options, -jar X or
 * -cp X CLASS): 1 when word was consumed, 0 when it is not one, -1 on
 * error. */
static int take_jvm(dl_rewrite_t *r, int argc, char **argv, int *i)
{
    const char *word = argv[*i];
    if (r->past_jvm)
        return 0;
    if (is_java(word) && !r->any_word) {
        r->out->local_style = true;
        return 1;
    }
    if (strcmp(word, "-jar") == 0 || strcmp(word, "-cp") == 0 || strcmp(word, "-classpath") == 0) {
        if (*i + 1 >= argc)
            return fail(r, "%s wants a path (as in -jar DynamoDBLocal.jar)", word);
        ++*i;
        r->out->local_style = true;
        if (word[1] == 'j')
            r->past_jvm = true;
        else
            r->classpath = true;
        return 1;
    }
    if (r->classpath && word[0] != '-') { /* the main class: ...local.main.ServerRunner */
        r->past_jvm = true;
        return 1;
    }
    if (is_jvm_option(word)) {
        r->out->local_style = true;
        return 1;
    }
    return 0;
}

static int take_local(dl_rewrite_t *r, int argc, char **argv, int *i)
{
    const char *word = argv[*i];
    int f = 0;
    while (f < DL_NFLAGS && strcmp(dl_flags[f].name, word) != 0)
        f++;
    if (f == DL_NFLAGS)
        return fail(r,
                    "unknown option %s (DynamoDB Local's options: -port -inMemory -dbPath -sharedDb -cors "
                    "-delayTransientStatuses -optimizeDbBeforeStartup -disableTelemetry -version -help; "
                    "ddbd's own start with --, see ddbd --help)",
                    word);
    const char *value = NULL;
    if (dl_flags[f].has_value) {
        if (*i + 1 >= argc)
            return fail(r, "Missing argument for option: %s", word + 1); /* DynamoDB Local's words */
        value = argv[++*i];
    }
    r->out->local_style = true;
    r->past_jvm = true;
    bool first = !r->seen[f];
    r->seen[f] = true;
    if (!first) /* DynamoDB Local keeps the first value */
        return 0;
    if (f == DL_HELP)
        r->out->help = true;
    if (dl_flags[f].native) {
        push(r, dl_flags[f].native);
        if (value)
            push(r, value);
    }
    return 0;
}

static int rewrite_words(dl_rewrite_t *r, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        if (strcmp(word, "--") == 0) { /* the rest is positional: getopt's business */
            while (i < argc)
                push(r, argv[i++]);
            break;
        }
        if (strncmp(word, "--", 2) == 0) {
            take_native(r, argc, argv, &i);
            continue;
        }
        int rc = take_jvm(r, argc, argv, &i);
        r->any_word = true;
        if (rc < 0)
            return -1;
        if (rc > 0)
            continue;
        if (word[0] == '-' && word[1] != '\0') {
            if (take_local(r, argc, argv, &i))
                return -1;
            continue;
        }
        push(r, word); /* a stray word: ddbd's own parser refuses it */
    }
    return 0;
}

/* DynamoDB Local's rules between options, in its words. */
static int check_combination(dl_rewrite_t *r)
{
    const char *why = NULL;
    if (r->seen[DL_DB_PATH] && r->seen[DL_IN_MEMORY])
        why = "dbPath and inMemory cannot be set at the same time.";
    else if (r->seen[DL_OPTIMIZE] && !r->seen[DL_DB_PATH])
        why = "optimizeDbBeforeStartup option must be used with dbPath to determine the location of database "
              "files to optimize.";
    return why ? fail(r, "%s", why) : 0;
}

/* Without -dbPath or -inMemory DynamoDB Local keeps its data in the
 * working directory; put that first so a later --data-dir still wins. */
static void default_store(dl_rewrite_t *r)
{
    dl_args_t *o = r->out;
    if (!o->local_style || r->seen[DL_DB_PATH] || r->seen[DL_IN_MEMORY] || r->native_store || r->seen[DL_VERSION] ||
        r->seen[DL_HELP])
        return;
    memmove(o->argv + 3, o->argv + 1, (size_t)(o->argc - 1) * sizeof *o->argv);
    o->argv[1] = "--data-dir";
    o->argv[2] = ".";
    o->argc += 2;
}

int dl_args_rewrite(int argc, char **argv, const struct option *native, dl_args_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    if (argc < 1 || argc > DL_MAX_ARGS) {
        snprintf(why, why_len, "too many arguments (at most %d)", DL_MAX_ARGS);
        return -1;
    }
    out->argv = xcalloc((size_t)argc + 3, sizeof *out->argv); /* + "--data-dir" "." and NULL */
    dl_rewrite_t r = {.out = out, .native = native, .why = why, .why_len = why_len};
    push(&r, argv[0]);
    if (rewrite_words(&r, argc, argv) || check_combination(&r)) {
        dl_args_free(out);
        return -1;
    }
    default_store(&r);
    out->argv[out->argc] = NULL;
    return 0;
}

void dl_args_free(dl_args_t *a)
{
    free(a->argv);
    memset(a, 0, sizeof *a);
}
