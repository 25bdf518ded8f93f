/*
 * privdrop.c: least privilege for stoppvifd.
 *
 * The daemon needs root for nothing: its folders can be given to its user
 * before anything is opened.  So, started as root with [daemon] user, it
 * makes the folders it writes (state, control socket, master key, SMS
 * secret) for that user, refuses the ones that exist and belong to someone
 * else (chowning a configured path as root could hand /var/lib or /run to
 * the daemon after a typo), then sets its groups, gid and uid for good and
 * checks that root cannot come back.  Only then are the key, the database,
 * the plugins and the sockets opened, as that user: a listening port under
 * 1024 is therefore refused (the systemd unit, without capabilities, could
 * not open one either).
 *
 * Not dumpable and without core files from the start: the master key and
 * decrypted contacts live in this process's memory.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "privdrop.h"
#include "util.h"

#define PRIVDROP_DIR_MODE	0750	/* state and socket folders */
#define PRIVDROP_KEY_DIR_MODE	0700	/* the folder of a key or secret */
#define PRIVDROP_PORT_MIN	1024	/* below: root's ports */

/* The user to become, copied out of getpwnam()'s static answer. */
struct pd_user {
	char	*name;
	uid_t	 uid;
	gid_t	 gid;
};

void
privdrop_harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("daemon harden_failed call=prctl_dumpable");
	/* refused (a seccomp filter), it may still be 0 already */
	if (setrlimit(RLIMIT_CORE, &rl) == -1 &&
	    (getrlimit(RLIMIT_CORE, &rl) == -1 || rl.rlim_max != 0))
		fatal("daemon harden_failed call=setrlimit_core");
}

/*
 * Stop at start-up on the problems of errs, one log line each (each line
 * of errs says what to do, in French), then the line that stops.
 */
static void __attribute__((noreturn))
pd_fatal(const char *errs)
{
	const char	*p, *nl;
	char		*line;
	int		 n = 0;

	for (p = errs; *p != '\0'; p = *nl == '\0' ? nl : nl + 1) {
		nl = strchrnul(p, '\n');
		if (nl == p)
			continue;
		line = xstrndup(p, (size_t)(nl - p));
		log_warnx("daemon privileges_refused error=\"%s\"",
		    LOG_QUOTE(line));
		free(line);
		n++;
	}
	fatalx("daemon start_failed step=privileges problems=%d", n);
}

