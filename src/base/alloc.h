/* alloc.h - the one allocation policy: memory or death.
 *
 * ddbd cannot answer a request, or keep a promise about durability, once
 * malloc fails, and LMDB's map is the only large allocation it makes.
 * So every allocation goes through these: on failure they log and abort
 * in one place, and callers never test for NULL. (h2o does the same with
 * h2o_mem_alloc.) */
#ifndef DDBD_ALLOC_H
#define DDBD_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n elements of size, checked for overflow. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* asprintf into memory of its own. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* json_dumps, which fails only when out of memory for a valid value. */
struct json_t;
char *xjson_dumps(const struct json_t *j, size_t flags);

/* The abort itself, for code that gets memory elsewhere (jansson). */
_Noreturn void alloc_failed(size_t n);

#endif
