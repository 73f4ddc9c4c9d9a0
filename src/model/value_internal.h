/* value_internal.h - what value.c and value_json.c share. Private to
 * model/. */
#ifndef DDBD_VALUE_INTERNAL_H
#define DDBD_VALUE_INTERNAL_H

/* An item is nesting level 1, its attributes' maps and lists level 2, and
 * DynamoDB accepts containers down to level 32 (checked against DynamoDB
 * Local: 31 maps nested in an attribute pass, 32 fail). */
#define VALUE_MAX_LEVEL 32
/* Decoding accepts one level more, so a lone attribute value at the top
 * (level 1 instead of 2) decodes too; storage never holds deeper values. */
#define VALUE_DECODE_MAX_LEVEL (VALUE_MAX_LEVEL + 1)
/* Recursion guard for functions over values that were already validated. */
#define VALUE_WALK_MAX (VALUE_MAX_LEVEL + 8)
/* Above this many members, equality sorts instead of searching. */
#define VALUE_SMALL_N 16
/* Offending text quoted in a message is cut to this many bytes. */
#define MSG_QUOTE_MAX 512

#include "model/value.h"

bool value__vtype_is_set(vtype_t t);
/* A copy of s in the arena ("" stays static). */
str_t value__copy_str(arena_t *a, str_t s);
int value__str_ptr_cmp(const void *x, const void *y);
/* Whether a set's members, or a map's names, hold a duplicate. */
bool value__set_has_dup(const value_t *members, size_t n);
bool value__names_have_dup(const member_t *m, size_t n);

#endif
