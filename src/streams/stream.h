/* stream.h - DynamoDB Streams: the stream log, shards and records.
 *
 * Storage (store.c's named databases):
 *   STORE_DB_STREAMS      stream id (u32 BE) . seq (u64 BE)
 *                           -> created ms (i64 BE) . record JSON
 *   STORE_DB_STREAM_META  'S' . stream id (u32 BE) -> stream JSON (ARN,
 *                           label, namespace, table, view type, key schema,
 *                           status, shards, trim horizon)
 *                         'A' . stream ARN -> stream id (u32 BE)
 *   STORE_DB_META         "stream_seq" -> last sequence number (u64 BE)
 * A table's catalog JSON holds "StreamSpecification", "LatestStreamArn",
 * "LatestStreamLabel" and (internal) "ddbd_stream_id" while its stream is
 * enabled; after a disable only the last two remain, as on AWS, and the
 * stream stays readable until its retention (24 h) ends.
 *
 * Records are appended inside the write's own transaction, through
 * itemstore's change hook (stream_attach registers it), so they are
 * gap-free, in commit order and never lost.
 * Sequence numbers come from one counter shared by all streams, so they
 * increase in commit order within a stream and across its shards.
 *
 * Times are ddbd's clock (clock.h). */
#ifndef DDBD_STREAM_H
#define DDBD_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/catalog.h"
#include "model/keys.h"
#include "storage/store.h"
#include "storage/writer.h"
#include "base/str.h"
#include "model/value.h"

#define STREAM_NOT_FOUND 2 /* no such stream (positive, like STORE_NOTFOUND) */

#define STREAM_RETENTION_MS (24ll * 3600 * 1000)
#define STREAM_SHARD_LIFETIME_MS (4ll * 3600 * 1000)
#define STREAM_ITERATOR_TTL_MS (15ll * 60 * 1000)

/* ---- for the triggers helper (and anyone reading a stream) ---- */

/* SequenceNumber strings are the decimal of a uint64_t, zero-padded to 21
 * digits, increasing in commit order within a stream (across its shards),
 * so strtoull() gives the number back. */
/* The TTL service's identity on a REMOVE record: as the Streams API spells
 * it (the model's Identity members, which SDKs parse) and as Lambda's event
 * does. Equal lengths, so a record converts in place. */
#define STREAM_TTL_IDENTITY "{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}"
#define STREAM_TTL_IDENTITY_LAMBDA "{\"principalId\":\"dynamodb.amazonaws.com\",\"type\":\"Service\"}"

typedef int (*stream_record_fn)(void *ud, uint64_t seq, str_t record_json);
/* Calls fn with each record of the stream `stream_arn` whose sequence
 * number is > after (after 0: from the oldest untrimmed record), across its
 * shards in sequence order, at most max records; record_json is the record
 * exactly as GetRecords returns it (eventID, eventName, eventVersion,
 * eventSource, awsRegion, dynamodb{...}, userIdentity when TTL) without
 * eventSourceARN, and valid only during the call. fn returns non-zero to
 * stop early. Returns 0, STREAM_NOT_FOUND, or a STORE_ERR_*. Any thread,
 * in any txn. */
int stream_read_after(store_txn_t *txn, const char *stream_arn, uint64_t after, size_t max, stream_record_fn fn,
                      void *ud);
/* The highest sequence number committed in the stream (0 when none). */
int stream_last_seq(store_txn_t *txn, const char *stream_arn, uint64_t *out);
/* The oldest untrimmed sequence number (0 when none). */
int stream_first_seq(store_txn_t *txn, const char *stream_arn, uint64_t *out);
/* The id of the shard of stream_arn holding seq (the last shard starting
 * at or before it) into out, or "" when unknown. */
void stream_shard_of(store_txn_t *txn, const char *stream_arn, uint64_t seq, char *out, size_t len);
/* The current (latest) stream ARN of a table, or NULL when it has no
 * enabled stream. Owned by t->desc (valid as long as t). */
const char *stream_latest_arn(const table_t *t);
/* Loop thread: fn(ud) runs after each commit that appended stream records
 * (any table). Register at start-up; there is no unsubscribe. */
void stream_subscribe(void (*fn)(void *ud), void *ud);

/* ---- the write path (writer thread, in the write's transaction) ---- */

/* Start-up, before w runs: hooks streams into every item write (itemstore's
 * change hook appends the records) and into w's commits (subscribers hear
 * of new records). Without it no write has a stream record. */
