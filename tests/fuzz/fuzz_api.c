/*
 * fuzz_api.c: the control API on arbitrary requests.  api_handle() routes,
 * checks the caller, parses the body and runs the real handlers against a
 * real store, calendar, scheduler, dispatcher and shelters, wired as
 * stoppvifd wires them (the event base is never dispatched: nothing is
 * sent).  Whatever the request, the reply is a JSON value that encodes, the
 * status is one the API knows, an error says {"error": ...}, and no
 * transaction is left open.  The caller is root.
 *
 * Input: one request,
 *	METHOD PATH \0 QUERY \0 BODY
 * METHOD is one byte: G GET, P POST, M PATCH, D DELETE, H HEAD, U PUT,
 * O OPTIONS, T TRACE; any other byte is passed as the method number itself.
 * PATH runs to the first NUL (empty: none, which is "/"), QUERY to the
 * second (empty: none; a leading '?' is dropped, so "?" alone is an empty
 * query) and BODY is the rest, any bytes.  A missing NUL ends the input.
 * So "P/v1/people\0\0{\"name\": \"Anne\"}" adds a person.
 *
 * Or a history, as FUZZ_API_HISTORY writes it: "#stoppvif-api-history\n"
 * then, for each request, its length in decimal, '\n' and the request as
 * above.  The requests run in order, on an empty database when replayed
 * (replay.c); under libFuzzer on the current one, since a fresh database
 * costs a template load and a plugin load (a history there is a sequence
 * of requests to mutate).
 *
 * Requests build on each other (people, events, alerts, slots) for
 * FUZZ_RESET inputs, or until SQLite holds FUZZ_MAXMEM bytes or there are
 * FUZZ_MAXROWS people or events, or FUZZ_MAXMSGS messages (every listing
 * gets slower with them, the outbox's rendered bodies most); then the
 * database starts again empty (":memory:", or a file in the private folder
 * with FUZZ_API_DB=file).  A crash may need the requests before it:
 * FUZZ_API_HISTORY=FILE appends each request since the last fresh database
 * to FILE as a history, which replays on its own.
 *
 * Set-up, once: a private folder under $TMPDIR (removed at exit) with a
 * stoppvif.ini (state_dir there, one [shelter.aisova], a closures file),
 * a copy of the checkout's templates taken at start (STOPPVIF_FUZZ_TEMPLATES,
 * else etc/templates found from __FILE__ or from the binary's path: a
 * change to them while fuzzing cannot stop the run) and the spool plugin for
 * the dispatcher's channels (STOPPVIF_FUZZ_PLUGINS, else plugins/ beside
 * the binary, where the Makefile builds a plain one: clang's sanitizers
 * cannot link a shared object; else the build's plugins/).
 *
 * Other knobs: FUZZ_API_LOG=debug logs every line to stderr (run libFuzzer
 * with -close_fd_mask=2), FUZZ_API_PRINT=1 prints each request's status and
 * reply, FUZZ_API_STRICT=1 aborts on a 500 (an input should never make an
 * internal error).
 */
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <sqlite3.h>

#include "api.h"
#include "audit.h"
#include "calendar.h"
#include "config.h"
#include "crypt.h"
#include "dispatch.h"
#include "holiday.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "sched.h"
#include "shelter.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define FUZZ_RESET	1000			/* inputs per database */
#define FUZZ_MAXMEM	(16 * 1024 * 1024)	/* SQLite's bytes */
#define FUZZ_MAXROWS	200			/* people, or events */
#define FUZZ_MAXMSGS	300			/* outbox rows */
#define FUZZ_MAXBODY	(1024 * 1024)		/* [api] max_body */
#define FUZZ_MAGIC	"#stoppvif-api-history\n"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What stoppvifd's main() holds, made once. */
struct fuzz {
	char			*dir;		/* the private folder */
	char			*ini;
	char			*db;
	struct config		*conf;
	struct closures		*closures;
	struct event_base	*base;
	struct crypt_key	*master;
	struct store		*store;
	struct calendar		 cal;
	struct sched		*sched;
	struct dispatch		*dispatch;
	struct shelters		*shelters;
	struct api_env		 env;
	unsigned		 inputs;	/* since the database was made */
	FILE			*history;	/* FUZZ_API_HISTORY, or NULL */
	const char		*history_path;
	int			 print;
	int			 strict;
};

static struct fuzz	*fz;
static int		 fuzz_libfuzzer;	/* not replay.c */

