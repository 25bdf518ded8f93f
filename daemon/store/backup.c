/*
 * backup.c: a copy of the live database while the daemon runs.
 *
 * SQLite's online backup API copies BACKUP_PAGES pages per step; between
 * two steps the event loop turns (a zero timer, behind the sockets' events),
 * so a delivery burst or a request waits one step at most.  The source is
 * the store's own connection: a page the daemon writes meanwhile is written
 * to the copy as well, so the copy is the database as it was when the last
 * step ended, a consistent snapshot.  The copy goes to a temporary file
 * beside the target, mode 0600, is flushed, then linked to its name (or
 * renamed over the old file with force) and the folder flushed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "backup.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define BACKUP_PAGES	128	/* pages a step: half a megabyte */
#define BACKUP_BUSY_US	10000	/* wait before a step the lock refused */

enum backup_state { BACKUP_NONE, BACKUP_RUNNING, BACKUP_DONE, BACKUP_FAILED };

struct backup {
	struct event_base	*base;
	struct store		*st;
	struct event		*ev;		/* the next step */
	enum backup_state	 state;
	int64_t			 id;		/* of the last one, from 1 */
	char			*path;
	char			*tmp;		/* the copy until it is whole */
	int			 force;
	sqlite3			*dst;
	sqlite3_backup		*bk;
	int			 pages, total;
	int64_t			 bytes;
	struct timespec		 t0;
	double			 seconds;
	char			*error;		/* why it failed, French */
};

static const char *const backup_states[] = {
	"none", "running", "done", "failed"
};

static void	backup_step(evutil_socket_t, short, void *);

struct backup *
backup_new(struct event_base *base, struct store *st)
{
	struct backup	*b = xcalloc(1, sizeof *b);

	b->base = base;
	b->st = st;
	if ((b->ev = evtimer_new(base, backup_step, b)) == NULL)
		fatalx("backup start_failed step=timer");
	return b;
}

/* Close the copy in progress and remove its temporary file. */
static void
backup_drop(struct backup *b)
{
	if (b->bk != NULL)
		sqlite3_backup_finish(b->bk);
	b->bk = NULL;
	sqlite3_close(b->dst);
	b->dst = NULL;
	if (b->tmp != NULL && unlink(b->tmp) == -1 && errno != ENOENT)
		log_warn("backup unlink_failed id=%lld", (long long)b->id);
	free(b->tmp);
	b->tmp = NULL;
}

void
backup_free(struct backup *b)
{
	if (b == NULL)
		return;
	if (b->state == BACKUP_RUNNING)
		log_warnx("backup stopped id=%lld reason=shutdown",
		    (long long)b->id);
	backup_drop(b);
	event_free(b->ev);
	free(b->path);
	free(b->error);
	free(b);
}

/* Seconds since the backup started. */
static double
backup_elapsed(const struct backup *b)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - b->t0.tv_sec) +
	    (double)(t.tv_nsec - b->t0.tv_nsec) / 1e9;
}

/* The backup failed: say why (a new string, taken), drop the copy. */
static void
backup_fail(struct backup *b, char *why)
{
	backup_drop(b);
	b->state = BACKUP_FAILED;
	b->seconds = backup_elapsed(b);
	free(b->error);
	b->error = why;
	log_warnx("backup failed id=%lld error=\"%s\"", (long long)b->id,
	    LOG_QUOTE(why));
}

/* A failure of SQLite on the copy, in French with what to do. */
static char *
backup_sqlite_cause(struct backup *b, int rc)
{
	char	*why;

	switch (rc & 0xff) {
	case SQLITE_FULL:
		xasprintf(&why, "le disque où va %s est plein : libérez de la "
		    "place ou choisissez un autre dossier, puis recommencez",
		    b->path);
		break;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		xasprintf(&why, "erreur d'écriture de %s (%s) : vérifiez le "
		    "disque et les droits du dossier, puis recommencez",
		    b->path, b->dst != NULL ? sqlite3_errmsg(b->dst) :
		    sqlite3_errstr(rc));
		break;
	default:
		xasprintf(&why, "copie de la base interrompue : %s",
		    b->dst != NULL ? sqlite3_errmsg(b->dst) :
		    sqlite3_errstr(rc));
	}
	return why;
}

/* Flush the file at path (and learn its size), or -1 with errno. */
static int
backup_sync(const char *path, int64_t *bytes)
{
	struct stat	 sb;
	int		 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd) == 0 && fstat(fd, &sb) == 0 ? 0 : -1;
	if (rc == 0)
		*bytes = (int64_t)sb.st_size;
	close(fd);
	return rc;
}

/*
 * Link tmp to path, which must not exist; on a file system without hard
 * links (a network or FAT share), a rename after a last look at path.
 */
