/* fuzz.h - what every fuzz target shares: libFuzzer's entry point (also
 * called by replay.c over a saved corpus) and an assertion that stays on
 * in release builds, so a broken invariant is a crash the fuzzer keeps. */
#ifndef DDBD_FUZZ_H
#define DDBD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)                                                                                                 \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            abort();                                                                                                   \
    } while (0)

#endif