/* Whether path is a folder. */
static int
fuzz_isdir(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The folder of the running binary (new string). */
static char *
fuzz_exedir(void)
{
	char	 buf[PATH_MAX];
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", buf, sizeof buf - 1)) <= 0)
		return xstrdup(".");
	buf[n] = '\0';
	return util_dirname(buf);
}

/*
 * The checkout's etc/templates: from __FILE__ (tests/fuzz/fuzz_api.c, as
 * the Makefile compiles it from the checkout), else from the binary's
 * folders upwards.  New string, or NULL.
 */
static char *
fuzz_templates(void)
{
	const char	*env = getenv("STOPPVIF_FUZZ_TEMPLATES");
	char		*dir, *up, *path;

	if (env != NULL)
		return xstrdup(env);
	dir = util_dirname(__FILE__);
	xasprintf(&path, "%s/../../etc/templates", dir);
	free(dir);
	if (fuzz_isdir(path))
		return path;
	free(path);
	dir = fuzz_exedir();
	while (strcmp(dir, "/") != 0 && strcmp(dir, ".") != 0) {
		xasprintf(&path, "%s/etc/templates", dir);
		if (fuzz_isdir(path)) {
			free(dir);
			return path;
		}
		free(path);
		up = util_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return NULL;
}

/* Whether dir holds spool.so. */
static int
fuzz_has_spool(const char *dir)
{
	char	*so;
	int	 ok;

	xasprintf(&so, "%s/spool.so", dir);
	ok = access(so, R_OK) == 0;
	free(so);
	return ok;
}

/* A folder holding spool.so; new string, or NULL. */
static char *
fuzz_plugins(void)
{
	const char	*env = getenv("STOPPVIF_FUZZ_PLUGINS");
	char		*exe, *path;

	if (env != NULL)
		return xstrdup(env);
	exe = fuzz_exedir();
	xasprintf(&path, "%s/plugins", exe);
	if (!fuzz_has_spool(path)) {
		free(path);
		xasprintf(&path, "%s/../plugins", exe);
		if (!fuzz_has_spool(path)) {
			free(path);
			path = NULL;
		}
	}
	free(exe);
	return path;
}

/* path made absolute (the configuration is elsewhere); frees path. */
static char *
fuzz_abs(char *path)
{
	char	*abs;

	if (path == NULL)
		return NULL;
	abs = realpath(path, NULL);
	free(path);
	return abs;
}

/* The folders of fuzz_copy(): from, to. */
static const char	*fuzz_from, *fuzz_to;

/* nftw() callback: copy one entry of fuzz_from into fuzz_to. */
static int
fuzz_copy1(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	char	*dst, buf[8192];
	FILE	*in, *out;
	size_t	 n;

	xasprintf(&dst, "%s%s", fuzz_to, path + strlen(fuzz_from));
	if (flag == FTW_D && mkdir(dst, 0755) == -1)
		fatal("fuzz_api: mkdir %s", dst);
	if (flag == FTW_F) {
		if ((in = fopen(path, "r")) == NULL ||
		    (out = fopen(dst, "w")) == NULL)
			fatal("fuzz_api: copy %s", path);
		while ((n = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
		if (fclose(out) == EOF)
			fatal("fuzz_api: %s", dst);
	}
	free(dst);
	return 0;
}

/*
 * Copy the folder from to to (which must not exist), so that the templates
 * stay those the fuzzer started with while the checkout's change.
 */
static void
fuzz_copy(const char *from, const char *to)
{
	fuzz_from = from;
	fuzz_to = to;
	if (nftw(from, fuzz_copy1, 16, FTW_PHYS) == -1)
		fatal("fuzz_api: %s", from);
}

/* Write text to dir/name; the path (new string). */
static char *
fuzz_write(const char *dir, const char *name, const char *text)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF)
		fatal("fuzz_api: %s", path);
	return path;
}

/* The configuration file of the private folder. */
static void
fuzz_config(struct fuzz *f)
{
	char	*tpl, *plug, *closures, *text, *copy;

	if ((tpl = fuzz_abs(fuzz_templates())) == NULL)
		fatalx("fuzz_api: etc/templates not found; set "
		    "STOPPVIF_FUZZ_TEMPLATES");
	if ((plug = fuzz_abs(fuzz_plugins())) == NULL)
		fatalx("fuzz_api: no spool.so beside the binary; build it "
		    "(make BUILD=... BUILD/fuzz/plugins/spool.so) or set "
		    "STOPPVIF_FUZZ_PLUGINS");
	xasprintf(&copy, "%s/templates", f->dir);
	fuzz_copy(tpl, copy);
	free(tpl);
	tpl = copy;
	closures = fuzz_write(f->dir, "closures", "# school holidays\n"
	    "2026-07-04..2026-08-23\n2026-12-21\n");
	xasprintf(&text,
	    "[daemon]\n"
	    "state_dir = %s\n"
	    "socket = %s/stoppvif.sock\n"
	    "timezone = Europe/Brussels\n"
	    "language = fr\n"
	    "log_level = warn\n"
	    "public_url = https://stoppvif.example.be\n"
	    "[calendar]\n"
	    "closures = %s\n"
	    "[delivery]\n"
	    "plugin_dir = %s\n"
	    "templates = %s\n"
	    "quiet_hours = 21:00-08:00\n"
	    "[shelter.aisova]\n"
	    "title = Appartement d'urgence\n"
	    "notify = role:oncall\n"
	    "escalate_after = 15m\n"
	    "escalate_to = role:referent\n"
	    "repeat = 15m\n"
	    "repeat_max = 2\n"
	    "claim_hold = 4h\n"
	    "link_valid = 1d\n"
	    "[crypto]\n"
	    "key_file = %s/master.key\n"
	    "[api]\n"
	    "max_body = 1M\n",
	    f->dir, f->dir, closures, plug, tpl, f->dir);
	f->ini = fuzz_write(f->dir, "stoppvif.ini", text);
	free(text);
	free(closures);
	free(plug);
	free(tpl);
}

/* The reload callback: what stoppvifd's daemon_reload() does. */
static int
fuzz_reload(void *arg, char **cause)
{
	struct fuzz	*f = arg;
	struct config	*next;
	struct closures	*cl = NULL;

	if ((next = config_load(f->conf->file, cause)) == NULL)
		return -1;
	if (config_reloadable(f->conf, next, cause) == -1 ||
	    shelter_conf_check(next, cause) == -1 ||
	    (*next->closures != '\0' && (cl = closures_load(next->closures,
	    cause)) == NULL) ||
	    dispatch_templates(f->dispatch, next, cause) == -1) {
		config_free(next);
		return -1;
	}
	config_free(f->conf);
	f->conf = next;
	closures_free(f->closures);
	f->closures = cl;
	f->cal.default_tz = f->conf->timezone;
	f->cal.closures = f->closures;
	if (shelter_reload(f->shelters, cause) == -1) {
		free(*cause);
		*cause = NULL;
	}
	return 0;
}

/* Messages were queued: as stoppvifd does, kick the dispatcher. */
static void
fuzz_queued(void *arg)
{
	struct fuzz	*f = arg;

	dispatch_kick(f->dispatch);
}

/* A fresh database, and what works on it. */
static void
fuzz_open(struct fuzz *f)
{
	char	*cause = NULL;

	if (f->db[0] != ':')
		unlink(f->db);
	if ((f->store = store_open(f->db, &cause)) == NULL)
		fatalx("fuzz_api: %s", cause);
	if (audit_start(f->store, f->master, &f->conf, &cause) == -1)
		fatalx("fuzz_api: audit: %s", cause);
	f->cal.store = f->store;
	f->cal.master = f->master;
	if ((f->sched = sched_new(f->base, &f->cal, f->master,
	    &cause)) == NULL)
		fatalx("fuzz_api: scheduler: %s", cause);
	if ((f->dispatch = dispatch_new(f->base, f->store, f->master,
	    &f->conf, &cause)) == NULL)
		fatalx("fuzz_api: delivery: %s", cause);
	sched_on_queue(f->sched, fuzz_queued, f);
	if ((f->shelters = shelter_new(f->base, f->store, f->master,
	    &f->conf, fuzz_queued, f, &cause)) == NULL)
		fatalx("fuzz_api: shelters: %s", cause);
	f->env.store = f->store;
	f->env.sched = f->sched;
	f->env.dispatch = f->dispatch;
	f->env.shelters = f->shelters;
	f->inputs = 0;
	if (f->history != NULL && (freopen(f->history_path, "w",
	    f->history) == NULL || fputs(FUZZ_MAGIC, f->history) == EOF))
		fatal("fuzz_api: %s", f->history_path);
}

/* Free what fuzz_open() made, in stoppvifd's order. */
static void
fuzz_close(struct fuzz *f)
{
	shelter_free(f->shelters);
	dispatch_free(f->dispatch);
	sched_free(f->sched);
	store_close(f->store);
	f->shelters = NULL;
	f->dispatch = NULL;
	f->sched = NULL;
	f->store = NULL;
}

/* nftw() callback: remove one entry of the private folder. */
static int
fuzz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* At exit: free everything, remove the private folder. */
static void
fuzz_exit(void)
{
	struct fuzz	*f = fz;

	if (f == NULL)
		return;
	fz = NULL;
	fuzz_close(f);
	tz_cached_free();
	closures_free(f->closures);
	crypt_key_free(f->master);
	event_base_free(f->base);
	config_free(f->conf);
	if (f->history != NULL)
		fclose(f->history);
	nftw(f->dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f->ini);
	free(f->db);
	free(f->dir);
	free(f);
}

/* Everything stoppvifd's main() sets up, once. */
static struct fuzz *
fuzz_init(void)
{
	struct fuzz	*f;
	const char	*tmp = getenv("TMPDIR"), *s;
	uint8_t		 raw[CRYPT_KEYBYTES];
	char		*cause = NULL;
	size_t		 i;

	s = getenv("FUZZ_API_LOG");
	log_init("fuzz_api", 1, s != NULL && strcmp(s, "debug") == 0 ?
	    LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (crypt_init() == -1)
		fatalx("fuzz_api: libsodium cannot be initialised");
	f = xcalloc(1, sizeof *f);
	xasprintf(&f->dir, "%s/fuzz_api.XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		fatal("fuzz_api: mkdtemp %s", f->dir);
	fuzz_config(f);
	if ((f->conf = config_load(f->ini, &cause)) == NULL)
		fatalx("fuzz_api: %s", cause);
	if ((f->closures = closures_load(f->conf->closures, &cause)) == NULL)
		fatalx("fuzz_api: %s", cause);
	if ((s = getenv("FUZZ_API_DB")) != NULL && strcmp(s, "file") == 0)
		f->db = config_db_path(f->conf);
	else
		f->db = xstrdup(":memory:");
	for (i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)(i * 7 + 1);
	f->master = crypt_key_from_bytes(raw);
	if ((f->base = event_base_new()) == NULL)
		fatalx("fuzz_api: event_base_new failed");
	f->cal.default_tz = f->conf->timezone;
	f->cal.closures = f->closures;
	f->env.master = f->master;
	f->env.conf = &f->conf;
	f->env.cal = &f->cal;
	f->env.started = time(NULL);
	f->env.reload = fuzz_reload;
	f->env.reload_arg = f;
	if ((f->history_path = getenv("FUZZ_API_HISTORY")) != NULL &&
	    (f->history = fopen(f->history_path, "w")) == NULL)
		fatal("fuzz_api: %s", f->history_path);
	f->print = getenv("FUZZ_API_PRINT") != NULL;
	f->strict = getenv("FUZZ_API_STRICT") != NULL;
	fuzz_open(f);
	atexit(fuzz_exit);
	return f;
}

/* The method a byte stands for. */
static int
fuzz_method(uint8_t c)
{
	switch (c) {
	case 'G':	return EVHTTP_REQ_GET;
	case 'P':	return EVHTTP_REQ_POST;
	case 'M':	return EVHTTP_REQ_PATCH;
	case 'D':	return EVHTTP_REQ_DELETE;
	case 'H':	return EVHTTP_REQ_HEAD;
	case 'U':	return EVHTTP_REQ_PUT;
	case 'O':	return EVHTTP_REQ_OPTIONS;
	case 'T':	return EVHTTP_REQ_TRACE;
	default:	return c;
	}
}

/* Whether the API may answer with this status. */
static int
fuzz_status_ok(int status)
{
	switch (status) {
	case 200:	/* OK */
	case 201:	/* created */
	case 400:	/* ERR_INVALID */
	case 403:	/* ERR_FORBIDDEN */
	case 404:	/* ERR_NOT_FOUND */
	case 405:	/* a known path, another method */
	case 409:	/* ERR_CONFLICT */
	case 413:	/* ERR_TOO_LARGE */
	case 500:	/* ERR_INTERNAL */
		return 1;
	default:
		return 0;
	}
}

/* Print what went wrong with a request and stop. */
static void __attribute__((noreturn))
fuzz_fail(const char *what, const struct api_call *call, int status,
    const char *text)
{
	fprintf(stderr, "fuzz_api: %s: method=%d path=\"%s\" query=\"%s\" "
	    "status=%d reply=%s\n", what, call->method, call->path ?
	    call->path : "(none)", call->query ? call->query : "(none)",
	    status, text ? text : "(none)");
	abort();
}

/*
 * Run one request (data, size: METHOD PATH \0 QUERY \0 BODY) and check the
 * answer.  Each part is copied to a buffer of its own size, so that reading
 * past one is caught.
 */
static void
fuzz_request(struct fuzz *f, const uint8_t *data, size_t size)
{
	struct api_call		 call;
	struct api_caller	 who;
	const uint8_t		*p, *end = data + size, *nul;
	char			*path = NULL, *query = NULL, *body = NULL;
	char			*text;
	json_t			*reply = NULL;
	int			 status;

	if (size == 0 || size > FUZZ_MAXBODY)
		return;
	memset(&call, 0, sizeof call);
	memset(&who, 0, sizeof who);
	call.method = fuzz_method(data[0]);
	p = data + 1;
	if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
		nul = end;
	if (nul > p)
		call.path = path = xstrndup((const char *)p, (size_t)(nul - p));
	p = nul < end ? nul + 1 : end;
	if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
		nul = end;
	if (nul > p) {
		if (*p == '?')
			p++;
		call.query = query = xstrndup((const char *)p,
		    (size_t)(nul - p));
	}
	p = nul < end ? nul + 1 : end;
	call.len = (size_t)(end - p);
	body = xmalloc(call.len > 0 ? call.len : 1);
	memcpy(body, p, call.len);
	call.body = call.len > 0 ? body : "";

	if (f->history != NULL) {
		fprintf(f->history, "%zu\n", size);
		fwrite(data, 1, size, f->history);
		fflush(f->history);
	}
	status = api_handle(&f->env, &call, &who, &reply);
	text = reply != NULL ? json_dumps(reply, JSON_COMPACT |
	    JSON_ENSURE_ASCII | JSON_ENCODE_ANY) : NULL;
	if (f->print)
		printf("%d %s\n", status, text != NULL ? text : "(none)");
	if (reply == NULL || text == NULL)
		fuzz_fail("no reply, or one that does not encode", &call,
		    status, text);
	if (!fuzz_status_ok(status))
		fuzz_fail("unknown status", &call, status, text);
	if (status >= 400 && !json_is_string(json_object_get(reply, "error")))
		fuzz_fail("error without a message", &call, status, text);
	if (store_in_txn(f->store))
		fuzz_fail("transaction left open", &call, status, text);
	if (f->strict && status == 500)
		fuzz_fail("internal error", &call, status, text);
	free(text);
	json_decref(reply);
	free(body);
	free(query);
	free(path);
}

/* A history: requests with their lengths, run from an empty database. */
static void
fuzz_history(struct fuzz *f, const uint8_t *data, size_t size)
{
	const uint8_t	*p = data + strlen(FUZZ_MAGIC), *end = data + size;
	char		 num[24];
	size_t		 n, len;

	if (!fuzz_libfuzzer) {
		fuzz_close(f);
		fuzz_open(f);
	}
	while (p < end) {
		for (n = 0; p + n < end && n < sizeof num - 1 &&
		    p[n] >= '0' && p[n] <= '9'; n++)
			num[n] = (char)p[n];
		num[n] = '\0';
		if (n == 0 || p + n >= end || p[n] != '\n')
			return;
		len = strtoull(num, NULL, 10);
		p += n + 1;
		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		fuzz_request(f, p, len);
		p += len;
	}
}

/*
 * Whether the database grew so that requests slow down: every listing, and
 * the outbox's rendered bodies most, go through all of it.
 */
static int
fuzz_big(struct fuzz *f)
{
	json_t		*counts, *v;
	const char	*key;
	json_int_t	 msgs = 0;

	if (sqlite3_memory_used() > FUZZ_MAXMEM ||
	    people_count(f->store) > FUZZ_MAXROWS ||
	    calendar_count(&f->cal) > FUZZ_MAXROWS)
		return 1;
	counts = outbox_counts(f->store);
	json_object_foreach(counts, key, v)
		msgs += json_integer_value(v);
	json_decref(counts);
	return msgs > FUZZ_MAXMSGS;
}

/* Called by libFuzzer only: a history then runs on the current state. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_libfuzzer = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz == NULL)
		fz = fuzz_init();
	if (++fz->inputs > FUZZ_RESET || fuzz_big(fz)) {
		fuzz_close(fz);
		fuzz_open(fz);
	}
	if (size >= strlen(FUZZ_MAGIC) &&
	    memcmp(data, FUZZ_MAGIC, strlen(FUZZ_MAGIC)) == 0)
		fuzz_history(fz, data, size);
	else
		fuzz_request(fz, data, size);
	return 0;
}
