/* replica_view.h - a global table's replica as its region's namespace sees it.
 *
 * ddbd keeps one table per global table: its items, indexes and stream
 * live under one table id, so a write in any region is visible in every
 * region at once. The table's description is stored once, in the catalog
 * entry of its home namespace; each other region's namespace holds a link
 * under the same table name:
 *
 *   {"ddbd_replica_of":"<home namespace>", <that region's own members>}
 *
 * The region's own ("regional") members are those AWS keeps per replica:
 * TableId, CreationDateTime, tags, deletion protection, the resource
 * policy, Contributor Insights and Kinesis destinations. A lookup through
 * a link gives the home description with the link's regional members in
 * place of the home's, and "ddbd_home" naming the home namespace; storing
 * such a view splits it again (catalog_put). Everything else (key schema,
 * indexes, billing, stream, TTL) is the group's and changes for all.
 *
 * These functions only shape JSON; catalog.c stores it. */
#ifndef DDBD_REPLICA_VIEW_H
#define DDBD_REPLICA_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "base/str.h"

/* Names of the per-region members, NULL-terminated. */
extern const char *const replica_regional_members[];

/* Whether stored catalog bytes are a link (links are written with
 * "ddbd_replica_of" first, so a prefix tells). */
bool replica_is_link(str_t stored);

/* A new link to home_ns carrying the regional members of regional (may be
 * NULL). New reference. */
json_t *replica_link_new(const char *home_ns, const json_t *regional);

/* The view of a link: home's description with link's regional members and
 * "ddbd_home": home_ns. New reference. */
json_t *replica_view_merge(const json_t *home, const json_t *link, const char *home_ns);

/* Splits a view back: *link_out gets the regional members of view (and
 * "ddbd_replica_of"), *home_out the rest of view with home_current's own
 * regional members. New references. */
void replica_view_split(const json_t *view, const json_t *home_current, json_t **link_out, json_t **home_out);

/* desc without "ddbd_home", i.e. a view turned into a home description
 * (promotion). Changes desc in place. */
void replica_view_make_home(json_t *desc);

#endif
