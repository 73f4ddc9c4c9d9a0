/* fuzz_cli.c - the command-line words ddbd reads beyond getopt: DynamoDB
 * Local's command line (app/dynamodb_local.h) and the status line that
 * ddbd health accepts (app/health.h).
 *
 * The input is split at newlines into argv words. Invariants: a refusal
 * says why; an accepted line gives a NULL-terminated argv of at most three
 * more words than it was given, each word either one of the input's or
 * one of the --flags ddbd's own parser reads. */
#include <string.h>

#include "app/dynamodb_local.h"
#include "app/health.h"

#include "fuzz.h"

#define FUZZ_MAX_WORDS 64

static const struct option native[] = {
    {"port", required_argument, NULL, 1},     {"host", required_argument, NULL, 2},
    {"data-dir", required_argument, NULL, 3}, {"in-memory", no_argument, NULL, 4},
    {"clock", required_argument, NULL, 5},    {NULL, 0, NULL, 0},
};

static bool is_input_word(char **argv, int argc, const char *w)
{
    for (int i = 0; i < argc; i++)
        if (argv[i] == w)
            return true;
    return false;
}

static bool is_native_word(const char *w)
{
    static const char *const words[] = {"--port",    "--in-memory", "--data-dir", "--shared-db",
                                        "--version", "--cors",      "."};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    health_status_ok((const char *)data, size);
    char *s = malloc(size + 1);
    FUZZ_ASSERT(s);
    memcpy(s, data, size);
    s[size] = '\0';
    char *argv[FUZZ_MAX_WORDS + 1] = {"ddbd"};
    int argc = 1;
    for (char *w = s, *nl; w && argc < FUZZ_MAX_WORDS; w = nl ? nl + 1 : NULL) {
        nl = strchr(w, '\n');
        if (nl)
            *nl = '\0';
        argv[argc++] = w;
    }
    dl_args_t a;
    char why[512] = "";
    if (dl_args_rewrite(argc, argv, native, &a, why, sizeof why) == 0) {
        FUZZ_ASSERT(a.argc >= 1 && a.argc <= argc + 2 && a.argv[a.argc] == NULL);
        for (int i = 1; i < a.argc; i++)
            FUZZ_ASSERT(is_input_word(argv, argc, a.argv[i]) || is_native_word(a.argv[i]));
        dl_args_free(&a);
    } else {
        FUZZ_ASSERT(why[0] != '\0' && a.argv == NULL);
    }
    free(s);
    return 0;
}
