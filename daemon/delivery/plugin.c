/*
 * plugin.c: loading channel plugins and the host side of their ABI.
 *
 * The host table is one static sv_host_api; each channel is its own struct
 * sv_host, which plugins see as an opaque pointer.  A channel copies its
 * configuration section, so that a reload that swaps the configuration never
 * leaves a plugin holding freed strings.  Encryption is the host's: a
 * plugin hands the complete message to encrypt(), which asks the
 * dispatcher for the recipient's key and calls mailcrypt_wrap(); no key
 * material ever crosses the ABI.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "config.h"
#include "curlev.h"
#include "log.h"
#include "mailcrypt.h"
#include "plugin.h"
#include "utf8.h"
#include "util.h"

#define CHANNEL_MAX_IN_FLIGHT	32
#define CHANNEL_REPLY_MAX	256	/* characters of a reply kept */

/* One channel: what plugins know as struct sv_host. */
struct sv_host {
	char			*name;
	char			*conf_file;
	char			*state_dir;
	int			 section_line;
	struct config_kv	*kv;
	size_t			 nkv;
	int			*asked;		/* kv[i] was read */
	char			*errors;	/* "file:line: key: ..." lines */
	void			*dl;
	const struct sv_channel_ops *ops;
	void			*ctx;
	struct curlev		*cv;
	channel_done_fn		 done;
	channel_key_fn		 key;
	void			*done_arg;
	double			 rate;
	int			 max_in_flight;
	int			 reports;	/* passes dlr_url on */
};

/* Append one problem with key (NULL: the section) to h->errors. */
static void __attribute__((format(printf, 3, 0)))
host_error(struct sv_host *h, const char *key, const char *fmt, va_list ap)
{
	char	*msg, *next;
	int	 line = h->section_line;
	size_t	 i;

	for (i = 0; key != NULL && i < h->nkv; i++)
		if (strcmp(h->kv[i].key, key) == 0)
			line = h->kv[i].line;
	xvasprintf(&msg, fmt, ap);
	if (line > 0)
		xasprintf(&next, "%s%s%s:%d: %s%s%s", h->errors ? h->errors :
		    "", h->errors ? "\n" : "", h->conf_file, line, key ? key :
		    "", key ? ": " : "", msg);
	else	/* no [channel.NAME] section: the built-in spool channel */
		xasprintf(&next, "%s%s%s: [channel.%s] (built in, spool): "
		    "%s%s%s", h->errors ? h->errors : "", h->errors ? "\n" :
		    "", h->conf_file, h->name, key ? key : "", key ? ": " : "",
		    msg);
	free(msg);
	free(h->errors);
	h->errors = next;
}

