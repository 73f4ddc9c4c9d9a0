/* console.h - the built-in console's files, served under /_ddbd/console/.
 *
 * The console (console/ at the repository's root: HTML, CSS and JavaScript
 * modules) is compiled into the binary: scripts/embed-console.py turns the
 * files into console_assets.c, a table of console_asset_t, at build time.
 *
 *   GET|HEAD /_ddbd/console      -> 301 to /_ddbd/console/ (query kept)
 *   GET|HEAD /_ddbd/console/     -> index.html
 *   GET|HEAD /_ddbd/console/PATH -> the file, or 404
 * Each reply carries its content type, an ETag (a hash of the content:
 * If-None-Match gets a 304) with "Cache-Control: no-cache" (the browser
 * revalidates, so a new ddbd's console is never stale), a strict
 * Content-Security-Policy (only this origin's scripts, styles and
 * connections; no inline code, no frames), nosniff and no referrer. The
 * console reaches ddbd only through the DynamoDB API (POST /) and the
 * /_ddbd/ endpoints, like any other client. */
#ifndef DDBD_CONSOLE_H
#define DDBD_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/response.h"
#include "net/server.h"

#define CONSOLE_PATH "/_ddbd/console"

typedef struct console_asset {
    const char *path; /* relative to console/: "index.html", "js/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
    const char *etag; /* quoted, as the header carries it */
} console_asset_t;

/* The generated table (console_assets.c). */
extern const console_asset_t console_assets[];
extern const size_t console_nassets;

/* Whether path (the request target) is the console's. */
bool console_is_path(str_t target);
/* Answers hr on slot. o: the request's reply options (coding, CORS). */
void console_serve(server_slot_t *slot, const http_request_t *hr, const response_opts_t *o);

#endif
