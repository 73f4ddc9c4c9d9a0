/* check.h - the unit tests' whole framework.
 *
 * A test file defines static test functions and lists them in main():
 *     int main(void) { RUN(test_parse); RUN(test_format); return check_done(); }
 * CHECK records a failure and carries on; the process exits non-zero when
 * any check failed. Each test executable runs under meson's timeout. */
#ifndef DDBD_TEST_CHECK_H
#define DDBD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        check_count++;                                                                                                 \
        if (!(cond)) {                                                                                                 \
            check_failures++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
        }                                                                                                              \
    } while (0)

#define CHECK_STR(got, want)                                                                                           \
    do {                                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                                          \
        check_count++;                                                                                                 \
        if (!g_ || strcmp(g_, w_) != 0) {                                                                              \
            check_failures++;                                                                                          \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_);           \
        }                                                                                                              \
    } while (0)

#define RUN(fn)                                                                                                        \
    do {                                                                                                               \
        int before_ = check_failures;                                                                                  \
        fn();                                                                                                          \
        fprintf(stderr, "%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #fn);                                  \
    } while (0)

static inline int check_done(void)
{
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