static int
backup_link(const char *tmp, const char *path)
{
	struct stat	 sb;

	if (link(tmp, path) == 0)
		return 0;
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	if (lstat(path, &sb) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(tmp, path);
}

/*
 * Give the whole copy its name: linked (the name must still be free) or,
 * with force, renamed over the old file; then flush the folder.  0, or -1
 * with *why.
 */
static int
backup_place(struct backup *b, char **why)
{
	char	*dir;
	int	 fd;

	if (b->force ? rename(b->tmp, b->path) == -1 :
	    backup_link(b->tmp, b->path) == -1) {
		if (errno == EEXIST)
			xasprintf(why, "le fichier %s a été créé pendant la "
			    "sauvegarde : choisissez un autre nom, ou --force "
			    "pour le remplacer", b->path);
		else
			xasprintf(why, "impossible de nommer la copie %s : %s",
			    b->path, strerror(errno));
		return -1;
	}
	if (!b->force && access(b->tmp, F_OK) == 0)
		unlink(b->tmp);
	free(b->tmp);
	b->tmp = NULL;
	dir = util_dirname(b->path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (fsync(fd) == -1)
			log_warn("backup dir_sync_failed id=%lld",
			    (long long)b->id);
		close(fd);
	}
	free(dir);
	return 0;
}

/* The last step is done: close the copy, flush it and give it its name. */
static void
backup_end(struct backup *b)
{
	char	*why = NULL;
	int	 rc;

	rc = sqlite3_backup_finish(b->bk);
	b->bk = NULL;
	if (rc != SQLITE_OK) {
		backup_fail(b, backup_sqlite_cause(b, rc));
		return;
	}
	if (sqlite3_close(b->dst) != SQLITE_OK)
		log_warnx("backup close_failed id=%lld", (long long)b->id);
	b->dst = NULL;
	if (backup_sync(b->tmp, &b->bytes) == -1) {
		xasprintf(&why, "écriture de %s sur le disque impossible : %s",
		    b->path, strerror(errno));
		backup_fail(b, why);
		return;
	}
	if (backup_place(b, &why) == -1) {
		backup_fail(b, why);
		return;
	}
	b->state = BACKUP_DONE;
	b->seconds = backup_elapsed(b);
	log_info("backup done id=%lld file=\"%s\" pages=%d bytes=%lld "
	    "usec=%lld", (long long)b->id, LOG_QUOTE(b->path), b->total,
	    (long long)b->bytes, (long long)(b->seconds * 1e6));
}

/* One step of BACKUP_PAGES pages, then yield to the loop. */
static void
backup_step(evutil_socket_t fd, short what, void *arg)
{
	struct backup	*b = arg;
	struct timeval	 tv = { 0, 0 };
	int		 rc;

	rc = sqlite3_backup_step(b->bk, BACKUP_PAGES);
	b->total = sqlite3_backup_pagecount(b->bk);
	b->pages = b->total - sqlite3_backup_remaining(b->bk);
	switch (rc) {
	case SQLITE_DONE:
		backup_end(b);
		return;
	case SQLITE_OK:
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* a transaction of the daemon is open: try again shortly */
		tv.tv_usec = BACKUP_BUSY_US;
		break;
	default:
		backup_fail(b, backup_sqlite_cause(b, rc));
		return;
	}
	evtimer_add(b->ev, &tv);
}

/*
 * Whether the existing file or folder at path is the same as the one at
 * other (a path that may not exist).
 */
static int
backup_same(const struct stat *sb, const char *other)
{
	struct stat	 ob;

	return other != NULL && stat(other, &ob) == 0 &&
	    ob.st_dev == sb->st_dev && ob.st_ino == sb->st_ino;
}

/* The folder of path: it exists and the daemon may write in it, and it is
 * not the state folder.  0, or -1 with err. */
static int
backup_check_dir(const char *path, const struct config *conf,
    struct error *err)
{
	struct stat	 sb;
	char		*dir = util_dirname(path);
	int		 rc = -1;

	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		error_set(err, ERR_INVALID, "file", "le dossier %s n'existe "
		    "pas : créez-le (mkdir -p %s) ou choisissez un dossier qui "
		    "existe", dir, dir);
	else if (backup_same(&sb, conf->state_dir))
		error_set(err, ERR_INVALID, "file", "%s est le dossier de la "
		    "base elle-même : une panne de ce disque emporterait les "
		    "deux ; choisissez un autre dossier (par exemple "
		    "/var/backups/stoppvif)", dir);
	else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == -1)
		error_set(err, ERR_INVALID, "file", "stoppvifd (uid %u) ne "
		    "peut pas écrire dans le dossier %s%s (propriétaire uid "
		    "%u, mode %04o) : donnez-lui ce dossier (chown %u %s) ou "
		    "choisissez-en un à lui", (unsigned)geteuid(), dir,
		    errno == EROFS ? ", en lecture seule," : "",
		    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777),
		    (unsigned)geteuid(), dir);
	else
		rc = 0;
	free(dir);
	return rc;
}

/* What may be at path: nothing, or a file to replace with force that is
 * neither the database nor the key.  0, or -1 with err. */
