/*
 * retention.c: erasing what was sent, when its time is up.
 *
 * Two copies of a message outlive its sending: its payload in the outbox
 * (sealed, so that `outbox list --show-body` can render it again) and, on
 * a channel the spool plugin serves, the file the plugin wrote, in clear.
 * A settled message's payload is erased [privacy] keep_bodies after it
 * settled (outbox.h says when that is); its delivery metadata stays for the
 * reports.  The WAL is then checkpointed and truncated: with secure_delete
 * the erased bytes are zeroed in the database file and nothing is left of
 * them in the WAL (exclusive locking: no -shm file; WAL mode: no journal).
 * A spool file is deleted keep_spool after it was written, and at once
 * when the person it was for is erased.
 *
 * No polling: one timer, armed for the earliest moment something falls due,
 * recomputed by each sweep and moved earlier when a message settles, a
 * person is erased or the configuration is reloaded.  It never fires sooner
 * than a spacing after the last sweep (a hundredth of the shorter keep, from
 * 1 s to 1 h), so that a flood of messages is erased in a few batches, not
 * one wake-up each.  With nothing kept, the timer is not armed.
 *
 * The spool's files are the host's to delete (the plugin ABI has no timer).
 * They are known by the names spool.c gives them: ID-KEY.eml and ID-KEY.sms,
 * and .NAME.tmp while one is written, ID the outbox id, which links a file
 * to its recipient.  Only regular files directly in the folder with such a
 * name are touched, and never followed: a symbolic link, a folder or a file
 * of any other name is left alone.  A deletion that fails is logged and
 * tried again a minute later, and at every start.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "chan.h"
#include "config.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "retention.h"
#include "store.h"
#include "util.h"

#define RETENTION_SPACING_MAX	3600	/* seconds between sweeps, at most */
#define RETENTION_RETRY		60	/* seconds before a failure is retried */
#define RETENTION_ID_DIGITS	18	/* of an outbox id in a file name */

struct retention {
	struct store		 *store;
	struct config		**conf;
	struct event		 *ev;
	int64_t			  armed;	/* when it fires; -1: not armed */
	int64_t			  last;		/* the last sweep */
};

/* One pass over the spool folders. */
struct retention_pass {
	int64_t		 now;
	int64_t		 keep;		/* keep_spool */
	int64_t		 next;		/* the next file due; -1: none */
	int		 deleted;
	int		 failed;
};

/* The earlier of two times, -1 being none. */
static int64_t
retention_min(int64_t a, int64_t b)
{
	if (a == -1)
		return b;
	return b == -1 || a < b ? a : b;
}

/* The least time between two sweeps under conf. */
static int64_t
retention_spacing(const struct config *conf)
{
	int64_t	 s;

	s = retention_min(conf->keep_bodies, conf->keep_spool) / 100;
	if (s < 1)
		return 1;
	return s > RETENTION_SPACING_MAX ? RETENTION_SPACING_MAX : s;
}

/*
 * Have the timer fire at UTC second at, or at the spacing after the last
 * sweep if that is later; a timer armed for sooner stays.
 */
static void
retention_arm(struct retention *r, int64_t at)
{
	struct timeval	 tv = { 0, 0 };
	int64_t		 now = util_now(), earliest;

	earliest = r->last + retention_spacing(*r->conf);
	if (at < earliest)
		at = earliest;
	if (r->armed != -1 && r->armed <= at)
		return;
	r->armed = at;
	if (at > now)
		tv.tv_sec = (time_t)(at - now);
	evtimer_add(r->ev, &tv);
	log_debug("retention armed in=%llds", (long long)tv.tv_sec);
}

/*
 * The folder of channel c when the spool plugin serves it (a new string),
 * else NULL.  Read as plugin.c and spool.c read the section: no section, or
 * an empty one, or plugin = spool; its dir resolved against the
 * configuration file's folder, else "spool" in the state folder.
 */
static char *
retention_spool_dir(const struct config *conf, enum chan c)
{
	const struct config_channel	*sec;
	const char			*plugin, *dir;
	char				*path;

	sec = config_channel(conf, chan_name(c));
	plugin = config_kv(sec, "plugin", NULL);
	if (sec != NULL && sec->nkv > 0 &&
	    (plugin == NULL || strcmp(plugin, "spool") != 0))
		return NULL;
	if ((dir = config_kv(sec, "dir", NULL)) != NULL && *dir != '\0')
		return util_path_resolve(conf->file, dir);
	xasprintf(&path, "%s/spool", conf->state_dir);
	return path;
}

