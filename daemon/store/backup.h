/*
 * backup.h: a copy of the live database, made by the running daemon with
 * SQLite's online backup API, a few pages per turn of the event loop so
 * that deliveries and requests go on meanwhile.
 *
 * The copy is written to a temporary file beside the target (mode 0600),
 * flushed, then given its name: a reader never sees half a backup.  It is
 * the same database: sealed fields stay sealed, and the master key is not
 * in it.  One backup at a time.
 */
#ifndef STOPPVIF_BACKUP_H
#define STOPPVIF_BACKUP_H

#include <stdint.h>

#include <jansson.h>

struct config;
struct error;
struct event_base;
struct store;

struct backup;

/* The backups of st, stepped on base; both outlive it. */
struct backup	*backup_new(struct event_base *, struct store *);
/* Stop a backup under way (its temporary file removed) and free; NULL is
 * ignored. */
void		 backup_free(struct backup *);

/*
 * Start copying the database to path, an absolute path in a folder the
 * daemon can write; an existing file is replaced only with force.  The
 * database, its journal and the key file are never a target (conf).
 * Returns the backup's number (from 1), or -1 with err: field "file" for
 * a path that will not do, ERR_CONFLICT while another backup runs.
 */
int64_t		 backup_start(struct backup *, const char *path, int force,
		    const struct config *conf, struct error *err);

/*
 * The last backup, a new JSON object: {"id", "state": "running" | "done" |
 * "failed", "file", "pages", "pages_total", "bytes", "seconds", "error"};
 * {"state": "none"} when none was made since the start.
 */
json_t		*backup_status(struct backup *);

#endif
