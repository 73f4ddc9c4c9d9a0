/* verify.c - the structural check of an LMDB data file (see verify.h).
 *
 * LMDB 0.9's layout, as mdb.c defines it (64-bit, MDB_DEVEL off):
 *   page header (16 bytes): pgno u64, pad u16, flags u16, then lower u16
 *     and upper u16 (or, on an overflow page, the page count u32); then
 *     the node offsets, u16 each, from the page's start;
 *   node: lo u16, hi u16, flags u16, key size u16, key, data; a branch
 *     node's child page is lo | hi << 16 | flags << 32, a leaf's data size
 *     lo | hi << 16;
 *   meta (pages 0 and 1, after the header): magic u32, version u32,
 *     address, map size, the free list's and the main database's
 *     descriptors (48 bytes each, the root page number last), the last
 *     page, the transaction id; the newer meta is the current one. */
#include "storage/verify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"

#define PAGE_HDR 16
#define NODE_HDR 8
#define DB_SIZE 48
#define META_MAGIC 0xBEEFC0DEu
#define P_BRANCH 0x01
#define P_LEAF 0x02
#define P_OVERFLOW 0x04
#define P_META 0x08
#define P_IGNORED 0xC010 /* dirty, loose, keep: bookkeeping bits a written page may carry */
#define F_BIGDATA 0x01
#define F_SUBDATA 0x02
#define F_DUPDATA 0x04
#define NO_PAGE UINT64_MAX
#define MAX_DEPTH 64

typedef struct walk {
    int fd;
    size_t psize;
    uint64_t last;
    uint8_t *seen; /* one bit per page */
    uint8_t *page;
    struct {
        uint64_t pgno;
        uint64_t dsize; /* an overflow run: the data size its node gives */
        int depth; /* -1: an overflow run */
        bool main; /* in the main database: named databases hang off it */
    } * stack;
    size_t n, cap;
    char *why;
    size_t why_len;
} walk_t;

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16; }
static uint64_t u64(const uint8_t *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

static int bad(walk_t *w, uint64_t pgno, const char *what)
{
    snprintf(w->why, w->why_len, "page %llu: %s", (unsigned long long)pgno, what);
    return -1;
}

static int read_page(walk_t *w, uint64_t pgno)
{
    ssize_t n = pread(w->fd, w->page, w->psize, (off_t)(pgno * w->psize));
    return n == (ssize_t)w->psize ? 0 : bad(w, pgno, "cannot be read whole");
}

/* Marks pages [pgno, pgno + count) as reached; each may be reached once. */
static int mark(walk_t *w, uint64_t pgno, uint64_t count)
{
    if (pgno < 2 || pgno > w->last || count > w->last - pgno + 1)
        return bad(w, pgno, "points outside the file's pages");
    for (uint64_t p = pgno; p < pgno + count; p++) {
        if (w->seen[p / 8] & (1u << (p % 8)))
            return bad(w, p, "is reached twice");
        w->seen[p / 8] |= (uint8_t)(1u << (p % 8));
    }
    return 0;
}

static void push(walk_t *w, uint64_t pgno, int depth, bool main, uint64_t dsize)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->stack = xrealloc(w->stack, w->cap * sizeof *w->stack);
    }
    w->stack[w->n].pgno = pgno;
    w->stack[w->n].dsize = dsize;
    w->stack[w->n].depth = depth;
    w->stack[w->n++].main = main;
}

/* A big value's overflow pages: one header page saying how many. */
static int check_overflow(walk_t *w, uint64_t pgno, uint64_t dsize)
{
    if (mark(w, pgno, 1) || read_page(w, pgno))
        return -1;
    uint64_t count = u32(w->page + 12);
    if (u64(w->page) != pgno || (u16(w->page + 10) & ~P_IGNORED) != P_OVERFLOW || count == 0)
        return bad(w, pgno, "is not the overflow page its node names");
    if (count * w->psize - PAGE_HDR < dsize)
        return bad(w, pgno, "holds less than its node's data size");
    return count > 1 ? mark(w, pgno + 1, count - 1) : 0;
}

/* One node of a leaf: its data inline, on overflow pages, or a named
 * database's descriptor (only in the main database). */
static int check_leaf_node(walk_t *w, uint64_t pgno, const uint8_t *node, size_t room, bool main)
{
    uint16_t flags = u16(node + 4), ksize = u16(node + 6);
    uint64_t dsize = u16(node) | (uint64_t)u16(node + 2) << 16;
    if (flags & F_DUPDATA)
        return bad(w, pgno, "has duplicate data, which ddbd never writes");
    size_t inline_data = (flags & F_BIGDATA) ? 8 : dsize;
    if ((size_t)NODE_HDR + ksize + inline_data > room)
        return bad(w, pgno, "has a node running past the page's end");
    const uint8_t *data = node + NODE_HDR + ksize;
    if (flags & F_BIGDATA) {
        push(w, u64(data), -1, false, dsize); /* checked in turn (w->page holds this page now) */
        return 0;
    }
    if (flags & F_SUBDATA) {
        if (!main || dsize != DB_SIZE)
            return bad(w, pgno, "has a database descriptor where none belongs");
        uint64_t root = u64(data + 40);
        if (root != NO_PAGE)
            push(w, root, 0, false, 0);
    }
    return 0;
}

