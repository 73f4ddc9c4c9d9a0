/* json_fast.h - jansson's json_loadb for request bodies, at a fraction of
 * its cost.
 *
 * jansson reads its input a byte at a time through a stream callback and
 * copies every token into a buffer before parsing it: for a small request
 * that is most of the time the front door spends on it. json_fast_loadb
 * returns exactly what json_loadb(buf, len, 0, NULL) returns: it builds the
 * document with jansson's own constructors, in the order jansson's parser
 * calls them (so duplicate keys, key order and every value come out the
 * same), for the inputs it reads itself: strings of printable ASCII with
 * the short escapes (\" \\ \/ \b \f \n \r \t), integers of up to 18
 * digits, true, false, null, objects and arrays nested up to
 * JSON_FAST_MAX_DEPTH. Anything else (a \u escape, a byte of 0x80 or more,
 * a fraction or an exponent, deeper nesting, any syntax error) is handed
 * whole to json_loadb, whose answer, document or NULL, is returned.
 *
 * Any thread. The result is a new reference (NULL on a malformed input). */
#ifndef DDBD_JSON_FAST_H
#define DDBD_JSON_FAST_H

#include <jansson.h>
#include <stddef.h>

#define JSON_FAST_MAX_DEPTH 64

json_t *json_fast_loadb(const char *buf, size_t len);

/* Tests only: the fast reader alone, NULL where json_fast_loadb hands the
 * input to jansson. */
json_t *json_fast_read(const char *buf, size_t len);

#endif