/* Whether c may be in the KEY part of a spool file's name. */
static int
retention_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * Whether name is one the spool plugin gives: ID.eml, ID-KEY.eml (or .sms),
 * or one of them as .NAME.tmp; *id is then the outbox id ID.
 */
static int
retention_spool_name(const char *name, int64_t *id)
{
	size_t	 len = strlen(name), i, n;
	int64_t	 v = 0;

	if (name[0] == '.') {
		if (len < 5 || strcmp(name + len - 4, ".tmp") != 0)
			return 0;
		name++;
		len -= 5;
	}
	if (len < 5 || (strncmp(name + len - 4, ".eml", 4) != 0 &&
	    strncmp(name + len - 4, ".sms", 4) != 0))
		return 0;
	len -= 4;
	for (n = 0; n < len && name[n] >= '0' && name[n] <= '9'; n++) {
		if (n == RETENTION_ID_DIGITS)
			return 0;
		v = v * 10 + (name[n] - '0');
	}
	if (n == 0 || (n < len && name[n] != '-'))
		return 0;
	for (i = n; i < len; i++)
		if (!retention_key_char(name[i]))
			return 0;
	*id = v;
	return 1;
}

/* Whether the recipient of outbox message id has been erased. */
static int
retention_erased(struct store *st, int64_t id)
{
	int64_t	 person = outbox_person(st, id);

	return person != -1 && !people_exists(st, person);
}

/*
 * Delete what is due in an open spool folder: files written keep_spool ago
 * or more, by the earlier of their modification and change times (a rename
 * or a touch gives no file more time), and the files of an erased person.
 */
static void
retention_spool_files(struct retention *r, DIR *dp, const char *dir,
    struct retention_pass *p)
{
	struct dirent	*de;
	struct stat	 sb;
	int64_t		 id, due;
	int		 dfd = dirfd(dp), n = 0;

	while ((de = readdir(dp)) != NULL) {
		if (!retention_spool_name(de->d_name, &id) ||
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		due = (sb.st_mtime < sb.st_ctime ? sb.st_mtime :
		    sb.st_ctime) + p->keep;
		if (due > p->now && !retention_erased(r->store, id)) {
			p->next = retention_min(p->next, due);
			continue;
		}
		if (unlinkat(dfd, de->d_name, 0) == 0 || errno == ENOENT)
			n++;
		else {
			log_warn("retention spool_delete_failed dir=%s file=%s",
			    dir, de->d_name);
			p->failed++;
		}
	}
	/* the deletions last across a crash */
	if (n > 0 && fsync(dfd) == -1)
		log_warn("retention spool_fsync dir=%s", dir);
	if (n > 0)
		log_info("retention spool_deleted dir=%s files=%d", dir, n);
	p->deleted += n;
}

/* Sweep one spool folder, if it is there and the daemon's own. */
static void
retention_spool_dir_sweep(struct retention *r, const char *dir,
    struct retention_pass *p)
{
	struct stat	 sb;
	DIR		*dp;
	int		 dfd;

	/* the folder itself is the administrator's choice, as the plugin
	 * opens it; what is in it is not followed */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1) {
		if (errno != ENOENT) {	/* missing: nothing was written */
			log_warn("retention spool_open dir=%s", dir);
			p->failed++;
		}
		return;
	}
	if (fstat(dfd, &sb) == -1 || sb.st_uid != geteuid()) {
		log_warnx("retention spool_skipped dir=%s reason=\"not owned by "
		    "the daemon's user\"", dir);
		close(dfd);
		return;
	}
	if ((dp = fdopendir(dfd)) == NULL) {
		log_warn("retention spool_open dir=%s", dir);
		close(dfd);
		p->failed++;
		return;
	}
	retention_spool_files(r, dp, dir, p);
	closedir(dp);
}

/* Sweep the folder of every channel the spool plugin serves, once each. */
static void
retention_spool(struct retention *r, int64_t now, struct retention_pass *p)
{
	const struct config	*conf = *r->conf;
	char			*dirs[CHAN_COUNT];
	int			 c, i, seen;

	memset(p, 0, sizeof *p);
	p->now = now;
	p->keep = conf->keep_spool;
	p->next = -1;
	for (c = 0; c < CHAN_COUNT; c++) {
		dirs[c] = retention_spool_dir(conf, c);
		for (seen = 0, i = 0; i < c && dirs[c] != NULL; i++)
			if (dirs[i] != NULL && strcmp(dirs[i], dirs[c]) == 0)
				seen = 1;
		if (dirs[c] != NULL && !seen)
			retention_spool_dir_sweep(r, dirs[c], p);
	}
	for (c = 0; c < CHAN_COUNT; c++)
		free(dirs[c]);
}

