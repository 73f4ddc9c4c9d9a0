/* verify.h - a structural check of an LMDB data file before it is
 * opened for service.
 *
 * LMDB trusts its pages: a data file damaged in the middle (a bad disk,
 * a bad copy) makes it follow garbage offsets and crash. This walks every
 * page reachable from the current meta page (the free list, the main
 * database, each named database) with pread, never through the map, and
 * checks what LMDB would rely on: each page names itself, its type fits
 * where it was reached from, its node offsets, sizes and child or overflow
 * page numbers lie inside the page and the file, and no page is reached
 * twice. It reads LMDB 0.9's on-disk format (the format every LMDB 0.9
 * writes), for 64-bit builds. */
#ifndef DDBD_VERIFY_H
#define DDBD_VERIFY_H

#include <stddef.h>

/* 0 when every reachable page is sound; -1 with the first problem in why.
 * fd is the open data file, psize its page size. */
int verify_data_file(int fd, size_t psize, char *why, size_t why_len);

#endif