static int
backup_check_target(const char *path, int force, const struct config *conf,
    struct error *err)
{
	struct stat	 sb;
	char		*db;
	int		 own;

	if (lstat(path, &sb) == -1)
		return 0;
	if (S_ISDIR(sb.st_mode)) {
		error_set(err, ERR_INVALID, "file", "%s est un dossier : "
		    "donnez le nom du fichier à écrire, par exemple "
		    "%s/stoppvif.db", path, path);
		return -1;
	}
	db = config_db_path(conf);
	own = backup_same(&sb, db) || (strncmp(conf->key_file,
	    CONFIG_CREDENTIAL, strlen(CONFIG_CREDENTIAL)) != 0 &&
	    backup_same(&sb, conf->key_file));
	free(db);
	if (own) {
		error_set(err, ERR_INVALID, "file", "%s est la base ou la clé "
		    "du démon : une sauvegarde ne peut pas la remplacer", path);
		return -1;
	}
	if (!force) {
		error_set(err, ERR_CONFLICT, "file", "le fichier %s existe "
		    "déjà : choisissez un autre nom, ou --force pour le "
		    "remplacer", path);
		return -1;
	}
	return 0;
}

/* Check path before anything is written; 0, or -1 with err. */
static int
backup_check(const char *path, int force, const struct config *conf,
    struct error *err)
{
	size_t	 len = strlen(path);

	if (path[0] != '/' || len < 2 || path[len - 1] == '/' ||
	    len >= PATH_MAX - 16) {
		error_set(err, ERR_INVALID, "file", "chemin absolu d'un "
		    "fichier attendu (par exemple /var/backups/stoppvif/"
		    "stoppvif.db)");
		return -1;
	}
	if (backup_check_dir(path, conf, err) == -1)
		return -1;
	return backup_check_target(path, force, conf, err);
}

/* The temporary file beside path and the copy's connection on it; 0, or
 * -1 with err. */
static int
backup_open(struct backup *b, struct error *err)
{
	char	*cause = NULL;
	int	 fd;

	xasprintf(&b->tmp, "%s.XXXXXX.tmp", b->path);
	if ((fd = mkostemps(b->tmp, 4, O_CLOEXEC)) == -1) {
		error_set(err, ERR_INVALID, "file", "impossible de créer un "
		    "fichier à côté de %s : %s", b->path, strerror(errno));
		free(b->tmp);
		b->tmp = NULL;
		return -1;
	}
	close(fd);	/* SQLite's locks would not survive our close later */
	if (sqlite3_open_v2(b->tmp, &b->dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->dst, "PRAGMA journal_mode = OFF;"
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK ||
	    (b->bk = store_backup_init(b->st, b->dst, &cause)) == NULL) {
		error_set(err, ERR_INTERNAL, NULL, "copie de la base "
		    "impossible : %s", cause != NULL ? cause : b->dst != NULL ?
		    sqlite3_errmsg(b->dst) : "mémoire épuisée");
		free(cause);
		backup_drop(b);
		return -1;
	}
	return 0;
}

int64_t
backup_start(struct backup *b, const char *path, int force,
    const struct config *conf, struct error *err)
{
	struct timeval	 now = { 0, 0 };
	char		*prev;

	if (b->state == BACKUP_RUNNING) {
		error_set(err, ERR_CONFLICT, NULL, "une sauvegarde est déjà en "
		    "cours (vers %s, %d pages sur %d) : attendez qu'elle "
		    "finisse, puis recommencez", b->path, b->pages, b->total);
		return -1;
	}
	if (backup_check(path, force, conf, err) == -1)
		return -1;
	prev = b->path;
	b->path = xstrdup(path);
	b->force = force;
	if (backup_open(b, err) == -1) {
		free(b->path);
		b->path = prev;		/* the last backup's, as it was */
		return -1;
	}
	free(prev);
	free(b->error);
	b->error = NULL;
	b->state = BACKUP_RUNNING;
	b->id++;
	b->pages = b->total = 0;
	b->bytes = 0;
	b->seconds = 0;
	clock_gettime(CLOCK_MONOTONIC, &b->t0);
	evtimer_add(b->ev, &now);
	log_info("backup started id=%lld file=\"%s\"", (long long)b->id,
	    LOG_QUOTE(path));
	return b->id;
}

json_t *
backup_status(struct backup *b)
{
	if (b->state == BACKUP_NONE)
		return json_pack("{ss}", "state", "none");
	return json_pack("{sI ss ss si si sI sf so}",
	    "id", (json_int_t)b->id,
	    "state", backup_states[b->state],
	    "file", b->path,
	    "pages", b->pages,
	    "pages_total", b->total,
	    "bytes", (json_int_t)b->bytes,
	    "seconds", b->state == BACKUP_RUNNING ? backup_elapsed(b) :
	    b->seconds,
	    "error", b->error != NULL ? json_string(b->error) : json_null());
}
