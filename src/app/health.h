/* health.h - "ddbd health [--timeout SECONDS] [URL]": asks a running ddbd
 * GET URL (default http://127.0.0.1:8000/) and exits 0 when it answers 200,
 * 1 when it answers anything else, refuses the connection or stays silent
 * past the timeout (default 2 s), 2 on a bad command line. Container health
 * checks use it: the image has no curl. */
#ifndef DDBD_APP_HEALTH_H
#define DDBD_APP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#define HEALTH_DEFAULT_URL "http://127.0.0.1:8000/"
#define HEALTH_DEFAULT_TIMEOUT_MS 2000
#define HEALTH_MAX_RESPONSE 4096 /* bytes of the response read; the status line is in the first few */

/* argv[0] is "health". Returns the exit code. */
int health_main(int argc, char **argv);

/* True when the n bytes of resp start with an HTTP/1.x status line whose
 * status is 200. */
bool health_status_ok(const char *resp, size_t n);

#endif