static void __attribute__((format(printf, 3, 4)))
host_errorf(struct sv_host *h, const char *key, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	host_error(h, key, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
host_log(struct sv_host *h, enum sv_log lvl, const char *fmt, ...)
{
	char	*msg;
	va_list	 ap;

	if ((lvl == SV_LOG_DEBUG && log_getlevel() < LOG_LEVEL_DEBUG) ||
	    (lvl == SV_LOG_INFO && log_getlevel() < LOG_LEVEL_INFO))
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (lvl == SV_LOG_WARN)
		log_warnx("channel.%s %s", h->name, msg);
	else if (lvl == SV_LOG_INFO)
		log_info("channel.%s %s", h->name, msg);
	else
		log_debug("channel.%s %s", h->name, msg);
	free(msg);
}

static const char *
host_conf(struct sv_host *h, const char *key)
{
	size_t	 i;

	for (i = 0; i < h->nkv; i++) {
		if (strcmp(h->kv[i].key, key) == 0) {
			h->asked[i] = 1;
			return h->kv[i].value;
		}
	}
	return NULL;
}

static void __attribute__((format(printf, 3, 4)))
host_conf_error(struct sv_host *h, const char *key, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	host_error(h, key, fmt, ap);
	va_end(ap);
}

static char *
host_path(struct sv_host *h, const char *value)
{
	return util_path_resolve(h->conf_file, value);
}

static const char *
host_state_dir(struct sv_host *h)
{
	return h->state_dir;
}

static int
host_curl_add(struct sv_host *h, CURL *easy, sv_curl_done_fn done, void *arg)
{
	if (h->cv == NULL)
		return -1;
	return curlev_add(h->cv, easy, done, arg);
}

/*
 * A plugin's outcome.  The reply is a gateway's or a server's words, kept
 * in the outbox and shown by the API: made valid UTF-8 and cut on a
 * character here, whatever the plugin did with it.
 */
static void
host_complete(struct sv_host *h, const struct sv_message *msg,
    enum sv_outcome o, const char *reply)
{
	char	 buf[4 * CHANNEL_REPLY_MAX + 8], *clean = NULL;

	if (reply != NULL) {
		if (!utf8_valid(reply, strlen(reply)))
			reply = clean = utf8_sanitize(reply);
		reply = utf8_cut(buf, sizeof buf, reply, CHANNEL_REPLY_MAX);
	}
	h->done(h->done_arg, (struct channel *)h, msg, o, reply);
	free(clean);
}

/*
 * Wrap a plugin's complete message for msg's recipient.  The log names the
 * message by id only: mailcrypt_wrap()'s causes hold no address, subject
 * or body.
 */
static int
host_encrypt(struct sv_host *h, const struct sv_message *msg,
    const char *plain, size_t len, char **out, size_t *outlen)
{
	struct mailcrypt_wrap	 w;
	char			*cause = NULL;

	*out = NULL;
	*outlen = 0;
	memset(&w, 0, sizeof w);
	if (msg == NULL || plain == NULL || !msg->encrypt || h->key == NULL ||
	    h->key(h->done_arg, msg, &w) == -1) {
		log_warnx("channel.%s encrypt_refused msg=%lld reason=no_key",
		    h->name, msg ? (long long)msg->id : -1LL);
		return -1;
	}
	w.address = msg->to;
	w.now = util_now();
	if (mailcrypt_wrap(&w, plain, len, out, outlen, &cause) == -1) {
		log_warnx("channel.%s encrypt_failed msg=%lld error=\"%s\"",
		    h->name, (long long)msg->id, LOG_QUOTE(cause));
		free(cause);
		return -1;
	}
	return 0;
}

/* The plugin hands dlr_url to its gateway: reports are awaited. */
static void
host_reports(struct sv_host *h)
{
	h->reports = 1;
}

static const struct sv_host_api host_api = {
	SV_PLUGIN_ABI,
	host_log,
	host_conf,
	host_conf_error,
	host_path,
	host_state_dir,
	host_curl_add,
	host_complete,
	host_encrypt,
	host_reports,
};

/* Refuse a plugin file anyone but root or us could have changed. */
static int
plugin_file_ok(struct sv_host *h, const char *path)
{
	struct stat	 sb;

	if (lstat(path, &sb) == -1) {
		host_errorf(h, "plugin", "%s: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		host_errorf(h, "plugin", "%s is not a regular file", path);
		return 0;
	}
	if ((sb.st_uid != 0 && sb.st_uid != geteuid()) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		host_errorf(h, "plugin", "%s is writable by others than root "
		    "and the daemon's user: refused (chmod go-w, chown root)",
		    path);
		return 0;
	}
	return 1;
}

/* The plugin the section names (spool when it has none), or NULL. */
static const char *
plugin_name(struct sv_host *h)
{
	const char	*name = host_conf(h, "plugin"), *p;

	if (name == NULL && h->nkv > 0) {
		host_errorf(h, NULL, "[channel.%s] needs plugin = smtp, "
		    "sms_http or spool", h->name);
		return NULL;
	}
	if (name == NULL)
		name = "spool";
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			break;
	if (*name == '\0' || *p != '\0') {
		host_errorf(h, "plugin", "\"%s\" is not a plugin name",
		    UTF8_CUT(name, 32));
		return NULL;
	}
	return name;
}

/* Load the plugin named by the section (spool when none), check its ABI. */
static int
plugin_load(struct sv_host *h, const struct config *conf)
{
	const char		*name;
	sv_plugin_entry_fn	 entry;
	char			*path, *cause = NULL;
	int			 rc = -1;

	if ((name = plugin_name(h)) == NULL)
		return -1;
	if (util_check_dir(conf->plugin_dir, geteuid(), &cause) == -1) {
		host_errorf(h, "plugin", "plugin_dir %s", cause);
		free(cause);
		return -1;
	}
	xasprintf(&path, "%s/%s.so", conf->plugin_dir, name);
	if (!plugin_file_ok(h, path))
		goto out;
	if ((h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		host_errorf(h, "plugin", "cannot load %s: %s", path, dlerror());
		goto out;
	}
	*(void **)&entry = dlsym(h->dl, SV_PLUGIN_ENTRY);
	if (entry != NULL && (h->ops = entry(&host_api)) != NULL &&
	    h->ops->abi != SV_PLUGIN_ABI) {
		host_errorf(h, "plugin", "%s speaks plugin ABI %d, not %d "
		    "(rebuild it against this stoppvif's "
		    "plugins/stoppvif_plugin.h)", path, h->ops->abi,
		    SV_PLUGIN_ABI);
		h->ops = NULL;
		goto out;
	}
	if (h->ops == NULL) {
		/* a plugin built for ABI 1 refuses our table: it answers NULL */
		host_errorf(h, "plugin", "%s does not speak plugin ABI %d (a "
		    "plugin built for ABI 1 cannot encrypt email: rebuild it "
		    "against this stoppvif's plugins/stoppvif_plugin.h)", path,
		    SV_PLUGIN_ABI);
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

/* The daemon's own keys: rate and max_in_flight. */
static void
plugin_host_keys(struct sv_host *h)
{
	const char	*v;
	char		*end;
	int64_t		 n;

	h->max_in_flight = CHANNEL_MAX_IN_FLIGHT;
	if ((v = host_conf(h, "max_in_flight")) != NULL) {
		if (util_parse_int(v, 1, 1024, &n) == -1)
			host_errorf(h, "max_in_flight", "expected a number from "
			    "1 to 1024");
		else
			h->max_in_flight = (int)n;
	}
	if ((v = host_conf(h, "rate")) != NULL) {
		h->rate = strtod(v, &end);
		if (end == v || *end != '\0' || h->rate < 0 || h->rate > 1e6)
			host_errorf(h, "rate", "expected messages per second, "
			    "0 for no limit");
	}
}

/* Copy the section of name (none: an empty one) into h. */
static void
plugin_section(struct sv_host *h, const struct config *conf,
    const char *name)
{
	const struct config_channel	*sec = config_channel(conf, name);
	size_t				 i;

	h->name = xstrdup(name);
	h->conf_file = xstrdup(conf->file);
	h->state_dir = xstrdup(conf->state_dir);
	if (sec == NULL) {
		h->asked = xcalloc(1, sizeof *h->asked);
		return;
	}
	h->section_line = sec->line;
	h->nkv = sec->nkv;
	h->kv = xcalloc(sec->nkv + 1, sizeof *h->kv);
	h->asked = xcalloc(sec->nkv + 1, sizeof *h->asked);
	for (i = 0; i < sec->nkv; i++) {
		h->kv[i].key = xstrdup(sec->kv[i].key);
		h->kv[i].value = xstrdup(sec->kv[i].value);
		h->kv[i].line = sec->kv[i].line;
	}
}

struct channel *
channel_open(const struct config *conf, const char *name, struct curlev *cv,
    channel_done_fn done, channel_key_fn key, void *arg, char **cause)
{
	struct sv_host	*h;
	size_t		 i;

	h = xcalloc(1, sizeof *h);
	plugin_section(h, conf, name);
	h->cv = cv;
	h->done = done;
	h->key = key;
	h->done_arg = arg;
	if (plugin_load(h, conf) == 0) {
		plugin_host_keys(h);
		h->ctx = h->ops->init(h, cv == NULL);
		if (h->ctx == NULL && h->errors == NULL)
			host_errorf(h, NULL, "the %s plugin refused to start",
			    h->ops->name);
		for (i = 0; i < h->nkv; i++)
			if (!h->asked[i])
				host_errorf(h, h->kv[i].key, "unknown key for "
				    "the %s plugin", h->ops->name);
	}
	if (h->errors == NULL)
		return (struct channel *)h;
	util_cause(cause, "%s", h->errors);
	channel_close((struct channel *)h);
	return NULL;
}

void
channel_close(struct channel *ch)
{
	struct sv_host	*h = (struct sv_host *)ch;
	size_t		 i;

	if (h == NULL)
		return;
	if (h->ctx != NULL)
		h->ops->shutdown(h->ctx);
	if (h->dl != NULL)
		dlclose(h->dl);
	for (i = 0; i < h->nkv; i++) {
		free(h->kv[i].key);
		free(h->kv[i].value);
	}
	free(h->kv);
	free(h->asked);
	free(h->errors);
	free(h->name);
	free(h->conf_file);
	free(h->state_dir);
	free(h);
}

int
channel_send(struct channel *ch, const struct sv_message *msg)
{
	struct sv_host	*h = (struct sv_host *)ch;

	return h->ops->send(h->ctx, msg);
}

const char *
channel_name(const struct channel *ch)
{
	return ((const struct sv_host *)ch)->name;
}

double
channel_rate(const struct channel *ch)
{
	return ((const struct sv_host *)ch)->rate;
}

int
channel_max_in_flight(const struct channel *ch)
{
	return ((const struct sv_host *)ch)->max_in_flight;
}

int
channel_reports(const struct channel *ch)
{
	return ((const struct sv_host *)ch)->reports;
}

int
channel_check_all(const struct config *conf, char **cause)
{
	struct channel	*ch;
	char		*all = NULL, *err = NULL;
	size_t		 i;
	int		 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		ch = channel_open(conf, chan_name(c), NULL, NULL, NULL, NULL,
		    &err);
		if (ch == NULL)
			util_append_line(&all, "%s", err);
		channel_close(ch);
		free(err);
		err = NULL;
	}
	for (i = 0; i < conf->nchannels; i++) {
		if (chan_parse(conf->channels[i].name) != -1)
			continue;
		xasprintf(&err, "%s:%d: [channel.%s]: unknown channel: the "
		    "channels are %s", conf->file, conf->channels[i].line,
		    conf->channels[i].name, chan_list());
		util_append_line(&all, "%s", err);
		free(err);
		err = NULL;
	}
	if (all == NULL)
		return 0;
	util_cause(cause, "%s", all);
	free(all);
	return -1;
}
