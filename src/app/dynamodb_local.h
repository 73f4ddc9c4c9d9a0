/* dynamodb_local.h - DynamoDB Local's command line, understood by ddbd, so
 * that scripts, compose files and containers written for
 *     java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -sharedDb -dbPath ./data
 * start ddbd unchanged.
 *
 * dl_args_rewrite turns such an argv into ddbd's own flags (-port N becomes
 * --port N, -dbPath DIR --data-dir DIR, ...) and drops what only the JVM
 * reads ("java", -D..., -X..., "-jar DynamoDBLocal.jar"). ddbd's own
 * --flags pass through untouched, so both styles mix: the container image
 * puts --host 0.0.0.0 before whatever it is given. */
#ifndef DDBD_APP_DYNAMODB_LOCAL_H
#define DDBD_APP_DYNAMODB_LOCAL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#define DL_MAX_ARGS 4096 /* more arguments than this are refused */

typedef struct dl_args {
    int argc;
    char **argv; /* owned array, NULL-terminated; its strings are the caller's argv's or literals */
    bool local_style; /* a word of DynamoDB Local's command line was seen */
    bool help; /* -help: print dl_help_text and exit 0 */
} dl_args_t;

/* Rewrites argv (argc words, argv[0] the program) into ddbd's native
 * command line in out. native is ddbd's getopt_long table, so the values of
 * its options are never taken for DynamoDB Local words. Returns 0, or -1
 * with the reason in why (an unknown -option, a missing value, -dbPath
 * with -inMemory, ...), out then empty. Free out with dl_args_free. */
int dl_args_rewrite(int argc, char **argv, const struct option *native, dl_args_t *out, char *why, size_t why_len);
void dl_args_free(dl_args_t *a);

/* What -help prints: DynamoDB Local's options and what ddbd does with each. */
extern const char dl_help_text[];

#endif
