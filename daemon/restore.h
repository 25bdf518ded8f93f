/*
 * restore.h: stoppvifd --restore FILE, with the daemon stopped: the
 * database replaced by a backup (stoppvifctl backup) made with the same
 * key, the old one kept aside; and, at the next start, the restore written
 * to the audit log.
 */
#ifndef STOPPVIF_RESTORE_H
#define STOPPVIF_RESTORE_H

struct config;
struct store;

/*
 * Refused while a daemon runs (its socket answers, or the database is
 * locked); then FILE is copied beside the database and checked there: an
 * SQLite file with stoppvif's schema, of this version or older (the
 * migrations run at the next start), made with the key of [crypto]
 * key_file (its key check value), that PRAGMA integrity_check finds whole.
 * Only then the database is moved aside (stoppvif.db.before-restore-DATE)
 * and the copy renamed into its place.  Prints what it did, or why not
 * (nothing changed), in French.  Returns the exit code: 0 or 1.
 */
int	 restore_run(const struct config *, const char *file);

/*
 * At start, after audit_start(): when the database was restored since the
 * last start, write it to the audit log (as the user who ran --restore)
 * and log it.  0, or -1 with *cause.
 */
int	 restore_audit(struct store *, char **cause);

#endif
