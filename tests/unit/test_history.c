/* test_history.c - the item history behind backups and PITR: the past at a
 * pin (by sequence number and by time), the keys changed since, the
 * two-pass snapshot reader, trimming and dropping. A real LMDB store in a
 * temporary directory; writes go through itemstore, as the server's do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "check.h"
#include "storage/history.h"
#include "storage/itemstore.h"
#include "storage/snapshot.h"

#include "test_items.h"

static arena_t arena;
static store_t *store;
static table_t *table;
static char dir[] = "/tmp/ddbd-test-history-XXXXXX";

static void open_store(void)
{
    if (!mkdtemp(dir))
        abort();
    char why[256];
    store_opts_t o = {dir, 64u << 20, true};
    if (store_open(&o, &store, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        abort();
    }
    json_t *desc = json_loads("{\"TableName\":\"t\",\"TableId\":\"x\",\"BillingMode\":\"PAY_PER_REQUEST\","
                              "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                              "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
                              "\"ddbd_id\":9,\"ddbd_pitr\":{\"on\":true,\"days\":35,\"since\":0}}",
                              0, NULL);
    table = table_from_json("ns", desc);
    history_attach();
}

static void close_store(void)
{
    table_free(table);
    store_close(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static key_buf_t key_of(const char *pk)
{
    char text[128];
    snprintf(text, sizeof text, "{\"pk\":{\"S\":\"%s\"}}", pk);
    value_t k = test_item(&arena, text);
    key_buf_t kb;
    key_encode(table->id, &table->ks, &k, &kb);
    return kb;
}

/* Writes pk's item with v (v NULL: deletes it) at time ms. */
static void write_at(int64_t ms, const char *pk, const char *v)
{
    clock_set_ms(ms);
    store_txn_t *txn;
    CHECK(store_write_begin(store, &txn) == 0);
    key_buf_t k = key_of(pk);
    value_t old;
    bool found;
    CHECK(itemstore_get(txn, &arena, table, &k, &old, &found) == 0);
    if (v) {
        char text[160];
        snprintf(text, sizeof text, "{\"pk\":{\"S\":\"%s\"},\"v\":{\"N\":\"%s\"}}", pk, v);
        value_t item = test_item(&arena, text);
        CHECK(itemstore_put(txn, table, &k, found ? &old : NULL, &item, NULL) == 0);
    } else if (found) {
        CHECK(itemstore_delete(txn, table, &k, &old, NULL) == 0);
    }
    CHECK(store_write_commit(txn) == 0);
}

static uint64_t last_seq(void)
{
    store_txn_t *txn;
    uint64_t s = 0;
    CHECK(store_write_begin(store, &txn) == 0);
    CHECK(history_last_seq(txn, &s) == 0);
    CHECK(store_write_commit(txn) == 0);
    return s;
}

/* pk's "v" at pin, or "-" when absent. */
static const char *at(const char *pk, history_pin_t pin)
{
    store_txn_t *txn;
    CHECK(store_read_begin(store, &txn) == 0);
    key_buf_t k = key_of(pk);
    value_t item;
    bool found;
    const char *out = "?";
    if (history_item_at(txn, &arena, &k, &pin, &item, &found) == 0) {
        const value_t *v = found ? item_get(&item, STR_LIT("v")) : NULL;
        out = !found ? "-" : v ? arena_cstr(&arena, v->s) : "no v";
    }
    store_read_end(txn);
    return out;
}

static history_pin_t seq_pin, early_pin;

static void test_past(void)
{
    clock_freeze(true);
    write_at(1000, "a", "1");
    write_at(1000, "b", "1");
    seq_pin = (history_pin_t){last_seq(), HISTORY_NO_TIME};
    write_at(2000, "a", "2");
    write_at(2000, "b", NULL);
    write_at(2000, "c", "1");
    write_at(2000, "c", "1"); /* no change: no entry */
    CHECK(last_seq() == seq_pin.seq + 3);
    /* by sequence number: as it was after the first two writes */
    CHECK_STR(at("a", seq_pin), "1");
    CHECK_STR(at("b", seq_pin), "1");
    CHECK_STR(at("c", seq_pin), "-");
    /* by time: at 1500 the same; at 2000 every change of 2000 counts */
    early_pin = (history_pin_t){last_seq(), 1500};
    CHECK_STR(at("a", early_pin), "1");
    CHECK_STR(at("b", early_pin), "1");
    CHECK_STR(at("c", early_pin), "-");
    history_pin_t now = {last_seq(), 2000};
    CHECK_STR(at("a", now), "2");
    CHECK_STR(at("b", now), "-");
    CHECK_STR(at("c", now), "1");
    /* a write after the pin's sequence number in the pin's own millisecond stays out */
    history_pin_t before_d = {last_seq(), 2000};
    write_at(2000, "d", "1");
    CHECK_STR(at("d", before_d), "-");
    /* before the first write: nothing existed */
    CHECK_STR(at("a", ((history_pin_t){0, 500})), "-");
}

