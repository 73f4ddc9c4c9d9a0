/* trigger_destination.c - sends a dropped batch's record to a trigger's
 * on-failure destination (see trigger_destination.h). */
#include "streams/trigger_destination.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "net/httpc.h"

typedef struct fs_append {
    uv_fs_t req;
    uv_file fd;
    buf_t line;
    char *path;
} fs_append_t;

static void fs_append_free(fs_append_t *a)
{
    buf_free(&a->line);
    free(a->path);
    free(a);
}

static void on_fs_closed(uv_fs_t *req)
{
    uv_fs_req_cleanup(req);
    fs_append_free(req->data);
}

static void on_fs_written(uv_fs_t *req)
{
    fs_append_t *a = req->data;
    if (req->result < 0)
        log_error("on-failure destination %s: %s", a->path, uv_strerror((int)req->result));
    uv_fs_req_cleanup(req);
    uv_fs_close(req->loop, &a->req, a->fd, on_fs_closed);
}

static void on_fs_opened(uv_fs_t *req)
{
    fs_append_t *a = req->data;
    if (req->result < 0) {
        log_error("on-failure destination %s: %s", a->path, uv_strerror((int)req->result));
        uv_fs_req_cleanup(req);
        fs_append_free(a);
        return;
    }
    a->fd = (uv_file)req->result;
    uv_fs_req_cleanup(req);
    uv_buf_t b = uv_buf_init(a->line.data, (unsigned)a->line.len);
    uv_fs_write(req->loop, &a->req, a->fd, &b, 1, -1, on_fs_written);
}

static void on_destination_posted(void *ud, const httpc_result_t *res)
{
    char *url = ud;
    if (res->status < 200 || res->status > 299)
        log_error("on-failure destination %s: %s", url, res->error ? res->error : "non-2xx response");
    free(url);
}

void trigger_destination_send(uv_loop_t *loop, const char *dest, const char *text, uint64_t timeout_ms)
{
    if (!strncmp(dest, "http://", 7)) {
        httpc_url_t u;
        char why[256];
        if (httpc_url_parse(dest, &u, why, sizeof why) == 0)
            httpc_post(loop, &u, str_from_cstr(text), timeout_ms, on_destination_posted, xstrdup(dest));
        else
            log_error("on-failure destination %s: %s", dest, why);
        return;
    }
    fs_append_t *a = xcalloc(1, sizeof *a);
    a->path = xstrdup(dest);
    buf_puts(&a->line, text);
    buf_putc(&a->line, '\n');
    a->req.data = a;
    uv_fs_open(loop, &a->req, a->path, O_WRONLY | O_CREAT | O_APPEND, 0644, on_fs_opened);
}
