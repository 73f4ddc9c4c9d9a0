/* records.c - export and import records (see records.h). */
#include "model/records.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/ion.h"

void record_item_line(buf_t *b, record_format_t f, const value_t *item)
{
    if (f == RECORD_ION) {
        buf_puts(b, "$ion_1_0 {Item:");
        ion_write_item(b, item);
        buf_puts(b, "}\n");
        return;
    }
    buf_puts(b, "{\"Item\":");
    item_to_json(b, item);
    buf_puts(b, "}\n");
}

static void member(buf_t *b, record_format_t f, const char *name, const value_t *item)
{
    if (f == RECORD_ION) {
        buf_printf(b, ",%s:", name);
        ion_write_item(b, item);
    } else {
        buf_printf(b, ",\"%s\":", name);
        item_to_json(b, item);
    }
}

void record_delta_line(buf_t *b, record_format_t f, const value_t *keys, const value_t *old_item,
                       const value_t *new_item, int64_t micros, bool with_old)
{
    char ts[32];
    snprintf(ts, sizeof ts, "%" PRId64, micros);
    if (f == RECORD_ION) {
        buf_puts(b, "$ion_1_0 {Metadata:{WriteTimestampMicros:");
        ion_write_number(b, str_from_cstr(ts));
        buf_puts(b, "}");
    } else {
        buf_printf(b, "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"%s\"}}", ts);
    }
    member(b, f, "Keys", keys);
    if (with_old && old_item)
        member(b, f, "OldImage", old_item);
    if (new_item)
        member(b, f, "NewImage", new_item);
    buf_puts(b, "}\n");
}

int record_item_of_json(arena_t *a, const char *p, size_t n, value_t *item, err_t *e)
{
    json_error_t je;
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return err_set(e, ERR_VALIDATION, "Invalid JSON: %s (column %d)", je.text, je.column);
    const json_t *it = json_object_get(j, "Item");
    int rc;
    if (!json_is_object(j) || !json_is_object(it))
        rc = err_set(e, ERR_VALIDATION, "The record has no Item object");
    else
        rc = item_from_json(a, it, item, e);
    json_decref(j);
    return rc;
}

int record_item_of_ion(const value_t *top, value_t *item, err_t *e)
{
    const value_t *it = top->type == VT_M ? item_get(top, STR_LIT("Item")) : NULL;
    if (!it || it->type != VT_M)
        return err_set(e, ERR_VALIDATION, "The record has no Item struct");
    *item = *it;
    return 0;
}
