/* test_dynamodb_local.c - DynamoDB Local's command line rewritten into
 * ddbd's (app/dynamodb_local.h), and the status line ddbd health accepts. */
#include <stdio.h>
#include <string.h>

#include "app/dynamodb_local.h"
#include "app/health.h"
#include "check.h"

/* A few of ddbd's own options, as main.c declares them. */
static const struct option native[] = {
    {"port", required_argument, NULL, 1},
    {"host", required_argument, NULL, 2},
    {"data-dir", required_argument, NULL, 3},
    {"in-memory", no_argument, NULL, 4},
    {"shared-db", no_argument, NULL, 5},
    {"help", no_argument, NULL, 6},
    {NULL, 0, NULL, 0},
};

static dl_args_t args;
static char why[512];
static char joined[1024];

/* Rewrites the space-separated words (after "ddbd") and returns the result
 * joined by spaces, or "ERROR: why". */
static const char *rw(const char *line)
{
    static char copy[1024];
    char *argv[64] = {"ddbd"};
    int argc = 1;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *w = strtok(copy, " "); w && argc < 63; w = strtok(NULL, " "))
        argv[argc++] = w;
    dl_args_free(&args);
    if (dl_args_rewrite(argc, argv, native, &args, why, sizeof why) != 0) {
        snprintf(joined, sizeof joined, "ERROR: %s", why);
        return joined;
    }
    joined[0] = '\0';
    for (int i = 1; i < args.argc; i++)
        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i > 1 ? " " : "", args.argv[i]);
    CHECK(args.argv[args.argc] == NULL);
    return joined;
}

static void test_local_flags(void)
{
    CHECK_STR(rw("-port 8001 -inMemory -sharedDb"), "--port 8001 --in-memory --shared-db");
    CHECK(args.local_style && !args.help);
    CHECK_STR(rw("-dbPath /var/db -sharedDb"), "--data-dir /var/db --shared-db");
    CHECK_STR(rw("-version"), "--version");
    CHECK_STR(rw("-inMemory -delayTransientStatuses -disableTelemetry"), "--in-memory");
    CHECK_STR(rw("-dbPath d -optimizeDbBeforeStartup"), "--data-dir d");
    CHECK_STR(rw("-port 1 -port 2 -dbPath a -dbPath b"), "--port 1 --data-dir a"); /* the first wins */
    CHECK_STR(rw("-inMemory -cors http://a.example,http://b.example"),
              "--in-memory --cors http://a.example,http://b.example");
    rw("-help");
    CHECK(args.help);
}

static void test_java_command_lines(void)
{
    CHECK_STR(rw("-jar DynamoDBLocal.jar -sharedDb -dbPath ./data"), "--shared-db --data-dir ./data");
    CHECK_STR(rw("java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory"), "--in-memory");
    CHECK_STR(rw("/usr/bin/java -Xmx256m -XX:+UseG1GC -server -jar /opt/DynamoDBLocal.jar -port 9000 -inMemory"),
              "--port 9000 --in-memory");
    CHECK_STR(rw("java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* "
                 "com.amazonaws.services.dynamodbv2.local.main.ServerRunner -inMemory"),
              "--in-memory");
    /* the image's entrypoint puts --host first */
    CHECK_STR(rw("--host 0.0.0.0 java -jar DynamoDBLocal.jar -inMemory -sharedDb"),
              "--host 0.0.0.0 --in-memory --shared-db");
    /* JVM options belong before -jar; after it they are the program's, unknown */
    CHECK(strncmp(rw("-jar DynamoDBLocal.jar -Xmx1g"), "ERROR: unknown option -Xmx1g", 28) == 0);
    CHECK_STR(rw("-jar"), "ERROR: -jar wants a path (as in -jar DynamoDBLocal.jar)");
}

/* Without -dbPath or -inMemory DynamoDB Local keeps its data in the working
 * directory; ddbd's own flags keep ddbd's default (./data). */
static void test_default_store(void)
{
    CHECK_STR(rw("-jar DynamoDBLocal.jar -sharedDb"), "--data-dir . --shared-db");
    CHECK_STR(rw("-port 8001"), "--data-dir . --port 8001");
    CHECK_STR(rw("-sharedDb --data-dir /x"), "--shared-db --data-dir /x");
    CHECK_STR(rw("-sharedDb --in-memory"), "--shared-db --in-memory");
    CHECK_STR(rw("--port 0 --shared-db"), "--port 0 --shared-db");
    CHECK(!args.local_style);
    CHECK_STR(rw(""), "");
}

static void test_native_untouched(void)
{
    /* a value of ddbd's own options is never read as a DynamoDB Local word */
    CHECK_STR(rw("--data-dir -inMemory"), "--data-dir -inMemory");
    CHECK_STR(rw("--data -port"), "--data -port"); /* getopt_long's unique prefix */
    CHECK_STR(rw("--data-dir=-x -inMemory"), "--data-dir=-x --in-memory");
    CHECK_STR(rw("--in-memory -port 1"), "--in-memory --port 1");
    CHECK_STR(rw("-- -port"), "-- -port");
    CHECK_STR(rw("-sharedDb stray"), "--data-dir . --shared-db stray"); /* ddbd's parser refuses "stray" */
    CHECK_STR(rw("-port 1 java"), "--data-dir . --port 1 java"); /* java only comes first */
}

static void test_errors(void)
{
    CHECK(strncmp(rw("-bogus"), "ERROR: unknown option -bogus (DynamoDB Local's options: -port", 61) == 0);
    CHECK(strncmp(rw("-p 8000"), "ERROR: unknown option -p ", 25) == 0);
    CHECK(strncmp(rw("-dbpath x"), "ERROR: unknown option -dbpath ", 30) == 0); /* case matters, as in Local */
    CHECK_STR(rw("-port"), "ERROR: Missing argument for option: port");
    CHECK_STR(rw("-inMemory -dbPath x"), "ERROR: dbPath and inMemory cannot be set at the same time.");
    CHECK_STR(rw("-inMemory -optimizeDbBeforeStartup"),
              "ERROR: optimizeDbBeforeStartup option must be used with dbPath to determine the location of "
              "database files to optimize.");
    char *many[DL_MAX_ARGS + 1];
    for (int i = 0; i <= DL_MAX_ARGS; i++)
        many[i] = "-sharedDb";
    dl_args_free(&args);
    CHECK(dl_args_rewrite(DL_MAX_ARGS + 1, many, native, &args, why, sizeof why) == -1);
    CHECK(dl_args_rewrite(DL_MAX_ARGS, many, native, &args, why, sizeof why) == 0);
    CHECK(args.argc == 4); /* ddbd --data-dir . --shared-db */
}

static void test_health_status(void)
{
#define OK(s) health_status_ok(s, strlen(s))
    CHECK(OK("HTTP/1.1 200 OK\r\n\r\nhealthy"));
    CHECK(OK("HTTP/1.0 200\r\n"));
    CHECK(OK("HTTP/1.1 200"));
    CHECK(!OK("HTTP/1.1 2000 OK\r\n"));
    CHECK(!OK("HTTP/1.1 503 Service Unavailable\r\n"));
    CHECK(!OK("HTTP/1.1 20"));
    CHECK(!OK("HTTP/2 200\r\n"));
    CHECK(!OK("http/1.1 200 OK\r\n"));
    CHECK(!OK(""));
#undef OK
}

int main(void)
{
    RUN(test_local_flags);
    RUN(test_java_command_lines);
    RUN(test_default_store);
    RUN(test_native_untouched);
    RUN(test_errors);
    RUN(test_health_status);
    dl_args_free(&args);
    return check_done();
}