static int check_tree_page(walk_t *w, uint64_t pgno, int depth, bool main)
{
    if (depth > MAX_DEPTH)
        return bad(w, pgno, "is deeper than any tree LMDB builds");
    if (mark(w, pgno, 1) || read_page(w, pgno))
        return -1;
    const uint8_t *p = w->page;
    uint16_t flags = u16(p + 10) & ~P_IGNORED, lower = u16(p + 12), upper = u16(p + 14);
    if (u64(p) != pgno)
        return bad(w, pgno, "does not carry its own page number");
    if (flags != P_BRANCH && flags != P_LEAF)
        return bad(w, pgno, "is neither a branch nor a leaf where the tree needs one");
    if (lower < PAGE_HDR || lower > upper || upper > w->psize || (lower - PAGE_HDR) % 2)
        return bad(w, pgno, "has free-space bounds outside the page");
    size_t nkeys = (size_t)(lower - PAGE_HDR) / 2;
    if (flags == P_BRANCH && nkeys < 2)
        return bad(w, pgno, "is a branch with fewer than two children");
    for (size_t i = 0; i < nkeys; i++) {
        size_t off = u16(p + PAGE_HDR + 2 * i);
        if (off < upper || off + NODE_HDR > w->psize || off % 2)
            return bad(w, pgno, "has a node offset outside its node area");
        const uint8_t *node = p + off;
        size_t room = w->psize - off;
        if (flags == P_BRANCH) {
            if ((size_t)NODE_HDR + u16(node + 6) > room)
                return bad(w, pgno, "has a node running past the page's end");
            push(w, u16(node) | (uint64_t)u16(node + 2) << 16 | (uint64_t)u16(node + 4) << 32, depth + 1, main, 0);
        } else if (check_leaf_node(w, pgno, node, room, main)) {
            return -1;
        }
    }
    return 0;
}

static int walk_all(walk_t *w)
{
    while (w->n) {
        w->n--;
        uint64_t pgno = w->stack[w->n].pgno, dsize = w->stack[w->n].dsize;
        int depth = w->stack[w->n].depth;
        bool main = w->stack[w->n].main;
        int rc = depth < 0 ? check_overflow(w, pgno, dsize) : check_tree_page(w, pgno, depth, main);
        if (rc)
            return -1;
    }
    return 0;
}

/* The current meta: the valid one of pages 0 and 1 with the higher
 * transaction id. */
static int read_meta(walk_t *w, uint64_t *free_root, uint64_t *main_root)
{
    uint64_t best_txn = 0;
    bool found = false;
    for (uint64_t m = 0; m < 2; m++) {
        if (read_page(w, m))
            return -1;
        const uint8_t *p = w->page;
        if (!(u16(p + 10) & P_META) || u32(p + 16) != META_MAGIC || u32(p + 20) != 1)
            continue;
        uint64_t txn = u64(p + 144);
        if (found && txn <= best_txn)
            continue;
        found = true;
        best_txn = txn;
        *free_root = u64(p + 40 + 40);
        *main_root = u64(p + 88 + 40);
        w->last = u64(p + 136);
    }
    if (!found)
        return bad(w, 0, "no valid meta page");
    return 0;
}

int verify_data_file(int fd, size_t psize, char *why, size_t why_len)
{
    walk_t w = {.fd = fd, .psize = psize, .why = why, .why_len = why_len};
    if (psize < 512 || psize > 65536)
        return snprintf(why, why_len, "page size %zu is not LMDB's", psize), -1;
    w.page = xmalloc(psize);
    uint64_t free_root = NO_PAGE, main_root = NO_PAGE;
    int rc = read_meta(&w, &free_root, &main_root);
    struct stat st;
    if (!rc && (fstat(fd, &st) != 0 || w.last >= (uint64_t)st.st_size / psize))
        rc = bad(&w, w.last, "is named as the last page, beyond the file's end");
    if (!rc) {
        w.seen = xcalloc(1, (size_t)(w.last / 8 + 1));
        if (free_root != NO_PAGE)
            push(&w, free_root, 0, false, 0);
        if (main_root != NO_PAGE)
            push(&w, main_root, 0, true, 0);
        rc = walk_all(&w);
    }
    free(w.page);
    free(w.seen);
    free(w.stack);
    return rc;
}
