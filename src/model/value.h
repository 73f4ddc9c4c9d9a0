/* value.h - the AttributeValue model: one representation used by request
 * parsing, expressions, storage and output.
 *
 * Values live in a request arena (see arena.h) and are immutable once
 * built: an update builds new maps/lists that share unchanged children.
 * An item is a VT_M value whose members are its attributes.
 *
 * Representation:
 *   VT_S    s = UTF-8 text
 *   VT_N    s = normalized number text (number_format output), so equal
 *           numbers have equal text
 *   VT_B    s = raw bytes (already base64-decoded)
 *   VT_BOOL b
 *   VT_NULL (nothing)
 *   VT_M    m = members, in arrival order, names unique
 *   VT_L    l = elements
 *   VT_SS/VT_NS/VT_BS  l = members as VT_S/VT_N/VT_B values, unique, non-empty */
#ifndef DDBD_VALUE_H
#define DDBD_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

typedef enum vtype {
    VT_NONE = 0,
    VT_S,
    VT_N,
    VT_B,
    VT_BOOL,
    VT_NULL,
    VT_M,
    VT_L,
    VT_SS,
    VT_NS,
    VT_BS,
} vtype_t;

typedef struct value value_t;
typedef struct member member_t;

struct value {
    vtype_t type;
    union {
        str_t s;
        bool b;
        struct {
            value_t *v;
            size_t n;
        } l;
        struct {
            member_t *m;
            size_t n;
        } m;
    };
};

struct member {
    str_t name;
    value_t v;
};

/* "S", "N", ... "BS"; VT_NONE gives "". */
const char *vtype_name(vtype_t t);
/* "STRING", "NUMBER_SET", ...: the names DynamoDB's messages use. */
const char *vtype_long_name(vtype_t t);
/* Inverse of vtype_name; VT_NONE when unknown. */
vtype_t vtype_from_name(str_t name);

/* ---- wire JSON <-> value ------------------------------------------------
 * Parsing validates exactly as DynamoDB does and sets its error on failure:
 * an AttributeValue with no or several types, empty or duplicate sets,
 * numbers (via number.h), base64, nesting deeper than 32 levels. Strings
 * are copied into the arena. */
int value_from_json(arena_t *a, const json_t *j, value_t *out, err_t *e);
/* A map of name -> AttributeValue (an Item, a Key, ExpressionAttributeValues). */
int item_from_json(arena_t *a, const json_t *j, value_t *out, err_t *e);

void value_to_json(buf_t *b, const value_t *v); /* {"S":"x"} */
void item_to_json(buf_t *b, const value_t *item); /* {"a":{"S":"x"},...} */

/* ---- size, order, equality ---------------------------------------------- */
/* DynamoDB's item size: each attribute's name length plus its value's size
 * (strings and binaries by length, numbers by their significant digits,
 * one byte for BOOL/NULL, 3 bytes of overhead per map/list plus 1 per
 * element, ...). The 400 KB limit is checked against item_size(). */
size_t value_size(const value_t *v);
size_t item_size(const value_t *item);

/* Order of two scalars of one type (S, N, B): -1, 0, 1. Undefined for
 * other types; callers check types first. */
int value_cmp(const value_t *a, const value_t *b);
/* Deep equality; sets compare as sets (order ignored). */
bool value_equal(const value_t *a, const value_t *b);

/* ---- items -------------------------------------------------------------- */
/* The attribute's value, or NULL. */
const value_t *item_get(const value_t *item, str_t name);
/* A new item with name set to v (replaced or appended); item unchanged. */
value_t item_with(arena_t *a, const value_t *item, str_t name, const value_t *v);
/* A new item without name (the same item if it had none). */
value_t item_without(arena_t *a, const value_t *item, str_t name);
/* Deep copy into the arena (for values whose bytes live elsewhere). */
value_t value_copy(arena_t *a, const value_t *v);

/* ---- storage encoding ----------------------------------------------------
 * A compact binary form of a value (type byte, varint lengths, children).
 * decode validates bounds and returns -1 on malformed input; the decoded
 * strings point into the arena (copied), never into the input. */
void value_encode(buf_t *b, const value_t *v);
int value_decode(arena_t *a, const uint8_t *p, size_t n, value_t *out);

#endif
