/* seed_file.h - seed and load files: tables and items read from disk
 * (--seed, ddbd load), turned into the bodies of the requests that create
 * them (CreateTable, UpdateTimeToLive, PutItem); seed.h runs those.
 *
 * A path is a file or a folder. In a folder every file whose name ends in
 * .json, .jsonl, .json.gz or .jsonl.gz is read, in name order (others,
 * and names starting with '.', are skipped; subfolders are not entered):
 *
 *   TABLE.items.jsonl[.gz]  the items of TABLE, one per line: DynamoDB
 *   TABLE.items.json[.gz]   JSON as AWS's table exports write it
 *                           ({"Item":{"pk":{"S":"a"}}}, an object whose one
 *                           member is "Item") or plain JSON ({"pk":"a",
 *                           "n":1}: strings, numbers, booleans, null, lists
 *                           and maps); a file starting with '[' is one JSON
 *                           array of such items
 *   anything else .json     a table: CreateTable's input (as
 *                           `aws dynamodb create-table --cli-input-json`
 *                           takes it), or `aws dynamodb describe-table`'s
 *                           output ({"Table":{...}}, also create-table's
 *                           {"TableDescription":{...}}); beside the table
 *                           it may hold "TimeToLiveSpecification"
 *                           (UpdateTimeToLive's) and "Items" (a list of
 *                           items as above), and with {"Table":...} also
 *                           "Tags". Or a BatchWriteItem request
 *                           ({"TABLE":[{"PutRequest":{"Item":{...}}}]}, as
 *                           `aws dynamodb batch-write-item --request-items`
 *                           takes it): items of those tables.
 *
 * Limits: a file of at most SEED_FILE_MAX bytes (after gunzip), an item
 * line of at most SEED_LINE_MAX, plain JSON nested at most SEED_DEPTH_MAX
 * levels (DynamoDB's own limit is 32). Every problem is reported as
 * "FILE:LINE: what" (or "FILE: Items[3]: what"). */
#ifndef DDBD_SEED_FILE_H
#define DDBD_SEED_FILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SEED_FILE_MAX (1024ul * 1024 * 1024)
#define SEED_LINE_MAX (8ul * 1024 * 1024)
#define SEED_DEPTH_MAX 32
#define SEED_WHY_MAX 1024

typedef struct seed_item {
    json_t *item; /* an AttributeValue map: PutItem's Item */
    const char *file; /* owned by the set */
    size_t line; /* 1-based line, or position in a list (indexed) */
    bool indexed;
} seed_item_t;

typedef struct seed_table {
    char *name;
    json_t *create; /* CreateTable's request, or NULL: items only */
    json_t *ttl; /* UpdateTimeToLive's TimeToLiveSpecification, or NULL */
    const char *file; /* where create came from (or the first items) */
    seed_item_t *items;
    size_t n_items, cap_items;
} seed_table_t;

typedef struct seed_set {
    seed_table_t *tables; /* in the order first seen */
    size_t n_tables;
    char **files; /* the names given in messages */
    size_t n_files;
} seed_set_t;

void seed_set_free(seed_set_t *s);

/* Reads a file or folder (see above) into s. table (may be NULL) takes
 * every item of every file, whatever its name says (ddbd load --table).
 * Returns 0, or -1 with a message in why (SEED_WHY_MAX bytes). */
int seed_read_path(seed_set_t *s, const char *path, const char *table, char *why, size_t why_len);

/* The contents of one file: kind by name as above (table as for
 * seed_read_path). The fuzz target's and unit tests' entry point. */
int seed_parse(seed_set_t *s, const char *name, const char *table, const char *data, size_t len, char *why,
               size_t why_len);

/* An item as PutItem takes it from one seed item: {"Item":{...}} gives its
 * map; any other object is plain JSON, converted (new reference, or NULL
 * with why set). */
json_t *seed_item_from_json(const json_t *j, char *why, size_t why_len);

/* CreateTable's request from describe-table's "Table" (new reference). */
json_t *seed_create_from_description(const json_t *table);

#endif