/*
 * Erase the payloads that are due and checkpoint the WAL after; the time
 * the next one falls due (-1: none), or a retry's after a failure.
 */
static int64_t
retention_bodies(struct retention *r, int64_t now)
{
	int64_t	 keep = (*r->conf)->keep_bodies;
	char	*cause = NULL;
	int	 n;

	if (store_in_txn(r->store)) {	/* a bug elsewhere: not ours to end */
		log_warnx("retention erase_deferred reason=\"transaction open\"");
		return now + RETENTION_RETRY;
	}
	if (outbox_erase_bodies(r->store, keep, now, &n, &cause) == -1) {
		log_warnx("retention erase_failed error=\"%s\"",
		    LOG_QUOTE(cause));
		free(cause);
		return now + RETENTION_RETRY;
	}
	if (n > 0) {
		log_info("retention erased bodies=%d", n);
		if (store_checkpoint(r->store, &cause) == -1) {
			log_warnx("retention checkpoint_failed error=\"%s\"",
			    LOG_QUOTE(cause));
			free(cause);
			return now + RETENTION_RETRY;
		}
	}
	return outbox_next_erasure(r->store, keep);
}

/* The timer: erase and delete what is due, then arm for what is next. */
static void
retention_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct retention	*r = arg;
	struct retention_pass	 p;
	int64_t			 now = util_now(), next;

	r->armed = -1;
	r->last = now;
	next = retention_bodies(r, now);
	retention_spool(r, now, &p);
	next = retention_min(next, p.next);
	if (p.failed > 0)
		next = retention_min(next, now + RETENTION_RETRY);
	if (next == -1)
		log_debug("retention idle");
	else
		retention_arm(r, next);
}

/* Whether the spool plugin serves a channel of conf. */
static int
retention_spooled(const struct config *conf)
{
	char	*dir;
	int	 c, n = 0;

	for (c = 0; c < CHAN_COUNT; c++) {
		n += (dir = retention_spool_dir(conf, c)) != NULL;
		free(dir);
	}
	return n > 0;
}

/*
 * Messages settled now: the first of them falls due a keep_bodies from now,
 * or a keep_spool for its file if that is shorter.
 */
static void
retention_settled(void *arg)
{
	struct retention	*r = arg;
	const struct config	*conf = *r->conf;
	int64_t			 keep = conf->keep_bodies;

	if (conf->keep_spool < keep && retention_spooled(conf))
		keep = conf->keep_spool;
	retention_arm(r, util_now() + keep);
}

/*
 * Person id is being erased (people_remove's hook, in its transaction):
 * their payloads go, their pending messages are cancelled, and their spool
 * files are deleted now.  A file that cannot be is tried again later: the
 * sweep finds it by its message's erased recipient.
 */
static int
retention_forget(void *arg, int64_t id, char **cause)
{
	struct retention	*r = arg;
	struct retention_pass	 p;
	int			 n;

	if (outbox_forget_person(r->store, id, &n, cause) == -1)
		return -1;
	retention_spool(r, util_now(), &p);
	log_info("retention person_erased id=%lld bodies=%d spool_deleted=%d",
	    (long long)id, n, p.deleted);
	if (p.failed > 0) {
		log_warnx("retention person_spool_failed id=%lld files=%d "
		    "retry_in=%ds", (long long)id, p.failed, RETENTION_RETRY);
		retention_arm(r, p.now + RETENTION_RETRY);
	} else if (p.next != -1)
		retention_arm(r, p.next);
	return 0;
}

struct retention *
retention_new(struct event_base *base, struct store *store,
    struct config **conf)
{
	struct retention	*r = xcalloc(1, sizeof *r);

	r->store = store;
	r->conf = conf;
	r->armed = -1;
	if ((r->ev = evtimer_new(base, retention_sweep, r)) == NULL)
		fatalx("retention start_failed step=timer");
	outbox_set_settled(retention_settled, r);
	people_set_erase_hook(retention_forget, r);
	retention_arm(r, util_now());	/* what fell due while stopped */
	return r;
}

void
retention_kick(struct retention *r)
{
	if (r == NULL)
		return;
	evtimer_del(r->ev);
	r->armed = -1;
	retention_arm(r, util_now());
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	outbox_set_settled(NULL, NULL);
	people_set_erase_hook(NULL, NULL);
	event_free(r->ev);
	free(r);
}
