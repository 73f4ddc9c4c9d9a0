/* tail.h - GET /_ddbd/streams/tail: a stream's records, live, as
 * server-sent events (the console's stream view; any EventSource works).
 *
 *   GET /_ddbd/streams/tail?arn=STREAM_ARN
 *   GET /_ddbd/streams/tail?table=T&key=ACCESS_KEY&region=R   (the table's latest stream;
 *                                                              key and region name the namespace)
 *   optional: start=latest (default: records written from now on) or
 *             start=trim_horizon (every record still kept), after=SEQ;
 *             the Last-Event-ID header (EventSource's reconnect) wins.
 *
 * The reply is text/event-stream: first `event: open` with
 * {"StreamArn", "TableName", "StreamViewType", "LastSequenceNumber"}, then
 * one `event: record` per record (`id:` its SequenceNumber, `data:` the
 * record exactly as GetRecords returns it), pushed after the write's
 * commit (streams' subscription hook, no polling), and a comment line
 * every TAIL_HEARTBEAT_MS so that idle connections stay open through
 * proxies and idle timeouts. Errors before the stream starts are JSON,
 * {"error": "..."}, with 400 or 404. */
#ifndef DDBD_TAIL_H
#define DDBD_TAIL_H

#include <stdbool.h>
#include <uv.h>

#include "api/response.h"
#include "net/server.h"
#include "ops/request.h"

#define TAIL_HEARTBEAT_MS 15000
#define TAIL_PATH "/_ddbd/streams/tail"

/* Start-up (after stream_attach): subscribes to new records. */
void tail_start(uv_loop_t *loop, const server_env_t *env);
/* Shutdown: stops the timers (open tails end as their connections close). */
void tail_stop(void);
/* Whether path (no query) is the tail's. */
bool tail_is_path(str_t path);
/* Answers hr on slot: a stream, or an error reply. o: the reply's CORS. */
void tail_open(server_slot_t *slot, const http_request_t *hr, const response_opts_t *o);

#endif
