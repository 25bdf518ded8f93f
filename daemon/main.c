/*
 * main.c: stoppvifd.  Arguments, configuration, the master key and the
 * store, then one event_base with the control API and signals on it.
 * main() reads as its steps: parse the arguments, load the configuration
 * (and, started as root, become its [daemon] user), detach, open the key
 * and the store, build the modules, serve, run the loop, tear down.
 *
 *	stoppvifd [-c FILE] [-f] [-t] [-v] [--init] [--log-format text|json]
 *	    [--restore FILE]
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "api.h"
#include "api_metrics.h"
#include "audit.h"
#include "backup.h"
#include "calendar.h"
#include "chanstat.h"
#include "config.h"
#include "crypt.h"
#include "dispatch.h"
#include "dlr.h"
#include "guard.h"
#include "holiday.h"
#include "inbound.h"
#include "keyfile.h"
#include "log.h"
#include "metrics.h"
#include "people.h"
#include "plugin.h"
#include "privdrop.h"
#include "restore.h"
#include "retention.h"
#include "sched.h"
#include "sdnotify.h"
#include "shelter.h"
#include "store.h"
#include "template.h"
#include "tz.h"
#include "util.h"
#include "web.h"

#define DAEMON_DRAIN	10	/* seconds to finish deliveries at SIGTERM */

struct daemon {
	struct config		*conf;
	int			 verbose;
	int			 log_format;	/* --log-format, or 0 */
	struct event_base	*base;
	struct crypt_key	*master;
	struct store		*store;
	struct api		*api;
	struct api_metrics	*metrics;	/* [daemon] metrics_listen */
	struct web		*web;		/* [web] listen */
	struct api_env		 env;
	struct calendar		 cal;
	struct closures		*closures;
	struct sched		*sched;
	struct dispatch		*dispatch;
	struct retention	*retention;
	struct shelters		*shelters;
	struct inbound		*inbound;
	struct backup		*backup;	/* stoppvifctl backup */
	struct event		*ev_hup, *ev_term, *ev_int;
	struct event		*ev_replan;	/* after a reload */
	int			 key_created;	/* the key was made at this start */
	int			 stopping;
};

/* The command line. */
struct daemon_args {
	const char		*file;		/* the configuration file */
	char			*deffile;	/* the default one, to free */
	int			 foreground;	/* -f */
	int			 check;		/* -t */
	int			 verbose;	/* -v */
	int			 init;		/* --init: a new database */
	int			 log_format;	/* --log-format: LOG_FORMAT_* */
	const char		*restore;	/* --restore FILE */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: stoppvifd [-c file] [-f] [-t] [-v] "
	    "[--init]\n"
	    "       [--log-format text|json] [--restore file]\n");
	exit(2);
}

/* The log format: --log-format wins over [daemon] log_format. */
static void
daemon_log_format(struct daemon *d)
{
	log_setformat(d->log_format != 0 ? d->log_format :
	    log_format_parse(d->conf->log_format));
}

/* Apply the reloadable settings of conf. */
static void
daemon_apply(struct daemon *d)
{
	log_setlevel(d->verbose ? LOG_LEVEL_DEBUG : d->conf->log_level);
	daemon_log_format(d);
	d->cal.default_tz = d->conf->timezone;
	d->cal.closures = d->closures;
	d->cal.phone_title = d->conf->phone_title;
}

/*
 * Read the closures file of conf (none when it names none) into *out.
 * Returns 0 or -1 with *cause naming the file and line.
 */
static int
daemon_closures(const struct config *conf, struct closures **out,
    char **cause)
{
	*out = NULL;
	if (*conf->closures == '\0')
		return 0;
	*out = closures_load(conf->closures, cause);
	return *out == NULL ? -1 : 0;
}

/*
 * Parse the configuration file again as the next one, with its closures
 * (*cl), and check all of it.  NULL with *cause on any problem, the running
 * phone words back in place.
 */
