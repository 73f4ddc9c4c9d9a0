/* auth.c - the caller's identity from a SigV4 Authorization header:
 *   AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request,
 *       SignedHeaders=host;x-amz-date, Signature=...
 * Signatures are not verified (as in DynamoDB Local): ddbd is for local use
 * and any secret must work. */
#include "api/auth.h"

#include <stdint.h>
#include <stdio.h>

#include <string.h>

static const char scheme[] = "AWS4-HMAC-SHA256";

str_t auth_param(str_t params, const char *name)
{
    size_t nl = strlen(name);
    const char *p = params.ptr, *end = params.ptr + params.len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if ((size_t)(stop - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=')
            return (str_t){p + nl + 1, (size_t)(stop - p - (ptrdiff_t)nl - 1)};
        p = stop;
    }
    return STR_NULL;
}

int auth_parse(str_t header, auth_info_t *out, err_t *e)
{
    if (!header.ptr)
        return err_set(e, ERR_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
    size_t sl = sizeof scheme - 1;
    if (header.len <= sl || memcmp(header.ptr, scheme, sl) != 0 || header.ptr[sl] != ' ')
        return err_set(e, ERR_INCOMPLETE_SIGNATURE,
                       "Authorization header requires 'Credential' parameter. Authorization "
                       "header requires 'Signature' parameter. Authorization header requires "
                       "'SignedHeaders' parameter. Authorization=%.*s",
                       STR_FMT(header));
    str_t params = {header.ptr + sl + 1, header.len - sl - 1};
    str_t cred = auth_param(params, "Credential");
    /* access-key / date / region / service / aws4_request */
    str_t part[5];
    int n = 0;
    const char *p = cred.ptr, *end = cred.ptr + cred.len;
    while (cred.ptr && n < 5) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash ? slash : end;
        part[n++] = (str_t){p, (size_t)(stop - p)};
        if (!slash)
            break;
        p = slash + 1;
    }
    if (!cred.ptr || n != 5 || part[0].len == 0 || part[2].len == 0 || !auth_param(params, "Signature").ptr ||
        !auth_param(params, "SignedHeaders").ptr)
        return err_set(e, ERR_INCOMPLETE_SIGNATURE,
                       "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                       "parameters. Authorization=%.*s",
                       STR_FMT(header));
    /* AWS access key ids are at most 128 characters; bounding both parts
     * also keeps namespace + table name inside LMDB's key limit. */
    if (part[0].len > AUTH_ACCESS_KEY_MAX || part[2].len > AUTH_REGION_MAX)
        return err_set(e, ERR_UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    out->access_key = part[0];
    out->region = part[2];
    return 0;
}

void auth_account_id(str_t access_key, char out[13])
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (size_t i = 0; i < access_key.len; i++)
        h = (h ^ (unsigned char)access_key.ptr[i]) * 1099511628211ull;
    snprintf(out, 13, "%012llu", (unsigned long long)(h % 1000000000000ull));
}
