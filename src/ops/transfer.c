/* ops/transfer.c - what exports, imports and bulk puts share (see
 * transfer_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/sha256.h"
#include "ops/transfer_internal.h"
#include "storage/backup_store.h"
#include "storage/s3dir.h"

int ops_s3_ready(ddb_req_t *r)
{
    if (s3dir_root())
        return 0;
    return err_set(&r->err, ERR_VALIDATION,
                   "ddbd was started without --s3-dir: exports, imports and bulk operations read and write the "
                   "directory that stands in for Amazon S3");
}

str_t ops_transfer_id(str_t arn, const char *what)
{
    char marker[32];
    snprintf(marker, sizeof marker, "/%s/", what);
    size_t m = strlen(marker);
    if (arn.len < m + BACKUP_ID_LEN || memcmp(arn.ptr, "arn:", 4) != 0)
        return STR_NULL;
    str_t id = {arn.ptr + arn.len - BACKUP_ID_LEN, BACKUP_ID_LEN};
    if (memcmp(id.ptr - m, marker, m) != 0 || id.ptr[14] != '-')
        return STR_NULL;
    return id;
}

/* The record of kind whose ARN is arn, in r's namespace (a new reference,
 * or NULL). */
static int find_by_arn(ddb_req_t *r, store_txn_t *txn, char kind, str_t arn, const char *what, json_t **out)
{
    str_t id = ops_transfer_id(arn, what);
    *out = NULL;
    int rc = id.len ? backup_rec_get(txn, kind, r->ns, id, out) : 0;
    if (!rc && *out && !str_eq_cstr(arn, json_string_value(json_object_get(*out, "arn")))) {
        json_decref(*out); /* the id of another table's or region's record */
        *out = NULL;
    }
    return rc;
}

typedef struct token_find {
    str_t token;
    double since;
    json_t *found;
} token_find_t;

static int token_one(void *ud, str_t id, json_t *rec)
{
    (void)id;
    token_find_t *f = ud;
    if (json_number_value(json_object_get(rec, "start")) >= f->since &&
        str_eq_cstr(f->token, json_string_value(json_object_get(rec, "token")))) {
        f->found = json_incref(rec);
        return 1;
    }
    return 0;
}

/* The record of kind started with ClientToken token in the last 8 hours
 * (a new reference, or NULL). */
static int find_by_token(ddb_req_t *r, store_txn_t *txn, char kind, str_t token, json_t **out)
{
    token_find_t f = {token, clock_now_epoch() - TRANSFER_TOKEN_SECONDS, NULL};
    *out = NULL;
    int rc = token.ptr ? backup_rec_each(txn, kind, r->ns, STR_NULL, token_one, &f) : 0;
    *out = f.found;
    return rc;
}

int ops_transfer_lookup(ddb_req_t *r, store_txn_t *txn, const transfer_kind_t *k, json_t **out)
{
    str_t arn;
    *out = NULL;
    if (req_string(r, k->arn_member, true, &arn))
        return -1;
    int rc = find_by_arn(r, txn, k->rec, arn, k->what, out);
    if (!rc && !*out)
        rc = err_set(&r->err, k->not_found, "%s%.*s%s", k->not_found_text[0], STR_FMT(arn), k->not_found_text[1]);
    return rc;
}

void ops_transfer_reply(ddb_req_t *r, const transfer_kind_t *k, const json_t *rec)
{
    jw_open(&r->out, '{');
    jw_key(&r->out, k->description);
    k->describe(&r->out, rec);
    jw_close(&r->out, '}');
}

int ops_transfer_repeat(ddb_req_t *r, store_txn_t *txn, const transfer_kind_t *k, str_t token, const json_t *request,
                        bool *repeated)
{
    json_t *prior;
    int rc = find_by_token(r, txn, k->rec, token, &prior);
    *repeated = !rc && prior;
    if (!*repeated) {
        json_decref(prior); /* NULL, or found before a later record failed to read */
        return rc;
    }
    if (json_equal(json_object_get(prior, "request"), request))
        ops_transfer_reply(r, k, prior);
    else
        rc = err_set(&r->err, k->conflict, "%s%.*s%s", k->conflict_text[0], STR_FMT(token), k->conflict_text[1]);
    json_decref(prior);
    return rc;
}

typedef struct page {
    ddb_req_t *r;
    const char *table_arn;
    int64_t max, n;
    void (*fn)(buf_t *b, const json_t *rec);
    char last[BACKUP_ID_LEN + 1];
    bool more;
} page_t;

