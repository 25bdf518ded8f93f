/*
 * migrate.h: numbered schema migrations on PRAGMA user_version.  Each
 * migration runs in its own transaction, which also sets the version.
 */
#ifndef STOPPVIF_MIGRATE_H
#define STOPPVIF_MIGRATE_H

#include <sqlite3.h>

/* The version the migrations lead to. */
int	migrate_latest(void);

/*
 * Bring db from its current version up to target (migrate_latest() for all).
 * A database newer than this program is refused.  Returns 0 or -1 with
 * *cause set; a failed migration leaves the previous version intact.
 */
int	migrate_run(sqlite3 *db, int target, char **cause);

#endif
