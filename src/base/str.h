/* str.h - (pointer, length) strings used everywhere.
 *
 * A str_t never owns its bytes: whoever made it says how long they live
 * (usually "until the request's arena is cleared"). Bytes are not
 * NUL-terminated unless a function says so. */
#ifndef DDBD_STR_H
#define DDBD_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct str {
    const char *ptr;
    size_t len;
} str_t;

#define STR_LIT(s) ((str_t){(s), sizeof(s) - 1})
#define STR_NULL ((str_t){NULL, 0})
#define STR_FMT(s) (int)(s).len, (s).ptr /* printf("%.*s", STR_FMT(s)) */

static inline str_t str_from_cstr(const char *s) { return (str_t){s, s ? strlen(s) : 0}; }

static inline bool str_eq(str_t a, str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool str_eq_cstr(str_t a, const char *b) { return str_eq(a, str_from_cstr(b)); }

/* Byte-wise order, shorter first on a common prefix: DynamoDB's order for S and B. */
static inline int str_cmp(str_t a, str_t b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

#endif