static struct config *
daemon_reload_load(struct daemon *d, struct closures **cl, char **cause)
{
	struct config	*next;

	*cl = NULL;
	if ((next = config_load(d->conf->file, cause)) == NULL)
		return NULL;
	/* the new words first: the checks below judge texts with them */
	if (guard_words_set(next->phone_words, cause) == -1 ||
	    config_reloadable(d->conf, next, cause) == -1 ||
	    shelter_conf_check(next, cause) == -1 ||
	    daemon_closures(next, cl, cause) == -1 ||
	    (d->dispatch != NULL && dispatch_templates(d->dispatch, next,
	    cause) == -1)) {
		config_free(next);
		closures_free(*cl);
		*cl = NULL;
		/* the running list again (it was accepted at its time) */
		guard_words_set(d->conf->phone_words, NULL);
		return NULL;
	}
	return next;
}

/*
 * Parse the configuration file again, validate all of it, and swap it in;
 * on any problem keep the running one.  Returns 0 or -1 with *cause.
 */
static int
daemon_reload(void *arg, char **cause)
{
	struct daemon	*d = arg;
	struct config	*next;
	struct closures	*cl;
	int		 replan;

	sdnotify("RELOADING=1");
	if ((next = daemon_reload_load(d, &cl, cause)) == NULL) {
		log_warnx("config reload_refused file=%s keeping=old "
		    "error=\"%s\"", d->conf->file, LOG_QUOTE(*cause));
		metrics_add(M_RELOADS, 1, "failed", NULL);
		sdnotify("READY=1\nSTATUS=configuration reload refused");
		return -1;
	}
	replan = cl != NULL || d->closures != NULL ||
	    strcmp(d->conf->timezone, next->timezone) != 0;
	config_free(d->conf);
	d->conf = next;
	closures_free(d->closures);
	d->closures = cl;
	daemon_apply(d);
	retention_kick(d->retention);	/* keep_bodies, keep_spool */
	if (d->shelters != NULL && shelter_reload(d->shelters, cause) == -1) {
		log_warnx("shelter reload_failed error=\"%s\"", *cause);
		free(*cause);
		*cause = NULL;
	}
	log_info("config reloaded file=%s", d->conf->file);
	metrics_add(M_RELOADS, 1, "ok", NULL);
	/*
	 * Closures or the zone may move occurrences: plan again, once the
	 * caller (the API's reload, inside its transaction) is done.
	 */
	if (replan && d->ev_replan != NULL)
		event_active(d->ev_replan, EV_TIMEOUT, 0);
	sdnotify("READY=1\nSTATUS=running");
	return 0;
}

/* Plan every event again after a reload changed closures or the zone. */
static void
daemon_replan(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	char		*cause = NULL;

	if (sched_replan_all(d->sched, &cause) == -1) {
		log_warnx("sched replan_failed error=\"%s\"", cause);
		free(cause);
	} else
		log_info("sched replanned reason=reload");
}

/* Print a start-up problem (file:line: ...) and free it. */
static void
daemon_print_cause(char **cause)
{
	fprintf(stderr, "%s\n", *cause);
	free(*cause);
	*cause = NULL;
}

/* Check the message templates and the sender's name; -1 when printed. */
static int
daemon_check_templates(const struct config *conf)
{
	struct template_set	*tpl;
	char			*cause = NULL;
	int			 rc = 0;

	if ((tpl = template_load(conf->templates, &cause)) == NULL) {
		daemon_print_cause(&cause);
		rc = -1;
	} else if (template_set_sender(tpl, conf->sender_name,
	    &cause) == -1) {
		fprintf(stderr, "%s: [daemon] sender_name: %s\n", conf->file,
		    cause);
		free(cause);
		rc = -1;
	}
	template_free(tpl);
	return rc;
}

/*
 * Check what delivery needs before starting: the templates, and every
 * channel's plugin and section (loaded in check-only mode).  Prints the
 * problems as file:line and returns -1.
 */