/* Look up the [daemon] user of conf into *u; -1 with the problem in *errs. */
static int
pd_lookup(const struct config *conf, struct pd_user *u, char **errs)
{
	struct passwd	*pw;

	memset(u, 0, sizeof *u);
	errno = 0;
	if ((pw = getpwnam(conf->user)) == NULL) {
		util_append_line(errs,
		    "%s: [daemon] user: l'utilisateur « %s » est "
		    "introuvable (%s) : créez-le (systemd-sysusers, ou useradd "
		    "--system %s) ou corrigez le nom", conf->file, conf->user,
		    errno != 0 ? strerror(errno) : "inconnu du système",
		    conf->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		util_append_line(errs, "%s: [daemon] user: « %s » a l'uid 0 : "
		    "stoppvifd garderait les droits de root", conf->file,
		    conf->user);
		return -1;
	}
	u->name = xstrdup(pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* Make folder path for u, with mode; -1 after reporting in *errs. */
static int
pd_mkdir(const char *path, const struct pd_user *u, mode_t mode, char **errs)
{
	int	 fd;

	if (mkdir(path, mode) == -1) {
		util_append_line(errs,
		    "%s : impossible de créer ce dossier (%s) ; "
		    "créez-le pour %s (install -d -m %04o -o %s -g %u %s)",
		    path, strerror(errno), u->name, (unsigned)mode, u->name,
		    (unsigned)u->gid, path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fchown(fd, u->uid, u->gid) == -1 ||
	    fchmod(fd, mode) == -1) {
		util_append_line(errs,
		    "%s : impossible de donner ce dossier à %s (%s)",
		    path, u->name, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	log_info("daemon folder_created path=%s owner=%s mode=%04o", path,
	    u->name, (unsigned)mode);
	return 0;
}

/* Refuse path, which exists as *sb, when u does not own it. */
static void
pd_owned_st(const char *path, const struct stat *sb, const struct pd_user *u,
    char **errs)
{
	if (sb->st_uid == u->uid)
		return;
	if (S_ISDIR(sb->st_mode))
		util_append_line(errs, "%s appartient à l'uid %u, pas à %s : "
		    "stoppvifd, qui passe à cet utilisateur au démarrage, ne "
		    "pourrait pas y écrire.  Donnez-le-lui (chown -R %s: %s) "
		    "ou choisissez un dossier à lui", path,
		    (unsigned)sb->st_uid, u->name, u->name, path);
	else
		util_append_line(errs, "%s appartient à l'uid %u, pas à %s : "
		    "stoppvifd, qui passe à cet utilisateur au démarrage, ne "
		    "pourrait pas l'ouvrir.  Donnez-le-lui : chown %s: %s",
		    path, (unsigned)sb->st_uid, u->name, u->name, path);
}

/* A file or folder that may exist: when it does, it must be u's. */
static void
pd_owned(const char *path, const struct pd_user *u, char **errs)
{
	struct stat	 sb;

	if (lstat(path, &sb) == 0)
		pd_owned_st(path, &sb, u, errs);
	else if (errno != ENOENT)
		util_append_line(errs, "%s : %s", path, strerror(errno));
}

/* A folder the daemon writes in: u's, made for u when missing (create). */
static void
pd_dir(const char *path, const struct pd_user *u, mode_t mode, int create,
    char **errs)
{
	struct stat	 sb;

	if (lstat(path, &sb) == -1) {
		if (errno != ENOENT)
			util_append_line(errs,
			    "%s : %s", path, strerror(errno));
		else if (create)
			pd_mkdir(path, u, mode, errs);
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		util_append_line(errs, "%s n'est pas un dossier", path);
		return;
	}
	pd_owned_st(path, &sb, u, errs);
}

/*
 * A file of secrets the daemon reads, or creates when missing: u's when it
 * exists, otherwise its folder is (made when missing, with create).
 */
static void
pd_secret(const char *path, const struct pd_user *u, int create, char **errs)
{
	struct stat	 sb;
	char		*dir;

	if (lstat(path, &sb) == 0) {
		pd_owned_st(path, &sb, u, errs);
		return;
	}
	dir = util_dirname(path);
	pd_dir(dir, u, PRIVDROP_KEY_DIR_MODE, create, errs);
	free(dir);
}

/* The path of a Unix socket listener ("unix:PATH" or "/PATH"), or NULL. */
static const char *
pd_unix_path(const char *listen)
{
	if (strncmp(listen, "unix:", 5) == 0)
		listen += 5;
	return listen[0] == '/' ? listen : NULL;
}

/*
 * What u must own before the drop: the state folder and its database, the
 * socket's folder, the key and the SMS secret (or their folders), and the
 * folder of an SMS Unix socket.  With create, missing folders are made.
 */
static void
pd_paths(const struct config *conf, const struct pd_user *u, int create,
    char **errs)
{
	static const char *const db_suffix[] = { "", "-wal", "-shm" };
	const char	*sms;
	char		*db, *p;
	size_t		 i;

	pd_dir(conf->state_dir, u, PRIVDROP_DIR_MODE, create, errs);
	db = config_db_path(conf);
	for (i = 0; i < sizeof db_suffix / sizeof db_suffix[0]; i++) {
		xasprintf(&p, "%s%s", db, db_suffix[i]);
		pd_owned(p, u, errs);
		free(p);
	}
	free(db);
	xasprintf(&p, "%s/spool", conf->state_dir);
	pd_owned(p, u, errs);
	free(p);
	p = util_dirname(conf->socket);
	pd_dir(p, u, PRIVDROP_DIR_MODE, create, errs);
	free(p);
	if (strncmp(conf->key_file, CONFIG_CREDENTIAL,
	    strlen(CONFIG_CREDENTIAL)) != 0)
		pd_secret(conf->key_file, u, create, errs);
	if (*conf->sms_listen == '\0')
		return;
	pd_secret(conf->sms_secret_file, u, create, errs);
	if ((sms = pd_unix_path(conf->sms_listen)) != NULL) {
		p = util_dirname(sms);
		pd_dir(p, u, PRIVDROP_DIR_MODE, create, errs);
		free(p);
	}
}

/* A listener on a port under 1024, which the user cannot open. */
static void
pd_port(const struct config *conf, const char *section, const char *key,
    const char *listen, char **errs)
{
	const char	*colon;
	int64_t		 port;

	if (*listen == '\0' || pd_unix_path(listen) != NULL ||
	    (colon = strrchr(listen, ':')) == NULL ||
	    util_parse_int(colon + 1, 1, 65535, &port) == -1 ||
	    port >= PRIVDROP_PORT_MIN)
		return;
	util_append_line(errs,
	    "%s: [%s] %s: le port %lld est réservé à root, et "
	    "stoppvifd ouvre ses écouteurs après être passé à l'utilisateur "
	    "%s : prenez un port à partir de %d (le reverse proxy y renvoie)",
	    conf->file, section, key, (long long)port, conf->user,
	    PRIVDROP_PORT_MIN);
}

/*
 * Become u for good: its groups, then its gid, then its uid, each real,
 * effective and saved; then check that root cannot come back.
 */
static void
pd_become(const struct pd_user *u)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (initgroups(u->name, u->gid) == -1)
		fatal("daemon drop_failed call=initgroups user=%s", u->name);
	if (setresgid(u->gid, u->gid, u->gid) == -1)
		fatal("daemon drop_failed call=setresgid user=%s gid=%u",
		    u->name, (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) == -1)
		fatal("daemon drop_failed call=setresuid user=%s uid=%u",
		    u->name, (unsigned)u->uid);
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("daemon drop_failed call=getresuid user=%s", u->name);
	if (ru != u->uid || eu != u->uid || su != u->uid || rg != u->gid ||
	    eg != u->gid || sg != u->gid)
		fatalx("daemon drop_incomplete user=%s uid=%u/%u/%u "
		    "gid=%u/%u/%u", u->name, (unsigned)ru, (unsigned)eu,
		    (unsigned)su, (unsigned)rg, (unsigned)eg, (unsigned)sg);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("daemon drop_reversible user=%s error=\"stoppvifd a pu "
		    "redevenir root après être passé à %s : arrêt\"", u->name,
		    u->name);
	/* a change of identity may reset it: set it again */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("daemon harden_failed call=prctl_dumpable");
}

/*
 * Root with a user: check the folders (made when missing, at start), then
 * become the user, and say so.  Problems go to *errs: at start they are
 * fatal before the drop; -t reports them after dropping all the same, to
 * check the rest as the daemon will read it.
 */
static void
pd_drop(const struct config *conf, int check, char **errs)
{
	struct pd_user	 u;

	if (pd_lookup(conf, &u, errs) == -1) {
		if (!check)
			pd_fatal(*errs);
		return;
	}
	pd_paths(conf, &u, !check, errs);
	if (*errs != NULL && !check)
		pd_fatal(*errs);
	pd_become(&u);
	/* a reload reads it again, as the user */
	if (access(conf->file, R_OK) == -1) {
		util_append_line(errs,
		    "%s : %s ne peut pas le lire (%s), donc pas le "
		    "recharger : chgrp %u %s && chmod 640 %s", conf->file,
		    u.name, strerror(errno), (unsigned)u.gid, conf->file,
		    conf->file);
		if (!check)
			pd_fatal(*errs);
	}
	if (!check)	/* -t prints "configuration OK" alone */
		log_info("daemon privileges_dropped user=%s uid=%u gid=%u "
		    "groups=%d dumpable=%d", u.name, (unsigned)getuid(),
		    (unsigned)getgid(), getgroups(0, NULL),
		    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	free(u.name);
}

/* Not root, user set: the daemon must already be that user. */
static void
pd_already(const struct config *conf)
{
	struct pd_user	 u;
	char		*errs = NULL;

	if (pd_lookup(conf, &u, &errs) == -1)
		pd_fatal(errs);
	if (getuid() != u.uid || geteuid() != u.uid)
		fatalx("daemon wrong_user error=\"%s: [daemon] user = %s, mais "
		    "stoppvifd tourne sous l'uid %u : démarrez-le en root (il "
		    "passera à %s) ou sous %s lui-même\"", LOG_QUOTE(conf->file),
		    u.name, (unsigned)geteuid(),
		    u.name, u.name);
	log_info("daemon started running_as=%s uid=%u", u.name,
	    (unsigned)u.uid);
	free(u.name);
}

int
privdrop_start(const struct config *conf, int check, char **cause)
{
	char	*errs = NULL;

	if (*conf->user != '\0') {
		pd_port(conf, "daemon", "inbound_listen", conf->inbound_listen,
		    &errs);
		pd_port(conf, "inbound", "sms_listen", conf->sms_listen, &errs);
		if (errs != NULL && !check)
			pd_fatal(errs);
	}
	if (geteuid() == 0 && *conf->user != '\0')
		pd_drop(conf, check, &errs);
	else if (geteuid() == 0 && !check)
		log_warnx("daemon started running_as=root hint=\"aucun [daemon] user "
		    "dans %s : stoppvifd garde tous les droits de root ; mettez "
		    "user = stoppvif, l'utilisateur du service, pour qu'il les "
		    "quitte au démarrage\"", LOG_QUOTE(conf->file));
	else if (*conf->user != '\0' && !check)
		pd_already(conf);
	if (errs == NULL)
		return 0;
	free(*cause);
	*cause = errs;
	return -1;
}
