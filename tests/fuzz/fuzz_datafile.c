/* fuzz_datafile.c - the start-up walk of a data file's pages
 * (storage/verify.h) over arbitrary bytes: it must answer, never crash,
 * loop or read outside the file, whatever the pages say. The input is
 * the file (4096-byte pages); the corpus holds real ddbd data files. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "storage/verify.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("datafile", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char why[256] = "";
        if (verify_data_file(fd, 4096, why, sizeof why) != 0)
            FUZZ_ASSERT(why[0] != '\0');
    }
    close(fd);
    return 0;
}