static int
daemon_check_delivery(const struct config *conf)
{
	char	*cause = NULL;
	int	 rc = 0;

	if (crypt_init() == -1)
		fatalx("crypto init_failed library=libsodium");
	if (daemon_check_templates(conf) == -1)
		rc = -1;
	if (conf->backoff_max < conf->backoff_min) {
		fprintf(stderr, "%s: [delivery] backoff_max: must not be "
		    "shorter than backoff_min\n", conf->file);
		rc = -1;
	}
	if (channel_check_all(conf, &cause) == -1) {
		daemon_print_cause(&cause);
		rc = -1;
	}
	if (shelter_conf_check(conf, &cause) == -1) {
		daemon_print_cause(&cause);
		rc = -1;
	}
	return rc;
}

/*
 * Become the [daemon] user (privdrop.h) before anything else is read, so
 * that the checks see the files as the daemon will; at start a problem is
 * fatal, at -t it is printed and -1 returned.
 */
static int
daemon_privileges(const struct config *conf, int check)
{
	char	*cause = NULL;

	if (privdrop_start(conf, check, &cause) == 0)
		return 0;
	daemon_print_cause(&cause);
	return -1;
}

/* The files of secrets the daemon reads itself (the plugins check theirs),
 * for the user it now is; -1 when problems were printed. */
static int
daemon_check_secrets(const struct config *conf)
{
	char	*cause = NULL;

	if (keyfile_check(conf, geteuid(), &cause) == 0)
		return 0;
	daemon_print_cause(&cause);
	return -1;
}

/* Nothing is in flight any more (or the drain timed out): stop. */
static void
daemon_drained(void *arg)
{
	struct daemon	*d = arg;

	event_base_loopbreak(d->base);
}

/* Messages were queued: the dispatcher looks at the outbox. */
static void
daemon_queued(void *arg)
{
	struct daemon	*d = arg;

	dispatch_kick(d->dispatch);
	if (d->shelters != NULL)
		shelter_queued(d->shelters);	/* the dead-man's switch */
}

/* SIGHUP: reload; SIGTERM and SIGINT: stop. */
static void
daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	char		*cause = NULL;

	switch (sig) {
	case SIGHUP:
		log_info("signal hup action=reload");
		daemon_reload(d, &cause);
		free(cause);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("signal %s action=stop", sig == SIGTERM ? "term" :
		    "int");
		sdnotify("STOPPING=1");
		if (d->dispatch != NULL && !d->stopping) {
			/* finish what is in flight, bounded */
			d->stopping = 1;
			dispatch_stop(d->dispatch, DAEMON_DRAIN, daemon_drained,
			    d);
		} else
			event_base_loopbreak(d->base);
		break;
	}
}

/*
 * Compare the master key with the key check value stored in the database;
 * store it when the database is new.  A mismatch is fatal: the database was
 * made with another key.
 */
static void
daemon_check_key(struct daemon *d, int key_created)
{
	uint8_t		 kcv[CRYPT_KCV_BYTES];
	void		*stored = NULL;
	size_t		 len = 0;
	char		*cause = NULL;
	int		 rc;

	crypt_key_check_value(d->master, kcv);
	rc = store_meta_get(d->store, "key_check", &stored, &len);
	if (rc == -1)
		fatalx("store key_check_unreadable error=\"%s\"",
		    LOG_QUOTE(store_errmsg(d->store)));
	if (rc == 0) {
		if (store_meta_set(d->store, "key_check", kcv, sizeof kcv,
		    &cause) == -1)
			fatalx("store key_check_failed error=\"%s\"",
			    LOG_QUOTE(cause));
		return;
	}
	if (len != sizeof kcv || sodium_memcmp(stored, kcv, len) != 0)
		fatalx("crypto key_mismatch error=\"the master key in %s does "
		    "not match the database %s/stoppvif.db, which was created "
		    "with another key%s; put back the key file it was created "
		    "with\"", LOG_QUOTE(d->conf->key_file),
		    LOG_QUOTE(d->conf->state_dir), key_created ? " (the key "
		    "file was missing and a new one was just created)" : "");
	free(stored);
}

