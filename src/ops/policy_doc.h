/* policy_doc.h - resource-based policy documents (ops/policy_doc.c). */
#ifndef DDBD_POLICY_DOC_H
#define DDBD_POLICY_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* DynamoDB's limit on a policy document, whitespace included. */
#define POLICY_MAX_BYTES 20480

/* Checks the policy text (len bytes) and puts it in DynamoDB's canonical
 * form: *get_form as GetResourcePolicy returns it, *compare_form as a
 * later Put is compared by (both malloc'd, caller frees). partition names
 * root ARNs ("aws"). Returns 0, or -1 with DynamoDB's ValidationException
 * message in why. */
int policy_doc_canonical(const char *text, size_t len, const char *partition, char **get_form, char **compare_form,
                         char *why, size_t why_len);

#endif
