/* test_items.h - an item from JSON text, for unit tests that need items
 * (keys, indexes). A bad literal is reported and gives an empty map. */
#ifndef DDBD_TEST_ITEMS_H
#define DDBD_TEST_ITEMS_H

#include <jansson.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/err.h"
#include "model/value.h"

static inline value_t test_item(arena_t *a, const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    value_t v = {.type = VT_M};
    err_t e = {0};
    if (!j || item_from_json(a, j, &v, &e) < 0)
        fprintf(stderr, "bad test item %s: %s %s\n", text, je.text, e.msg);
    json_decref(j);
    return v;
}

#endif