static int count_changed(void *ud, const history_change_t *c)
{
    int *n = ud;
    n[0]++;
    n[1] += c->present;
    return 0;
}

static void test_changed(void)
{
    store_txn_t *txn;
    CHECK(store_read_begin(store, &txn) == 0);
    int n[2] = {0, 0};
    uint8_t last[HISTORY_HASH_LEN];
    bool more;
    CHECK(history_changed(txn, &arena, table->id, NULL, &seq_pin, 100, count_changed, n, last, &more) == 0);
    CHECK(n[0] == 4 && n[1] == 2 && !more); /* a, b, c, d changed; a and b existed */
    /* in steps of one, resuming after the last */
    int steps = 0, m[2] = {0, 0};
    const uint8_t *after = NULL;
    uint8_t pos[HISTORY_HASH_LEN];
    do {
        CHECK(history_changed(txn, &arena, table->id, after, &seq_pin, 1, count_changed, m, last, &more) == 0);
        memcpy(pos, last, sizeof pos);
        after = pos;
    } while (more && ++steps < 10);
    CHECK(m[0] == 4 && m[1] == 2);
    store_read_end(txn);
}

typedef struct seen {
    int n;
    char text[256];
} seen_t;

static int see(void *ud, const key_buf_t *key, const value_t *item)
{
    seen_t *s = ud;
    CHECK(key->len > 4);
    const value_t *pk = item_get(item, STR_LIT("pk")), *v = item_get(item, STR_LIT("v"));
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%.*s=%.*s ", STR_FMT(pk->s), STR_FMT(v->s));
    s->n++;
    return 0;
}

static void test_snapshot(void)
{
    snapshot_src_t src = {false, table->id, seq_pin, false};
    snapshot_pos_t pos = {0};
    seen_t s = {0, ""};
    bool done = false;
    for (int i = 0; i < 20 && !done; i++) {
        store_txn_t *txn;
        CHECK(store_write_begin(store, &txn) == 0);
        CHECK(snapshot_chunk(txn, &src, &table->ks, &pos, 1, see, &s, &done) == 0);
        CHECK(store_write_commit(txn) == 0);
    }
    CHECK(done);
    /* a (changed since) and b (deleted since) as they were; c and d not
     * yet there; b may come once from each pass */
    CHECK(strstr(s.text, "a=1 ") && strstr(s.text, "b=1 ") && !strstr(s.text, "c=") && !strstr(s.text, "d="));
    CHECK(!strstr(s.text, "a=2"));
}

static void test_trim(void)
{
    store_txn_t *txn;
    uint64_t removed;
    bool more;
    CHECK(store_write_begin(store, &txn) == 0);
    /* what no pin after 1500 needs: the two entries of 1000 */
    CHECK(history_trim(txn, table->id, 1500, UINT64_MAX, 100, &removed, &more) == 0);
    CHECK(removed == 2 && !more);
    /* a pin by sequence number holds the rest back */
    CHECK(history_trim(txn, table->id, INT64_MAX, seq_pin.seq, 100, &removed, &more) == 0);
    CHECK(removed == 0);
    CHECK(store_write_commit(txn) == 0);
    CHECK_STR(at("a", seq_pin), "1"); /* still answered */
    CHECK_STR(at("b", early_pin), "1");
    CHECK(store_write_begin(store, &txn) == 0);
    CHECK(history_register(txn, table) == 0);
    history_table_ref_t *refs;
    size_t n;
    CHECK(history_tables(txn, &refs, &n) == 0);
    CHECK(n == 1 && refs[0].id == table->id && strcmp(refs[0].name, "t") == 0 && refs[0].has_entries &&
          refs[0].oldest_ms == 2000);
    history_tables_free(refs, n);
    CHECK(history_drop_table(txn, table->id) == 0);
    CHECK(history_tables(txn, &refs, &n) == 0);
    CHECK(n == 0);
    history_tables_free(refs, n);
    CHECK(store_write_commit(txn) == 0);
    CHECK_STR(at("a", seq_pin), "2"); /* no history left: the item as it is */
}

/* After a restart the counter goes on above every pin and every entry. */
static void test_counter_after_restart(void)
{
    uint64_t pinned = last_seq(); /* stored, as a pin stores it */
    write_at(3000, "e", "1");
    write_at(3000, "e", "2");
    history_attach(); /* what a restart does: the counter is loaded again */
    history_pin_t pin = {last_seq(), HISTORY_NO_TIME};
    CHECK(pin.seq >= pinned + 2);
    write_at(3000, "e", "3");
    CHECK_STR(at("e", pin), "2");
    CHECK(last_seq() == pin.seq + 1);
}

int main(void)
{
    arena_init(&arena);
    open_store();
    RUN(test_past);
    RUN(test_changed);
    RUN(test_snapshot);
    RUN(test_trim);
    RUN(test_counter_after_restart);
    close_store();
    arena_free(&arena);
    return check_done();
}
