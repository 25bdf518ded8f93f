/*
 * restore.c: stoppvifd --restore FILE, the daemon stopped.
 *
 * Nothing is changed until everything is checked.  The lock of the
 * database is taken first and held to the end (a daemon started meanwhile
 * finds it locked).  FILE is copied beside the database, and that copy,
 * the very bytes that will be installed, is checked: an SQLite file with
 * stoppvif's schema, of a version this binary knows, made under the
 * configured key (its key check value), whole (PRAGMA integrity_check).
 * Then the old database is moved aside, stoppvif.db.before-restore-DATE,
 * with its WAL if it has one, and the copy renamed into place.
 *
 * People erased after the backup was taken come back with it.  The old
 * database's audit log tells which: its people.remove entries newer than
 * the backup's last entry, for the people the backup holds.  They are
 * printed, and logged again at the next start, to be erased once more.
 * The restore itself goes in the audit log at that start (restore_audit):
 * the copy carries a marker row in its meta table until then.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypt.h"
#include "keyfile.h"
#include "log.h"
#include "migrate.h"
#include "restore.h"
#include "store.h"
#include "util.h"

#define RESTORE_MARK	"restored"	/* the meta row until the next start */
#define RESTORE_IDS_MAX	4096		/* bytes of erased ids in the mark */

struct restore {
	const struct config	*conf;
	const char		*file;		/* the backup */
	char			*db;		/* state_dir/stoppvif.db */
	char			*tmp;		/* the copy beside it */
	char			*aside;		/* where the old one goes */
	sqlite3			*old;		/* the old one, locked */
	sqlite3			*copy;		/* the copy, being checked */
	int			 version;	/* the backup's schema */
	int			 old_unread;	/* its audit log unreadable */
	char			*erased;	/* "12,15": to erase again */
};

/* ---- the old database: locked, read, moved aside ---- */

/*
 * Open the old database and hold its lock to the end: exclusive locking
 * keeps the write lock once taken.  A lock held by another process is a
 * refusal; a file SQLite cannot read is moved aside all the same (the
 * restore is what it needs), its audit log unread.
 */
static int
restore_lock(struct restore *r, char **cause)
{
	int	 rc;

	if (access(r->db, F_OK) == -1)
		return 0;			/* a new machine: nothing */
	if (sqlite3_open_v2(r->db, &r->old, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r->old_unread = 1;
		return 0;
	}
	rc = sqlite3_exec(r->old, "PRAGMA locking_mode = EXCLUSIVE;"
	    "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		util_cause(cause, "la base %s est ouverte par un autre "
		    "programme (un stoppvifd, ou l'outil sqlite3) : arrêtez-le "
		    "d'abord (systemctl stop stoppvifd), puis recommencez",
		    r->db);
		return -1;
	}
	if (rc != SQLITE_OK)
		r->old_unread = 1;
	return 0;
}

/* Whether person id is in the copy. */
static int
restore_has_person(struct restore *r, int64_t id)
{
	sqlite3_stmt	*stmt;
	int		 found = 0;

	if (sqlite3_prepare_v2(r->copy, "SELECT 1 FROM people WHERE id = ?",
	    -1, &stmt, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(stmt, 1, id);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	return found;
}

/*
 * The people the old audit log says were erased after the backup's last
 * entry and that the backup holds: into r->erased ("12,15").
 */
static void
restore_erased(struct restore *r)
{
	sqlite3_stmt	*stmt;
	int64_t		 last, id;
	char		 num[24];
	size_t		 len = 0;

	if (r->old == NULL || r->old_unread)
		return;
	last = store_db_int(r->copy, "SELECT coalesce(max(id), 0) FROM audit");
	if (last == -1 || sqlite3_prepare_v2(r->old, "SELECT DISTINCT "
	    "object_id FROM audit WHERE action = 'people.remove' AND id > ?"
	    " ORDER BY object_id", -1, &stmt, NULL) != SQLITE_OK) {
		r->old_unread = 1;
		return;
	}
	sqlite3_bind_int64(stmt, 1, last);
	r->erased = xcalloc(1, RESTORE_IDS_MAX);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if (!restore_has_person(r, id))
			continue;
		snprintf(num, sizeof num, "%s%lld", len ? "," : "",
		    (long long)id);
		if (len + strlen(num) + 1 >= RESTORE_IDS_MAX)
			break;
		len = util_strlcat(r->erased, num, RESTORE_IDS_MAX);
	}
	sqlite3_finalize(stmt);
	if (len == 0) {
		free(r->erased);
		r->erased = NULL;
	}
}

/* ---- the copy: made beside the database, checked ---- */

/* Copy the bytes of fd into the file at r->tmp, flushed; -1 with errno. */
static int
restore_copy_fd(struct restore *r, int in)
{
	char	 buf[65536];
	ssize_t	 n, w, off;
	int	 out, rc = -1, saved;

	if ((out = open(r->tmp, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, n - off)) == -1)
				goto done;
	}
	if (n == 0 && fsync(out) == 0)
		rc = 0;
done:
	saved = errno;
	close(out);
	errno = saved;
	return rc;
}

