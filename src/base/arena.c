/* arena.c - bump allocation in chained blocks. */
#include "base/arena.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ARENA_BLOCK_MIN (16 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
    arena_block_t *next;
    size_t used, cap;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

static arena_block_t *block_new(size_t cap, arena_block_t *next)
{
    arena_block_t *b = xmalloc(sizeof *b + cap);
    b->next = next;
    b->used = 0;
    b->cap = cap;
    return b;
}

void arena_init(arena_t *a)
{
    a->head = NULL;
    a->total = 0;
}

void arena_clear(arena_t *a)
{
    if (!a->head)
        return;
    arena_block_t *b = a->head;
    while (b->next) { /* keep the oldest (first) block: usually the only one */
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
    a->total = 0;
}

void arena_free(arena_t *a)
{
    arena_block_t *b = a->head;
    while (b) {
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *arena_alloc(arena_t *a, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block_t *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = ARENA_BLOCK_MIN;
        if (b && b->cap * 2 > cap)
            cap = b->cap * 2 > 4 * 1024 * 1024 ? 4 * 1024 * 1024 : b->cap * 2;
        if (cap < size)
            cap = size;
        b = a->head = block_new(cap, b);
    }
    void *p = b->data + b->used;
    b->used += size;
    a->total += size;
    return p;
}

void *arena_calloc(arena_t *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        alloc_failed(SIZE_MAX);
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

void *arena_realloc(arena_t *a, void *old, size_t old_size, size_t new_size)
{
    if (new_size <= old_size)
        return old;
    arena_block_t *b = a->head;
    size_t old_aligned = (old_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    size_t new_aligned = (new_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (old && b && (unsigned char *)old + old_aligned == b->data + b->used &&
        b->cap - b->used >= new_aligned - old_aligned) {
        b->used += new_aligned - old_aligned;
        a->total += new_aligned - old_aligned;
        return old;
    }
    void *p = arena_alloc(a, new_size);
    if (old && old_size)
        memcpy(p, old, old_size);
    return p;
}

str_t arena_strdup(arena_t *a, str_t s)
{
    char *p = arena_alloc(a, s.len + 1);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return (str_t){p, s.len};
}

char *arena_cstr(arena_t *a, str_t s) { return (char *)arena_strdup(a, s).ptr; }

/* GCC with -fsanitize=undefined instruments a NULL-fmt path and then warns
 * about it ("null format string"); fmt is never NULL here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
char *arena_printf(arena_t *a, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small) {
        memcpy(p, small, (size_t)n + 1);
        return p;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
