/* csv.c - CSV records (see csv.h). */
#include "model/csv.h"

#include <string.h>

#include "base/buf.h"

typedef struct fields {
    str_t *v;
    size_t n, cap;
} fields_t;

static int add_field(arena_t *a, fields_t *f, const buf_t *b, err_t *e)
{
    if (f->n == CSV_MAX_FIELDS)
        return err_set(e, ERR_VALIDATION, "A CSV record has more than %d fields", CSV_MAX_FIELDS);
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        str_t *nv = arena_calloc(a, cap, sizeof *nv);
        if (f->n)
            memcpy(nv, f->v, f->n * sizeof *nv);
        f->v = nv;
        f->cap = cap;
    }
    f->v[f->n++] = arena_strdup(a, (str_t){b->data ? b->data : "", b->len});
    return 0;
}

/* One record starting at p[i] (not an empty line): 0 with *end after its
 * line feed (or at n), CSV_NEED_MORE, or -1. */
static int record(arena_t *a, const char *p, size_t n, size_t i, bool eof, char delim, size_t *end, csv_record_t *out,
                  err_t *e)
{
    fields_t f = {0};
    buf_t b = BUF_INIT;
    int rc = 0;
    for (;;) {
        buf_reset(&b);
        if (i < n && p[i] == '"') { /* a quoted field */
            for (i++;; i++) {
                if (i == n) {
                    rc = eof ? err_set(e, ERR_VALIDATION, "A CSV field's quote is never closed") : CSV_NEED_MORE;
                    goto out;
                }
                if (p[i] != '"') {
                    buf_putc(&b, p[i]);
                    continue;
                }
                if (i + 1 == n && !eof) {
                    rc = CSV_NEED_MORE; /* a doubled quote or the end? */
                    goto out;
                }
                if (i + 1 < n && p[i + 1] == '"') {
                    buf_putc(&b, '"');
                    i++;
                    continue;
                }
                i++;
                break;
            }
            if (i < n && p[i] == '\r' && (i + 1 < n ? p[i + 1] == '\n' : !eof))
                i++;
            if (i < n && p[i] != delim && p[i] != '\n') {
                rc = err_set(e, ERR_VALIDATION, "A CSV field goes on after its closing quote");
                goto out;
            }
        } else {
            while (i < n && p[i] != delim && p[i] != '\n')
                buf_putc(&b, p[i++]);
            if (b.len && b.data[b.len - 1] == '\r' && (i < n ? p[i] == '\n' : eof))
                b.len--;
        }
        if (i == n && !eof) {
            rc = CSV_NEED_MORE;
            goto out;
        }
        if ((rc = add_field(a, &f, &b, e)) != 0)
            goto out;
        if (i == n || p[i] == '\n') {
            *end = i < n ? i + 1 : n;
            break;
        }
        i++; /* the delimiter */
    }
    out->fields = f.v;
    out->n = f.n;
out:
    buf_free(&b);
    return rc;
}

int csv_read(arena_t *a, const char *p, size_t n, bool eof, char delim, size_t *used, csv_record_t *out, err_t *e)
{
    size_t i = 0;
    for (;;) { /* empty lines */
        if (i < n && p[i] == '\n') {
            i++;
        } else if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
            i += 2;
        } else if (i < n && p[i] == '\r' && i + 1 == n && !eof) {
            *used = i;
            return CSV_NEED_MORE;
        } else {
            break;
        }
    }
    *used = i;
    if (i == n)
        return eof ? CSV_END : CSV_NEED_MORE;
    size_t end = n;
    int rc = record(a, p, n, i, eof, delim, &end, out, e);
    if (rc == CSV_NEED_MORE && n - i > CSV_MAX_RECORD_BYTES)
        return err_set(e, ERR_VALIDATION, "A CSV record is larger than %u bytes", CSV_MAX_RECORD_BYTES);
    if (rc == 0)
        *used = end;
    return rc;
}