/* The state folder: made when missing, private, writable by the daemon. */
static void
daemon_state_dir(struct daemon *d)
{
	char	*cause = NULL;

	if (util_mkdir(d->conf->state_dir, 0750, &cause) == -1 ||
	    util_check_dir(d->conf->state_dir, geteuid(), &cause) == -1)
		fatalx("daemon state_dir_refused error=\"%s\"",
		    LOG_QUOTE(cause));
	if (store_writable(d->conf->state_dir, &cause) == -1)
		fatalx("daemon state_dir_refused error=\"%s\"",
		    LOG_QUOTE(cause));
}

/*
 * The master key, for the database db as store_probe() found it.  A new key
 * is only made for a new database: a missing key beside a database that
 * holds data means the key file was lost, and a fresh one would read
 * nothing.  An existing key beside a missing or empty database means the
 * database was lost (or is misplaced): refused unless --init.
 */
static void
daemon_key(struct daemon *d, const char *db, int found, int init)
{
	char		*key, *cause = NULL;
	int		 created = 0;

	if ((key = keyfile_path(d->conf, &cause)) == NULL)
		fatalx("crypto key_refused error=\"%s\"", LOG_QUOTE(cause));
	if (keyfile_is_credential(d->conf))
		d->master = keyfile_credential(key, &cause);	/* never made */
	else {
		keyfile_prepare(d->conf, key);
		d->master = crypt_master_load(key, found != STORE_DATA,
		    &created, &cause);
	}
	if (d->master == NULL && found == STORE_DATA)
		fatalx("crypto key_missing error=\"%s; the database %s exists, "
		    "so its key file must be restored from your backup\"",
		    LOG_QUOTE(cause), LOG_QUOTE(db));
	if (d->master == NULL)
		fatalx("crypto key_refused error=\"%s\"", LOG_QUOTE(cause));
	d->key_created = created;
	if (created)
		log_info("crypto key_created file=%s hint=\"back it up: "
		    "without it the database cannot be read\"", key);
	else if (found != STORE_DATA && !init)
		fatalx("store database_lost error=\"the database %s is %s, "
		    "but the master key %s exists: "
		    "the network's data was in a database that is not there "
		    "any more.  Put it back from your backup (or set state_dir "
		    "to the folder that holds it); to start on purpose with an "
		    "empty database and this key, run stoppvifd --init once\"",
		    LOG_QUOTE(db), found == STORE_NONE ? "missing" : "empty",
		    LOG_QUOTE(key));
	else if (found != STORE_DATA)
		log_info("store init file=%s note=\"--init: a new, empty "
		    "database with the existing key\"", db);
	else if (init)
		log_info("store init_ignored file=%s reason=\"the database "
		    "holds data\"", db);
	free(key);
}

/*
 * Open the state folder, the master key and the database, which must pass
 * store_probe() first (its quick_check among others).
 */
