/* arena.h - per-request memory.
 *
 * Everything allocated for one request comes from its arena and is freed at
 * once by arena_clear() when the response has been sent. Nothing allocated
 * from an arena may outlive it. An arena is used by one thread at a time:
 * a request handed to the writer thread carries its arena along. */
#ifndef DDBD_ARENA_H
#define DDBD_ARENA_H

#include <stddef.h>

#include "base/str.h"

typedef struct arena_block arena_block_t;

typedef struct arena {
    arena_block_t *head; /* newest block; older ones chained behind it */
    size_t total; /* bytes handed out since the last clear */
} arena_t;

void arena_init(arena_t *a);
/* Frees every block but the first, and rewinds it; the arena stays usable. */
void arena_clear(arena_t *a);
/* Frees everything; the arena must be arena_init()ed before reuse. */
void arena_free(arena_t *a);

/* Never returns NULL: an allocation failure aborts the process (as malloc
 * failure is not something a request can recover from). 16-byte aligned. */
void *arena_alloc(arena_t *a, size_t size);
void *arena_calloc(arena_t *a, size_t n, size_t size);
/* Grows the last allocation in place when it can, else copies. */
void *arena_realloc(arena_t *a, void *old, size_t old_size, size_t new_size);
/* A NUL-terminated copy of s (the NUL is not counted in the length). */
str_t arena_strdup(arena_t *a, str_t s);
char *arena_cstr(arena_t *a, str_t s);
/* printf into the arena; the result is NUL-terminated. */
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
