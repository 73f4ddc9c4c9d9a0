/* trigger_destination.h - a trigger's on-failure destination: where the
 * record of a batch that was dropped (retries or record age exhausted)
 * goes, as Lambda sends it to an on-failure destination. */
#ifndef DDBD_TRIGGER_DESTINATION_H
#define DDBD_TRIGGER_DESTINATION_H

#include <stdint.h>
#include <uv.h>

/* Loop thread. dest is an http:// URL (POSTed, timeout_ms) or a file path
 * (text appended as one line). Failures are logged; nothing is retried. */
void trigger_destination_send(uv_loop_t *loop, const char *dest, const char *text, uint64_t timeout_ms);

#endif
