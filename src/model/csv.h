/* csv.h - CSV records for DynamoDB's import (RFC 4180 with a chosen
 * delimiter).
 *
 * A record ends at a line feed (a CR before it is dropped); a field may be
 * quoted with '"', and then holds delimiters, line breaks and doubled
 * quotes (""). A quote inside an unquoted field is an ordinary character;
 * after a closing quote only the delimiter or the end of the record may
 * follow. Empty lines are skipped (our choice: they hold no item). As with
 * Ion (ion.h), records arrive in pieces and the reader says when it needs
 * more bytes. */
#ifndef DDBD_CSV_H
#define DDBD_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

#define CSV_MAX_RECORD_BYTES (4u * 1024 * 1024)
#define CSV_MAX_FIELDS 10000

enum { CSV_RECORD = 0, CSV_END = 1, CSV_NEED_MORE = 2 };

typedef struct csv_record {
    str_t *fields; /* in the arena */
    size_t n;
} csv_record_t;

/* The next record of p[0..n) (fields copied into a, quotes removed), or
 * CSV_END when only empty lines remained, or CSV_NEED_MORE (eof false and
 * the record may go on); *used: bytes consumed. Errors (-1) set a
 * ValidationException. */
int csv_read(arena_t *a, const char *p, size_t n, bool eof, char delim, size_t *used, csv_record_t *out, err_t *e);

#endif
