/* data_cli.h - the data of a stopped data dir from the command line, and
 * --seed at start-up.
 *
 *   ddbd snapshot save    [--data-dir DIR] [--namespace NS] [--replace] NAME
 *   ddbd snapshot restore [--data-dir DIR] NAME
 *   ddbd snapshot list    [--data-dir DIR]
 *   ddbd snapshot delete  [--data-dir DIR] NAME
 *   ddbd reset            [--data-dir DIR] [--namespace NS]
 *   ddbd dump             [--data-dir DIR] (--namespace NS | --shared-db) [--table T]... [--out PATH]
 *   ddbd load             [--data-dir DIR] (--namespace NS | --shared-db) [--table T] PATH...
 *
 * Each is what the /_ddbd/ endpoint of the same name does on a running
 * ddbd (admin_snapshots.h), in one transaction, on a data dir no ddbd is
 * serving (store.h's lock: refused while one runs). Exit 0 on success, 1
 * when refused (with the reason on stderr), 2 on a bad command line. */
#ifndef DDBD_DATA_CLI_H
#define DDBD_DATA_CLI_H

#include <stdbool.h>

#include "api/seed.h"
#include "storage/store.h"

/* Whether argv[1] is one of the commands above. */
bool data_cli_is_command(const char *word);
/* argv[0] is the command's name. */
int data_cli_main(int argc, char **argv);

/* --seed: creates cfg's tables and items in one transaction before ddbd
 * serves (SEED_CREATE: tables that exist are left as they are). Returns 0,
 * or 1 after printing why (nothing was written). */
int data_cli_seed_at_start(store_t *store, bool shared_db, const seed_config_t *cfg);

#endif
