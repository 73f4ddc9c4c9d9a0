/* trigger_filter.h - Lambda event filtering (an event source mapping's
 * FilterCriteria) applied to stream records.
 *
 * FilterCriteria is {"Filters":[{"Pattern":"<JSON text>"}, ...]}: a record
 * passes when any filter's pattern matches it. A pattern is a JSON object
 * shaped like the record; at each leaf an array of conditions, any of which
 * may match the record's value there (keys of one object must all match):
 *   "x", 5, null, true          exact value ("" is the empty string)
 *   {"prefix":"a"} {"suffix":"z"} (either may be {"equals-ignore-case":"a"})
 *   {"equals-ignore-case":"a"}
 *   {"anything-but":v|[v,...]|{"prefix":..}|{"suffix":..}|{"equals-ignore-case":..}}
 *   {"numeric":[">",0,"<=",5]}  (one or two comparisons; = < <= > >=)
 *   {"exists":true|false}
 * and "$or":[pattern, pattern, ...] next to other keys. A record value that
 * is an array matches when any element does. Numbers in DynamoDB images are
 * strings ({"N":"5"}), so "numeric" matches JSON numbers only, as in Lambda.
 *
 * The compiled filter owns its memory; matching never allocates. */
#ifndef DDBD_TRIGGER_FILTER_H
#define DDBD_TRIGGER_FILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TFILTER_MAX_FILTERS 5 /* Lambda's default quota per mapping */
#define TFILTER_MAX_PATTERN_LEN 4096 /* Lambda's limit on one Pattern string */
#define TFILTER_MAX_DEPTH 32 /* nesting of a pattern (objects and $or) */

typedef struct tfilter tfilter_t;

/* Validates and compiles FilterCriteria (a JSON object). On failure returns
 * -1 and writes a message naming the fault to why. */
int tfilter_compile(const json_t *criteria, tfilter_t **out, char *why, size_t why_len);
void tfilter_free(tfilter_t *f);
/* True when the record (a JSON object) passes; a NULL filter passes all. */
bool tfilter_match(const tfilter_t *f, const json_t *record);

#endif