/* FILE: a regular file, not empty, not an open database; copied to a new
 * file of mode 0600 beside the database.  0, or -1 with *cause. */
static int
restore_copy(struct restore *r, char **cause)
{
	struct stat	 sb;
	char		*wal;
	int		 in, fd, rc;

	if (stat(r->file, &sb) == -1) {
		if (errno == ENOENT)
			util_cause(cause, "%s : ce fichier n'existe pas "
			    "(vérifiez le chemin de la sauvegarde)", r->file);
		else
			util_cause(cause, "%s : %s", r->file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
		util_cause(cause, "%s %s : ce n'est pas une sauvegarde de "
		    "stoppvif", r->file, S_ISREG(sb.st_mode) ? "est vide" :
		    "n'est pas un fichier");
		return -1;
	}
	xasprintf(&wal, "%s-wal", r->file);
	rc = access(wal, F_OK);
	free(wal);
	if (rc == 0) {
		util_cause(cause, "%s-wal existe à côté de %s : c'est une base "
		    "ouverte ou copiée en marche, pas une sauvegarde faite par "
		    "stoppvifctl backup ; utilisez une telle sauvegarde", r->file,
		    r->file);
		return -1;
	}
	xasprintf(&r->tmp, "%s.restore-XXXXXX", r->db);
	if ((fd = mkostemp(r->tmp, O_CLOEXEC)) == -1) {
		util_cause(cause, "impossible de créer une copie dans %s : %s",
		    r->conf->state_dir, strerror(errno));
		free(r->tmp);
		r->tmp = NULL;
		return -1;
	}
	close(fd);
	if ((in = open(r->file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    restore_copy_fd(r, in) == -1) {
		util_cause(cause, "copie de %s dans %s impossible : %s",
		    r->file, r->conf->state_dir, strerror(errno));
		if (in != -1)
			close(in);
		return -1;
	}
	close(in);
	return 0;
}

/* What SQLite said of the copy, as a refusal naming FILE. */
static void
restore_sqlite_cause(struct restore *r, char **cause)
{
	int	 rc = sqlite3_extended_errcode(r->copy) & 0xff;

	if (rc == SQLITE_NOTADB)
		util_cause(cause, "%s n'est pas une base SQLite : ce n'est pas "
		    "une sauvegarde de stoppvif", r->file);
	else
		util_cause(cause, "%s est abîmée ou tronquée (SQLite : %s) : "
		    "prenez une autre sauvegarde", r->file,
		    sqlite3_errmsg(r->copy));
}

/* The copy is stoppvif's database, of a schema this binary knows. */
static int
restore_check_schema(struct restore *r, char **cause)
{
	if (sqlite3_open_v2(r->tmp, &r->copy, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(r->copy, "PRAGMA locking_mode = EXCLUSIVE", NULL,
	    NULL, NULL) != SQLITE_OK ||
	    (r->version = (int)store_db_int(r->copy, "PRAGMA user_version")) ==
	    -1) {
		restore_sqlite_cause(r, cause);
		return -1;
	}
	if (r->version == 0 || store_db_int(r->copy, "SELECT count(*) FROM "
	    "sqlite_master WHERE name IN ('meta', 'people', 'outbox')") != 3) {
		util_cause(cause, "%s est une base SQLite, mais pas celle de "
		    "stoppvif : ce n'est pas une sauvegarde de stoppvif", r->file);
		return -1;
	}
	if (r->version > migrate_latest()) {
		util_cause(cause, "%s vient d'une version plus récente de "
		    "stoppvif (schéma %d ; celle-ci connaît jusqu'au %d) : "
		    "restaurez-la avec cette version-là", r->file, r->version,
		    migrate_latest());
		return -1;
	}
	return 0;
}

/* The configured master key (never made here); NULL with *cause. */
static struct crypt_key *
restore_key(struct restore *r, char **path, char **cause)
{
	struct crypt_key	*key;
	char			*why = NULL;

	if ((*path = keyfile_path(r->conf, cause)) == NULL)
		return NULL;
	if (keyfile_is_credential(r->conf))
		key = keyfile_credential(*path, &why);
	else
		key = crypt_master_load(*path, 0, NULL, &why);
	if (key == NULL) {
		util_cause(cause, "%s ; remettez d'abord à sa place la clé avec "
		    "laquelle la sauvegarde a été faite ([crypto] key_file)",
		    why);
		free(why);
	}
	return key;
}

/* The copy's key check value is the configured key's. */
static int
restore_check_key(struct restore *r, char **cause)
{
	struct crypt_key	*key;
	sqlite3_stmt		*stmt = NULL;
	uint8_t			 kcv[CRYPT_KCV_BYTES];
	char			*path = NULL;
	int			 rc = -1, found = 0, match = 0;

	if ((key = restore_key(r, &path, cause)) == NULL)
		goto done;
	crypt_key_check_value(key, kcv);
	if (sqlite3_prepare_v2(r->copy, "SELECT value FROM meta WHERE key = "
	    "'key_check'", -1, &stmt, NULL) != SQLITE_OK) {
		restore_sqlite_cause(r, cause);
		goto done;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		found = 1;
		match = sqlite3_column_bytes(stmt, 0) == (int)sizeof kcv &&
		    sodium_memcmp(sqlite3_column_blob(stmt, 0), kcv,
		    sizeof kcv) == 0;
	}
	if (!found)
		util_cause(cause, "%s n'a pas de valeur de contrôle de clé : "
		    "une base jamais ouverte par stoppvifd n'est pas une "
		    "sauvegarde", r->file);
	else if (!match)
		util_cause(cause, "%s a été faite avec une autre clé que "
		    "celle de %s : remettez la clé de cette sauvegarde (et "
		    "[crypto] key_file), ou prenez une sauvegarde faite avec "
		    "cette clé", r->file, path);
	else
		rc = 0;
done:
	sqlite3_finalize(stmt);
	crypt_key_free(key);
	free(path);
	return rc;
}

/* PRAGMA integrity_check on the copy: every page, every index. */
static int
restore_check_whole(struct restore *r, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*row;
	int		 rc = -1;

	if (sqlite3_prepare_v2(r->copy, "PRAGMA integrity_check(3)", -1,
	    &stmt, NULL) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
		restore_sqlite_cause(r, cause);
		sqlite3_finalize(stmt);
		return -1;
	}
	row = (const char *)sqlite3_column_text(stmt, 0);
	if (row != NULL && strcmp(row, "ok") == 0)
		rc = 0;
	else
		util_cause(cause, "%s est abîmée (PRAGMA integrity_check : "
		    "%.*s) : prenez une autre sauvegarde", r->file,
		    row != NULL ? (int)strcspn(row, "\n") : 0, row ? row : "");
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The mark the next start audits, in the copy's meta table: who, when,
 * from which file, where the old one went, whom to erase again.
 */
static int
restore_mark(struct restore *r, char **cause)
{
	sqlite3_stmt	*stmt;
	char		 now[32], *mark;
	int		 rc;

	xasprintf(&mark, "%u\t%s\t%s\t%s\t%s", (unsigned)getuid(),
	    util_utc_now(now, sizeof now), r->file, r->aside ? r->aside : "",
	    r->erased ? r->erased : "");
	if (sqlite3_prepare_v2(r->copy, "INSERT OR REPLACE INTO meta "
	    "(key, value) VALUES ('" RESTORE_MARK "', ?)", -1, &stmt,
	    NULL) != SQLITE_OK) {
		free(mark);
		restore_sqlite_cause(r, cause);
		return -1;
	}
	sqlite3_bind_blob(stmt, 1, mark, (int)strlen(mark), SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	free(mark);
	if (rc != SQLITE_DONE) {
		restore_sqlite_cause(r, cause);
		return -1;
	}
	return 0;
}

/* ---- the swap ---- */

/* Close the copy (its WAL checkpointed) and flush it; 0 or -1. */
static int
restore_close_copy(struct restore *r, char **cause)
{
	int	 fd, rc;

	rc = sqlite3_close(r->copy);
	r->copy = NULL;
	if (rc != SQLITE_OK || (fd = open(r->tmp, O_RDONLY |
	    O_CLOEXEC)) == -1) {
		util_cause(cause, "fermeture de la copie %s impossible", r->tmp);
		return -1;
	}
	rc = fsync(fd);
	close(fd);
	if (rc == -1) {
		util_cause(cause, "%s : %s", r->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* Rename from to to, when from exists; 0 or -1 with errno. */
static int
restore_move(const char *from, const char *to)
{
	if (rename(from, to) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* The old database (and its WAL) aside, the copy in place, the folder
 * flushed. */
static int
restore_swap(struct restore *r, char **cause)
{
	char	 wal[4096], aside_wal[4096], shm[4096];
	int	 fd;

	sqlite3_close(r->old);		/* checkpoints its WAL, unlocks */
	r->old = NULL;
	snprintf(wal, sizeof wal, "%s-wal", r->db);
	snprintf(shm, sizeof shm, "%s-shm", r->db);
	if (r->aside != NULL) {
		snprintf(aside_wal, sizeof aside_wal, "%s-wal", r->aside);
		if (restore_move(r->db, r->aside) == -1 ||
		    restore_move(wal, aside_wal) == -1) {
			util_cause(cause, "impossible de mettre %s de côté : "
			    "%s", r->db, strerror(errno));
			return -1;
		}
		unlink(shm);
	}
	if (rename(r->tmp, r->db) == -1) {
		util_cause(cause, "impossible de mettre la copie à la place de "
		    "%s : %s", r->db, strerror(errno));
		/* the old one back in its place, as promised */
		if (r->aside != NULL && rename(r->aside, r->db) == -1)
			util_cause(cause, "impossible de mettre la copie à la "
			    "place de %s, ni d'y remettre l'ancienne base, qui "
			    "est dans %s : remettez-la (mv %s %s)", r->db,
			    r->aside, r->aside, r->db);
		return -1;
	}
	free(r->tmp);
	r->tmp = NULL;
	if ((fd = open(r->conf->state_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* The name the old database takes: stoppvif.db.before-restore-DATE. */
static char *
restore_aside_name(const char *db)
{
	char		 stamp[32], *aside;
	time_t		 now = time(NULL);
	struct tm	 tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	xasprintf(&aside, "%s.before-restore-%s", db, stamp);
	return aside;
}

/* Every step up to the swap; 0, or -1 with *cause (nothing changed). */
static int
restore_steps(struct restore *r, char **cause)
{
	if (api_running(r->conf->socket, cause)) {
		util_cause(cause, "un stoppvifd tourne (il répond sur %s) : "
		    "arrêtez-le d'abord (systemctl stop stoppvifd), puis "
		    "recommencez", r->conf->socket);
		return -1;
	}
	if (util_mkdir(r->conf->state_dir, 0750, cause) == -1 ||
	    util_check_dir(r->conf->state_dir, geteuid(), cause) == -1 ||
	    restore_lock(r, cause) == -1 || restore_copy(r, cause) == -1 ||
	    restore_check_schema(r, cause) == -1 ||
	    restore_check_key(r, cause) == -1 ||
	    restore_check_whole(r, cause) == -1)
		return -1;
	if (access(r->db, F_OK) == 0) {
		r->aside = restore_aside_name(r->db);
		if (access(r->aside, F_OK) == 0) {
			util_cause(cause, "%s existe déjà : attendez une "
			    "seconde, puis recommencez", r->aside);
			return -1;
		}
	}
	restore_erased(r);
	if (restore_mark(r, cause) == -1 || restore_close_copy(r, cause) == -1)
		return -1;
	return restore_swap(r, cause);
}

/* Say what was done. */
static void
restore_report(struct restore *r)
{
	printf("sauvegarde %s vérifiée : base de stoppvif (schéma %d), "
	    "entière, faite avec la clé configurée\n", r->file, r->version);
	if (r->aside != NULL)
		printf("ancienne base mise de côté : %s\n", r->aside);
	printf("base restaurée : %s\n", r->db);
	if (r->erased != NULL)
		printf("ATTENTION : personnes effacées après cette sauvegarde, "
		    "revenues avec elle : %s\n  effacez-les de nouveau une fois "
		    "le démon démarré (stoppvifctl people remove ID)\n",
		    r->erased);
	else if (r->old_unread)
		printf("ATTENTION : l'ancienne base ne se lit pas : vérifiez "
		    "vous-même qui a été effacé depuis la sauvegarde, et "
		    "effacez-le de nouveau\n");
	printf("démarrez le démon : il servira ces données, et la "
	    "restauration sera inscrite au journal d'audit\n");
}

int
restore_run(const struct config *conf, const char *file)
{
	struct restore	 r;
	char		*cause = NULL;
	int		 rc = 1;

	if (crypt_init() == -1)
		fatalx("crypto init_failed library=libsodium");
	memset(&r, 0, sizeof r);
	r.conf = conf;
	r.file = file;
	r.db = config_db_path(conf);
	if (restore_steps(&r, &cause) == -1) {
		fprintf(stderr, "stoppvifd --restore : %s\nrien n'a été "
		    "changé.\n", cause);
		free(cause);
	} else {
		restore_report(&r);
		rc = 0;
	}
	sqlite3_close(r.copy);
	sqlite3_close(r.old);
	if (r.tmp != NULL)
		unlink(r.tmp);
	free(r.tmp);
	free(r.aside);
	free(r.erased);
	free(r.db);
	return rc;
}

/* ---- at the next start ---- */

/* The fields of a mark: uid, at, file, aside, erased (tabs between). */
static int
restore_mark_fields(char *mark, const char **f, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		f[i] = mark;
		if (i + 1 < n && (mark = strchr(mark, '\t')) == NULL)
			return -1;
		if (i + 1 < n)
			*mark++ = '\0';
	}
	return 0;
}

int
restore_audit(struct store *st, char **cause)
{
	static const char *const del =
	    "DELETE FROM meta WHERE key = '" RESTORE_MARK "'";
	const char	*f[5];
	char		*mark = NULL;
	size_t		 len;
	int64_t		 uid;
	int		 rc;

	if ((rc = store_meta_get(st, RESTORE_MARK, (void **)&mark,
	    &len)) != 1) {
		if (rc == -1)
			util_cause(cause, "cannot read the restore mark: %s",
			    store_errmsg(st));
		return rc;
	}
	mark[len] = '\0';
	if (restore_mark_fields(mark, f, 5) == -1 ||
	    util_parse_int(f[0], 0, UINT32_MAX, &uid) == -1) {
		f[1] = f[2] = f[3] = "?";
		f[4] = "";
		uid = 0;
	}
	if (store_begin(st, cause) == -1 || audit_record(st, (uid_t)uid,
	    "restore", "database", 0, cause) == -1 ||
	    store_exec_stmt(st, store_stmt(st, del), cause) == -1 ||
	    store_commit(st, cause) == -1) {
		store_rollback(st);
		free(mark);
		return -1;
	}
	log_info("store restored at=%s from=\"%s\" old=\"%s\"", f[1],
	    LOG_QUOTE(f[2]), LOG_QUOTE(f[3]));
	if (*f[4] != '\0')
		log_warnx("store restored erased_again_needed=%s hint=\"people "
		    "erased after the backup was taken: stoppvifctl people "
		    "remove each again\"", f[4]);
	free(mark);
	return 0;
}