static void
daemon_open(struct daemon *d, int init)
{
	struct timespec	 t0, t1;
	char		*cause = NULL, *db;
	int		 found;

	daemon_state_dir(d);
	if (api_running(d->conf->socket, &cause))
		fatalx("api already_running error=\"%s\"", LOG_QUOTE(cause));
	if (crypt_init() == -1)
		fatalx("crypto init_failed library=libsodium");
	db = config_db_path(d->conf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((found = store_probe(db, &cause)) == -1)
		fatalx("store open_failed error=\"%s\"", LOG_QUOTE(cause));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("store checked file=%s found=%s usec=%lld", db,
	    found == STORE_DATA ? "data" : found == STORE_EMPTY ? "empty" :
	    "none", (long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	daemon_key(d, db, found, init);
	if ((d->store = store_open(db, &cause)) == NULL)
		fatalx("store open_failed error=\"%s\"", LOG_QUOTE(cause));
	free(db);
	daemon_check_key(d, d->key_created);
	/* chains, prunes and checks the audit log: a broken chain is logged */
	if (audit_start(d->store, d->master, &d->conf, &cause) == -1)
		fatalx("audit start_failed error=\"%s\"", LOG_QUOTE(cause));
	/* a restore since the last start: in the audit log */
	if (restore_audit(d->store, &cause) == -1)
		fatalx("audit restore_failed error=\"%s\"", LOG_QUOTE(cause));
}

/*
 * Detach from the terminal (no -f, no systemd): fork, and let the parent wait
 * on a pipe until the child says it is ready, so that a start-up error is
 * still printed on the terminal and turned into the exit status.
 */
static int
daemon_detach(void)
{
	char	 c;
	int	 p[2];
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("daemon detach_failed call=pipe");
	if ((pid = fork()) == -1)
		fatal("daemon detach_failed call=fork");
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("daemon detach_failed call=setsid");
	if (chdir("/") == -1)
		fatal("daemon detach_failed call=chdir");
	return p[1];
}

/* Tell the waiting parent we are ready; from now on log to syslog only. */
static void
daemon_detached(int fd)
{
	int	 null;

	log_init("stoppvifd", 0, log_getlevel());
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(fd, "R", 1) != 1)
		log_warn("daemon detach_notify");
	close(fd);
}

/*
 * The event base.  Precise timers: libevent's default coarse clock wakes a
 * process about twice per expiry; this makes it exactly once.  The epoll
 * changelist merges the remove and add that libcurl asks for whenever a
 * transfer turns from writing to reading into one epoll_ctl, applied before
 * the next wait (safe here: no watched descriptor is ever dup()ed).
 */
static struct event_base *
daemon_base(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		fatalx("daemon start_failed step=event_config");
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	if ((base = event_base_new_with_config(cfg)) == NULL)
		fatalx("daemon start_failed step=event_base");
	event_config_free(cfg);
	return base;
}

/* Arm the signals on the event base. */
static void
daemon_signals(struct daemon *d)
{
	signal(SIGPIPE, SIG_IGN);
	d->ev_hup = evsignal_new(d->base, SIGHUP, daemon_signal, d);
	d->ev_term = evsignal_new(d->base, SIGTERM, daemon_signal, d);
	d->ev_int = evsignal_new(d->base, SIGINT, daemon_signal, d);
	if (d->ev_hup == NULL || d->ev_term == NULL || d->ev_int == NULL ||
	    evsignal_add(d->ev_hup, NULL) == -1 ||
	    evsignal_add(d->ev_term, NULL) == -1 ||
	    evsignal_add(d->ev_int, NULL) == -1)
		fatalx("daemon start_failed step=signals");
}

/* Free everything, wiping key material. */
static void
daemon_close(struct daemon *d)
{
	sdnotify_watchdog_stop();
	api_free(d->api);
	api_metrics_free(d->metrics);
	web_free(d->web);
	inbound_free(d->inbound);
	shelter_free(d->shelters);
	event_free(d->ev_replan);
	dispatch_free(d->dispatch);
	retention_free(d->retention);
	backup_free(d->backup);
	people_mk_timer_stop();
	sched_free(d->sched);
	tz_cached_free();
	closures_free(d->closures);
	event_free(d->ev_hup);
	event_free(d->ev_term);
	event_free(d->ev_int);
	store_close(d->store);
	chanstat_stop();
	metrics_stop();
	crypt_key_free(d->master);
	event_base_free(d->base);
	config_free(d->conf);
}

/*
 * The command line into *args; usage() on anything else.  args->file is the
 * configuration file, args->deffile the default one when none was named
 * (to free once the file is read).
 */
static void
daemon_args(int argc, char *argv[], struct daemon_args *args)
{
	static const struct option longopts[] = {
		{ "init", no_argument, NULL, 'I' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "restore", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(args, 0, sizeof *args);
	while ((ch = getopt_long(argc, argv, "c:ftvh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'I':
			args->init = 1;
			break;
		case 'L':
			if ((args->log_format = log_format_parse(optarg)) == -1) {
				fprintf(stderr, "stoppvifd: --log-format: "
				    "« %s » inconnu : text ou json\n", optarg);
				exit(2);
			}
			break;
		case 'R':
			args->restore = optarg;
			break;
		case 'c':
			args->file = optarg;
			break;
		case 'f':
			args->foreground = 1;
			break;
		case 't':
			args->check = 1;
			break;
		case 'v':
			args->verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (args->file == NULL)
		args->file = args->deffile = config_default_file();
}

/*
 * Read and check the configuration: the file, then, as the [daemon] user
 * when started as root, the words kept off phones, the closures, what
 * delivery needs and the files of secrets.  A problem is printed on stderr
 * (file:line: ...) and exits 1.
 */
static void
daemon_configure(struct daemon *d, struct daemon_args *args)
{
	char	*cause = NULL;
	int	 rc;

	if ((d->conf = config_load(args->file, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);	/* file:line: key: ... */
		exit(1);
	}
	free(args->deffile);
	args->deffile = NULL;
	daemon_log_format(d);	/* before the first line */
	rc = daemon_privileges(d->conf, args->check);
	/* the words kept off phones, before anything checks a text */
	if (guard_words_set(d->conf->phone_words, &cause) == -1) {
		fprintf(stderr, "%s: [privacy] phone_words: %s\n",
		    d->conf->file, cause);
		exit(1);
	}
	if (daemon_closures(d->conf, &d->closures, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);	/* file:line: ... */
		exit(1);
	}
	if (daemon_check_delivery(d->conf) == -1)
		rc = -1;
	if (daemon_check_secrets(d->conf) == -1 || rc == -1)
		exit(1);
}

/* -t: say when SMS will go without delivery reports (dlr.h). */
static void
daemon_checked_dlr(const struct config *conf)
{
	struct channel	*ch;
	const char	*why = dlr_off_reason(conf);
	char		*cause = NULL;

	if (why == NULL)
		return;
	ch = channel_open(conf, "sms", NULL, NULL, NULL, NULL, &cause);
	if (ch != NULL && channel_reports(ch))
		fprintf(stderr, "%s: note: %s\n", conf->file, why);
	channel_close(ch);
	free(cause);
}

/* -t: the configuration passed its checks; say so and exit. */
static void __attribute__((noreturn))
daemon_checked(struct daemon *d)
{
	daemon_checked_dlr(d->conf);
	closures_free(d->closures);
	fprintf(stderr, "configuration OK\n");
	config_free(d->conf);
	exit(0);
}

/* --restore FILE: replace the database with a backup, then exit. */
static int
daemon_restore(struct daemon *d, const char *file)
{
	int	 rc;

	rc = restore_run(d->conf, file);
	closures_free(d->closures);
	config_free(d->conf);
	return rc;
}

/*
 * Leave the terminal, unless -f or systemd: returns the descriptor to tell
 * the waiting parent on (daemon_detached), or -1.  Under systemd, log to
 * syslog from now on.
 */
static int
daemon_start(struct daemon *d, int foreground)
{
	daemon_apply(d);
	umask(0077);
	if (!foreground && !sdnotify_enabled())
		return daemon_detach();
	if (!foreground)
		log_init("stoppvifd", 0, log_getlevel());	/* systemd */
	return -1;
}

/*
 * Build the modules on one event base: signals, the calendar, the
 * scheduler, the dispatcher, the shelters and the inbound listeners.
 */
static void
daemon_build(struct daemon *d)
{
	char	*cause = NULL;

	d->base = daemon_base();
	daemon_signals(d);
	d->cal.store = d->store;
	d->cal.master = d->master;
	daemon_apply(d);
	if (calendar_seal_old(&d->cal, &cause) == -1 ||
	    people_seal_old(d->store, d->master, &cause) == -1)
		fatalx("daemon start_failed step=seal_old error=\"%s\"",
		    LOG_QUOTE(cause));
	if ((d->sched = sched_new(d->base, &d->cal, d->master, &cause)) == NULL)
		fatalx("daemon start_failed step=sched error=\"%s\"",
		    LOG_QUOTE(cause));
	if ((d->ev_replan = event_new(d->base, -1, 0, daemon_replan,
	    d)) == NULL)
		fatalx("daemon start_failed step=replan_event");
	if ((d->dispatch = dispatch_new(d->base, d->store, d->master, &d->conf,
	    &cause)) == NULL)
		fatalx("daemon start_failed step=delivery error=\"%s\"",
		    LOG_QUOTE(cause));
	d->retention = retention_new(d->base, d->store, &d->conf);
	d->backup = backup_new(d->base, d->store);
	people_mk_timer_start(d->base, d->store);	/* mail key expiry */
	metrics_start(NULL, 0);		/* the daemon's families */
	chanstat_start(d->store);	/* counts outcomes from now on */
	sched_on_queue(d->sched, daemon_queued, d);
	if ((d->shelters = shelter_new(d->base, d->store, d->master, &d->conf,
	    daemon_queued, d, &cause)) == NULL)
		fatalx("daemon start_failed step=shelters error=\"%s\"",
		    LOG_QUOTE(cause));
	if ((*d->conf->inbound_listen != '\0' ||
	    *d->conf->sms_listen != '\0') && (d->inbound = inbound_new(d->base,
	    d->conf, d->shelters, dispatch_dlr(d->dispatch), &cause)) == NULL)
		fatalx("daemon start_failed step=inbound error=\"%s\"",
		    LOG_QUOTE(cause));
}

/*
 * Open the control socket on what the daemon built, then say it is ready:
 * to the waiting parent (detach_fd, or -1) and to systemd.
 */
static void
daemon_serve(struct daemon *d, int detach_fd)
{
	char	*cause = NULL;

	d->env.store = d->store;
	d->env.master = d->master;
	d->env.conf = &d->conf;
	d->env.cal = &d->cal;
	d->env.sched = d->sched;
	d->env.dispatch = d->dispatch;
	d->env.shelters = d->shelters;
	d->env.backup = d->backup;
	d->env.started = time(NULL);
	d->env.reload = daemon_reload;
	d->env.reload_arg = d;
	if ((d->api = api_new(d->base, &d->env, &cause)) == NULL)
		fatalx("daemon start_failed step=control_socket "
		    "error=\"%s\"", LOG_QUOTE(cause));
	if ((d->metrics = api_metrics_new(d->base, &d->env, &cause)) == NULL)
		fatalx("daemon start_failed step=metrics_listen "
		    "error=\"%s\"", LOG_QUOTE(cause));
	if ((d->web = web_new(d->base, &d->env, &cause)) == NULL)
		fatalx("daemon start_failed step=web_listen "
		    "error=\"%s\"", LOG_QUOTE(cause));
	sdnotify_watchdog_start(d->base);
	log_info("daemon ready pid=%d config=%s", (int)getpid(), d->conf->file);
	if (detach_fd != -1)
		daemon_detached(detach_fd);
	sdnotify("READY=1\nSTATUS=running");
}

int
main(int argc, char *argv[])
{
	struct daemon		 d;
	struct daemon_args	 args;
	int			 detach_fd;

	memset(&d, 0, sizeof d);
	daemon_args(argc, argv, &args);
	d.verbose = args.verbose;
	d.log_format = args.log_format;
	/* stderr until detached, so that start-up errors reach the terminal */
	log_init("stoppvifd", 1, LOG_LEVEL_INFO);
	log_setformat(args.log_format);
	privdrop_harden();	/* before any secret is in memory */
	daemon_configure(&d, &args);
	if (args.check)
		daemon_checked(&d);
	if (args.restore != NULL)	/* with the daemon stopped */
		return daemon_restore(&d, args.restore);
	detach_fd = daemon_start(&d, args.foreground);
	daemon_open(&d, args.init);
	daemon_build(&d);
	daemon_serve(&d, detach_fd);
	if (event_base_dispatch(d.base) == -1)
		fatalx("daemon loop_failed");
	daemon_close(&d);
	log_info("daemon stopped");
	return 0;
}
