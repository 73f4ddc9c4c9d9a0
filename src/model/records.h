/* records.h - the records of DynamoDB's export and import files: one line
 * per item, in DynamoDB JSON or Ion, as AWS's developer guide shows them
 * ("DynamoDB table export output format", "Amazon S3 import formats"):
 *
 *   full export, DynamoDB JSON   {"Item":{"pk":{"S":"a"},...}}
 *   full export, Ion             $ion_1_0 {Item:{pk:"a",...}}
 *   incremental, DynamoDB JSON   {"Metadata":{"WriteTimestampMicros":{"N":"..."}},
 *                                 "Keys":{...},"OldImage":{...},"NewImage":{...}}
 *   incremental, Ion             $ion_1_0 {Metadata:{WriteTimestampMicros:...},
 *                                 Keys:{...},OldImage:{...},NewImage:{...}}
 *
 * An incremental record has NewImage when the item exists at the window's
 * end, OldImage (view NEW_AND_OLD_IMAGES only) when it existed at its
 * start: an insert has no OldImage, a delete no NewImage. The Ion form of
 * the incremental record mirrors the JSON one (the guide shows the JSON
 * one only), WriteTimestampMicros being a number, thus an Ion decimal. */
#ifndef DDBD_RECORDS_H
#define DDBD_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "model/value.h"

typedef enum record_format { RECORD_DYNAMODB_JSON = 0, RECORD_ION } record_format_t;

/* A full export's line (with its newline). */
void record_item_line(buf_t *b, record_format_t f, const value_t *item);
/* An incremental export's line: keys, the images (NULL when absent),
 * the last write's time in microseconds; with_old: NEW_AND_OLD_IMAGES. */
void record_delta_line(buf_t *b, record_format_t f, const value_t *keys, const value_t *old_item,
                       const value_t *new_item, int64_t micros, bool with_old);

/* The item of an import record: a DynamoDB JSON line (p[0..n) without its
 * newline), or an Ion value read by ion_read. Errors set a
 * ValidationException (a record without an Item, an invalid item). */
int record_item_of_json(arena_t *a, const char *p, size_t n, value_t *item, err_t *e);
int record_item_of_ion(const value_t *top, value_t *item, err_t *e);

#endif
