/* ops/search_vectors.c - SearchVectors: exact k-nearest neighbours over a
 * vector index (storage/vector_index.c does the scan).
 *
 * AWS's search is approximate; ddbd's is exact, which is what a test
 * wants. Messages from AWS's troubleshooting guide: "Provided TopK value is
 * out of valid range", "SearchConditionExpression must be provided when
 * SearchSchema has a HASH key", "Invalid comparator used in
 * SearchConditionExpression", "Cannot search backfilling vector index:
 * <name>", "The table does not have the specified index: <name>". The
 * rest are ddbd's.
 *
 * ConsumedCapacity is the model's VectorCapacity. How AWS counts
 * VectorSearchRequestBytes is not documented: ddbd counts the query vector
 * as 32-bit floats plus the items returned, in 1 KB steps, at least 1 KB
 * (the model's example: a 4-dimension search of three small items, 1024). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/vector_index.h"
#include "ops/ops.h"

#define MSG_INVALID "One or more parameter values were invalid: "

typedef struct search {
    ddb_req_t *r;
    const table_t *t;
    const vector_index_t *vi;
    ops_exprs_t x;
    int64_t top_k;
    int capacity;
    float *vector;
    vindex_query_t q;
} search_t;

static int read_vector(search_t *s, const json_t *list)
{
    ddb_req_t *r = s->r;
    if (json_array_size(list) != s->vi->dims)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "SearchVector has %zu dimensions; vector index %s has %u",
                       json_array_size(list), s->vi->name, s->vi->dims);
    s->vector = arena_alloc(&r->arena, s->vi->dims * sizeof *s->vector);
    for (size_t i = 0; i < s->vi->dims; i++) {
        value_t v;
        if (value_from_json(&r->arena, json_array_get(list, i), &v, &r->err))
            return -1;
        char buf[64];
        double d = NAN;
        if (v.type == VT_N && v.s.len < sizeof buf) {
            memcpy(buf, v.s.ptr, v.s.len);
            buf[v.s.len] = 0;
            d = strtod(buf, NULL);
        }
        s->vector[i] = (float)d;
        if (!isfinite(s->vector[i]))
            return err_set(&r->err, ERR_VALIDATION,
                           MSG_INVALID "Element %zu of SearchVector is not a Number that fits a 32-bit float", i);
    }
    s->q.vector = s->vector;
    return 0;
}

/* The equalities of SearchConditionExpression against the search schema. */
static int read_condition(search_t *s)
{
    ddb_req_t *r = s->r;
    const vector_index_t *vi = s->vi;
    expr_equality_t eq[VECTOR_FILTERS_MAX + 1];
    size_t n = 0;
    if (s->x.search_condition && expr_equalities(s->x.search_condition, eq, VECTOR_FILTERS_MAX + 1, &n, &r->err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const key_attr_t *ka = NULL;
        if (vi->hash.name.len && str_eq(eq[i].name, vi->hash.name)) {
            ka = &vi->hash;
            s->q.hash = eq[i].value;
        }
        for (size_t f = 0; f < vi->n_filters && !ka; f++)
            if (str_eq(eq[i].name, vi->filters[f].name)) {
                ka = &vi->filters[f];
                s->q.filters[f] = eq[i].value;
            }
        if (!ka)
            return err_set(&r->err, ERR_VALIDATION,
                           "Invalid SearchConditionExpression: attribute %.*s is not in the SearchSchema of vector "
                           "index %s",
                           STR_FMT(eq[i].name), vi->name);
        if (eq[i].value->type != ka->type)
            return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Condition parameter type does not match schema type");
    }
    if (vi->hash.name.len && !s->q.hash)
        return err_set(&r->err, ERR_VALIDATION,
                       "SearchConditionExpression must be provided when SearchSchema has a HASH key");
    return 0;
}

/* Only what the index holds can be asked for. */
static int check_projection(search_t *s)
{
    for (size_t i = 0; i < s->x.projection.n; i++) {
        const expr_path_elem_t *e = &s->x.projection.paths[i].elems[0];
        if (!e->is_index && !vindex_projects(s->t, s->vi, e->name))
            return err_set(&s->r->err, ERR_VALIDATION, MSG_INVALID "Vector index %s does not project [%.*s]",
                           s->vi->name, STR_FMT(e->name));
    }
    return 0;
}

static int params(search_t *s, const json_t **vector)
{
    ddb_req_t *r = s->r;
    str_t name, index;
    bool has_k;
    if (req_table_name(r, &name) || req_string(r, "IndexName", false, &index) ||
        req_int(r, "TopK", &s->top_k, &has_k) || req_array(r, "SearchVector", false, vector) ||
        ops_return_capacity(r, &s->capacity))
        return -1;
    if (!index.ptr)
        req_constraint(r, "null", "indexName", "Member must not be null");
    else
        req_check_length(r, index, "indexName", 3, 255);
    if (!*vector)
        req_constraint(r, "null", "searchVector", "Member must not be null");
    if (!has_k)
        req_constraint(r, "null", "topK", "Member must not be null");
    if (req_constraints_done(r))
        return -1;
    if (s->top_k < 1 || s->top_k > VECTOR_TOPK_MAX)
        return err_set(&r->err, ERR_VALIDATION, "Provided TopK value is out of valid range");
    if (ops_parse_exprs(r, OPS_PROJECTION | OPS_SEARCH_CONDITION, &s->x))
        return -1;
    int rc = req_table(r, r->txn, r->env->loop_catalog, &s->t);
    if (rc)
        return rc;
    s->vi = table_vector_index(s->t, index);
    if (!s->vi)
        return err_set(&r->err, ERR_VALIDATION, "The table does not have the specified index: %.*s", STR_FMT(index));
    if (s->vi->creating)
        return err_set(&r->err, ERR_VALIDATION, "Cannot search backfilling vector index: %s", s->vi->name);
    return 0;
}

static void write_reply(search_t *s, const vindex_hit_t *hits, size_t n)
{
    ddb_req_t *r = s->r;
    size_t bytes = (size_t)s->vi->dims * sizeof(float);
    buf_puts(&r->out, "{\"SearchResults\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&r->out, ',');
        buf_puts(&r->out, "{\"Item\":");
        size_t before = r->out.len;
        ops_write_item(r, &r->out, &hits[i].item, &s->x.projection);
        bytes += r->out.len - before;
        buf_printf(&r->out, ",\"Score\":%.17g}", hits[i].score);
    }
    buf_putc(&r->out, ']');
    if (s->capacity) {
        double kb = ceil((double)bytes / 1024.0);
        buf_printf(&r->out, ",\"ConsumedCapacity\":{\"VectorSearchRequestBytes\":%g}", (kb < 1 ? 1 : kb) * 1024);
    }
    buf_putc(&r->out, '}');
}

/* SearchVectors(TableName, IndexName, SearchVector, TopK,
 *               SearchConditionExpression?, ProjectionExpression?,
 *               ExpressionAttributeNames/Values?, ReturnConsumedCapacity?) */
req_result_t op_search_vectors(ddb_req_t *r)
{
    search_t s = {.r = r};
    const json_t *vector = NULL;
    int rc = params(&s, &vector);
    if (!rc)
        rc = read_vector(&s, vector);
    if (!rc)
        rc = read_condition(&s);
    if (!rc)
        rc = check_projection(&s);
    if (rc)
        return req_result(r, rc);
    s.q.top_k = (uint32_t)s.top_k;
    vindex_hit_t *hits = arena_alloc(&r->arena, (size_t)s.top_k * sizeof *hits);
    size_t n;
    rc = vindex_search(r->txn, r->env->loop_vectors, &r->arena, s.t, s.vi, &s.q, hits, &n);
    if (!rc)
        write_reply(&s, hits, n);
    return req_result(r, rc);
}