void stream_attach(writer_t *w);
/* The change hook: appends the record (INSERT, MODIFY or REMOVE by
 * old/new) when t has an enabled stream and the write changed something.
 * old/new NULL for absent. */
int stream_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                    const value_t *new_item);
/* While set (writer thread), records carry the TTL service userIdentity:
 * the TTL sweeper brackets its deletions with it. */
void stream_set_ttl_identity(bool on);

/* ---- table DDL (writer thread, in the DDL's transaction) ---- */

/* Creates a stream for the table described by desc (its TableName,
 * KeySchema, ddbd_id and namespace ns) with view_type, and records it in
 * desc (StreamSpecification, LatestStreamArn, LatestStreamLabel). */
int stream_enable(store_txn_t *txn, const char *ns, const char *region, const char *account, json_t *desc,
                  const char *view_type);
/* Disables the table's enabled stream (desc keeps LatestStreamArn/Label),
 * closing its open shard. No-op when none is enabled. */
int stream_disable(store_txn_t *txn, json_t *desc);
/* Checks a StreamSpecification's shape (NULL is fine): StreamEnabled
 * given, a known view type exactly when enabling. Loop thread, no store.
 * Returns 0 or -1 with DynamoDB's message in e. */
int stream_check_spec(err_t *e, const json_t *spec);
/* DeleteTable: the table's stream becomes DISABLED (readable for its
 * retention); t itself is not changed. */
int stream_on_table_deleted(store_txn_t *txn, const table_t *t);
/* A global table's home region left: the group's stream (desc's enabled
 * one) belongs to ns, which holds the description now, so readers there
 * find it theirs. */
int stream_move(store_txn_t *txn, const json_t *desc, const char *ns);
/* CreateTable/UpdateTable's StreamSpecification: validates it (DynamoDB's
 * messages into e) and applies it to desc. region/account for the ARN.
 * Returns 0, -1 (e set) or a STORE_ERR_*. */
int stream_apply_spec(store_txn_t *txn, err_t *e, const char *ns, const char *region, const char *account, json_t *desc,
                      const json_t *spec, bool creating);
/* Writes DescribeTable's stream members ("StreamSpecification",
 * "LatestStreamArn", "LatestStreamLabel") when the table has them. */
void stream_describe_table(buf_t *b, const json_t *desc);

/* ---- maintenance (writer thread) ---- */

/* Deletes records older than the retention and streams whose retention
 * has ended, at most max_records deletions; *deleted counts them.
 * *more true when work is left. */
int stream_trim(store_txn_t *txn, int64_t now_ms, size_t max_records, uint64_t *deleted, bool *more);
/* Whether stream_trim has anything to do (any thread, read txn). */
bool stream_trim_due(store_txn_t *txn, int64_t now_ms);

/* ---- internal: for ops/streams.c ---- */

/* The stream id of an ARN: 0 or STREAM_NOT_FOUND. */
int stream__id_of_arn(store_txn_t *txn, const char *arn, uint32_t *id);
/* The stream's description JSON (new reference; NULL when absent): arn,
 * label, ns, table, region, view, KeySchema, created (ms), status,
 * disabled (ms), trim (records <= trim are gone), shards [{id, start, end
 * (absent while open), parent, created}] with sequence numbers as decimal
 * strings. */
int stream__meta(store_txn_t *txn, uint32_t id, json_t **out);
/* Calls fn for stream id's records with from <= seq <= to, in order, at
 * most max. */
int stream__read(store_txn_t *txn, uint32_t id, uint64_t from, uint64_t to, size_t max, stream_record_fn fn, void *ud);
/* The highest sequence number stored for stream id (0 when none). */
int stream__last_seq(store_txn_t *txn, uint32_t id, uint64_t *out);
/* A stored record's ApproximateCreationDateTime (epoch seconds; INT64_MAX
 * if unreadable). rec need not be NUL-terminated. */
int64_t stream__record_time_s(str_t rec);
/* Calls fn for each stream in ARN order, after after_arn (empty: from the
 * first; the ARN need not exist). */
int stream__each_by_arn(store_txn_t *txn, str_t after_arn, int (*fn)(void *ud, uint32_t id, json_t *m), void *ud);
/* Calls fn for each stream (ids ascending, from first_id); fn returns
 * non-zero to stop. m is borrowed for the call. */
int stream__each(store_txn_t *txn, uint32_t first_id, int (*fn)(void *ud, uint32_t id, json_t *m), void *ud);

#endif
