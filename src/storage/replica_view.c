/* replica_view.c - merging and splitting a replica's view (replica_view.h). */
#include "storage/replica_view.h"

#include <string.h>

/* AWS keeps these per replica (tags, PITR, the resource policy, Contributor
 * Insights and deletion protection are regional; TTL is group-wide). */
const char *const replica_regional_members[] = {
    "TableId",
    "CreationDateTime",
    "Tags",
    "DeletionProtectionEnabled",
    "ResourcePolicy",
    "StreamPolicies",
    "ContributorInsights",
    "KinesisDestinations",
    NULL,
};

static const char link_prefix[] = "{\"ddbd_replica_of\":";

bool replica_is_link(str_t stored)
{
    return stored.len >= sizeof link_prefix - 1 && memcmp(stored.ptr, link_prefix, sizeof link_prefix - 1) == 0;
}

/* Copies the regional members of from into to (those present). */
static void copy_regional(json_t *to, const json_t *from)
{
    for (int i = 0; replica_regional_members[i]; i++) {
        json_t *v = json_object_get(from, replica_regional_members[i]);
        if (v)
            json_object_set_new(to, replica_regional_members[i], json_deep_copy(v));
    }
}

static void drop_regional(json_t *o)
{
    for (int i = 0; replica_regional_members[i]; i++)
        json_object_del(o, replica_regional_members[i]);
}

json_t *replica_link_new(const char *home_ns, const json_t *regional)
{
    json_t *link = json_object();
    json_object_set_new(link, "ddbd_replica_of", json_string(home_ns));
    if (regional)
        copy_regional(link, regional);
    return link;
}

json_t *replica_view_merge(const json_t *home, const json_t *link, const char *home_ns)
{
    json_t *view = json_deep_copy(home);
    drop_regional(view);
    copy_regional(view, link);
    json_object_set_new(view, "ddbd_home", json_string(home_ns));
    return view;
}

void replica_view_split(const json_t *view, const json_t *home_current, json_t **link_out, json_t **home_out)
{
    *link_out = replica_link_new(json_string_value(json_object_get(view, "ddbd_home")), view);
    json_t *home = json_deep_copy(view);
    json_object_del(home, "ddbd_home");
    drop_regional(home);
    if (home_current)
        copy_regional(home, home_current);
    *home_out = home;
}

void replica_view_make_home(json_t *desc) { json_object_del(desc, "ddbd_home"); }
