/* dump.h - a namespace's tables written out in the forms seed_file.h
 * reads back: each table's definition file (TABLE.table.json:
 * describe-table's {"Table":...} with "TimeToLiveSpecification" and
 * "Tags" beside it) and its items as DynamoDB JSON lines
 * (TABLE.items.jsonl: {"Item":{...}} per line, the format of AWS's table
 * exports to S3 and imports from it). Reads only (any transaction). */
#ifndef DDBD_DUMP_H
#define DDBD_DUMP_H

#include <stdint.h>

#include "api/inproc.h"

/* Where lines go: returns 0, or non-zero to stop (returned as is). */
typedef int (*dump_sink_fn)(void *ud, const char *p, size_t n);

/* The items of table name in ip's namespace, one line each, in Scan's
 * order. Returns 0, STORE_NOTFOUND (no such table), a sink's result or a
 * STORE_ERR_*. */
int dump_items(const inproc_t *ip, const char *name, dump_sink_fn sink, void *ud, uint64_t *count);

/* The definition file's JSON of table name (out); -1 with e set. */
int dump_table_json(const inproc_t *ip, const char *name, buf_t *out, err_t *e);

/* The table names of ip's namespace (malloc'ed, each and the array). */
int dump_table_names(const inproc_t *ip, char ***names, size_t *n);

#endif
