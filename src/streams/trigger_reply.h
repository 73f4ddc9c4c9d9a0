/* trigger_reply.h - what a trigger makes of its function's answer: the
 * ReportBatchItemFailures list and the text of a failure. */
#ifndef DDBD_TRIGGER_REPLY_H
#define DDBD_TRIGGER_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* ReportBatchItemFailures for a batch of the n sequence numbers seqs: 0 none
 * failed, 1 *failed = the lowest failed sequence number, -1 a malformed
 * answer (the whole batch failed). */
int trigger_item_failures(const uint64_t *seqs, size_t n, str_t body, uint64_t *failed);

/* "HTTP 500: <the start of the body>" into out, printable ASCII only (it
 * is shown as JSON). */
void trigger_error_with_body(char *out, size_t len, int status, str_t body);

#endif