static int page_one(void *ud, str_t id, json_t *rec)
{
    page_t *p = ud;
    const char *tarn = json_string_value(json_object_get(json_object_get(rec, "table"), "arn"));
    if (p->table_arn && (!tarn || strcmp(tarn, p->table_arn) != 0))
        return 0;
    if (p->n == p->max) {
        p->more = true;
        return 1;
    }
    p->fn(&p->r->out, rec);
    snprintf(p->last, sizeof p->last, "%.*s", (int)(id.len < BACKUP_ID_LEN ? id.len : BACKUP_ID_LEN), id.ptr);
    p->n++;
    return 0;
}

/* NextToken: the last id listed, in hex, padded with zeros to TOKEN_LEN
 * (ListImports' model wants ([0-9a-f]{16})+ of at least 112 characters;
 * all three lists use the same form). */
#define TOKEN_LEN 112

static void token_of(const char *id, char out[TOKEN_LEN + 1])
{
    size_t n = strlen(id);
    hex_encode((const uint8_t *)id, n, out);
    memset(out + 2 * n, '0', TOKEN_LEN - 2 * n);
    out[TOKEN_LEN] = '\0';
}

static int hex_digit(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* The id in a NextToken (into out); -1 when it is not one of ours. */
static int token_id(str_t token, char out[BACKUP_ID_LEN + 1])
{
    if (token.len != TOKEN_LEN)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i + 1 < token.len; i += 2) {
        int hi = hex_digit(token.ptr[i]), lo = hex_digit(token.ptr[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        if (hi == 0 && lo == 0)
            break;
        if (n == BACKUP_ID_LEN)
            return -1;
        out[n++] = (char)(hi << 4 | lo);
    }
    out[n] = '\0';
    return n == BACKUP_ID_LEN ? 0 : -1;
}

int ops_transfer_list(ddb_req_t *r, const transfer_kind_t *k, const char *table_arn, int64_t max)
{
    str_t token, after = STR_NULL;
    char id[BACKUP_ID_LEN + 1];
    if (req_string(r, "NextToken", false, &token))
        return -1;
    if (token.ptr) {
        if (token_id(token, id))
            return err_set(&r->err, ERR_VALIDATION, "Invalid NextToken");
        after = str_from_cstr(id);
    }
    page_t p = {r, table_arn, max, 0, k->summarize, "", false};
    jw_open(&r->out, '{');
    jw_key(&r->out, k->list_member);
    jw_open(&r->out, '[');
    int rc = backup_rec_each(r->txn, k->rec, r->ns, after, page_one, &p);
    jw_close(&r->out, ']');
    if (p.more) {
        char next[TOKEN_LEN + 1];
        token_of(p.last, next);
        jw_key(&r->out, "NextToken");
        jw_cstr(&r->out, next);
    }
    jw_close(&r->out, '}');
    return rc;
}

req_result_t ops_transfer_describe_op(ddb_req_t *r, const transfer_kind_t *k)
{
    json_t *rec;
    int rc = ops_transfer_lookup(r, r->txn, k, &rec);
    if (!rc) {
        ops_transfer_reply(r, k, rec);
        json_decref(rec);
    }
    return req_result(r, rc);
}

req_result_t ops_transfer_list_op(ddb_req_t *r, const transfer_kind_t *k, const char *page_member)
{
    str_t arn = STR_NULL;
    int64_t max;
    bool has_max;
    if (req_string(r, "TableArn", false, &arn) || req_int(r, page_member, &max, &has_max))
        return REQ_FAILED;
    const char *table_arn = NULL;
    if (arn.ptr) {
        str_t name;
        const char *bad = req_table_ref(arn, true, &name);
        if (bad)
            return req_fail(r, ERR_VALIDATION, "%s", bad);
        table_arn = req_table_arn(r, arena_cstr(&r->arena, name));
    }
    return req_result(r, ops_transfer_list(r, k, table_arn, has_max ? max : 25));
}

void ops_jw_str_of(buf_t *b, const char *member, const json_t *rec, const char *key)
{
    const char *v = json_string_value(json_object_get(rec, key));
    if (!v)
        return;
    jw_key(b, member);
    jw_cstr(b, v);
}

void ops_jw_num_of(buf_t *b, const char *member, const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);
    if (!json_is_number(v))
        return;
    jw_key(b, member);
    if (json_is_integer(v))
        jw_int(b, json_integer_value(v));
    else
        jw_double(b, json_number_value(v));
}

void ops_jw_json_of(buf_t *b, const char *member, const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);
    if (!v)
        return;
    char *s = xjson_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    jw_key(b, member);
    buf_puts(b, s);
    free(s);
}

json_t *ops_transfer_request(ddb_req_t *r)
{
    json_t *req = json_deep_copy(r->body);
    json_object_del(req, "ClientToken");
    return req;
}
