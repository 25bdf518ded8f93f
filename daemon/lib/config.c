/*
 * config.c: the INI configuration over a table of keys.
 *
 * inih calls config_handler() for each "key = value"; line numbers come from
 * our own line reader (Debian's inih is built without INI_HANDLER_LINENO),
 * which also reports section headers and lines that are neither, so that
 * every problem in a file is found in one pass, each with its line.  The
 * keys are described once, in ckeys[]; how each type of value is checked
 * and kept is config_value.c's.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config_int.h"
#include "guard.h"
#include "lang.h"
#include "log.h"
#include "utf8.h"
#include "util.h"


/* [privacy] email: what a person without a usable mail key gets. */
static const char *const privacy_email_modes[] = {
	"encrypt-if-possible", "encrypt-or-notice", NULL
};

/* [web] secure_cookies: auto sets Secure when the proxy forwards https. */
static const char *const web_secure_modes[] = { "auto", "yes", NULL };

#define OFF(f)	offsetof(struct config, f)
static const struct ckey ckeys[] = {
	{ "daemon", "state_dir", CT_PATH, "/var/lib/stoppvif", 0, 0, NULL, 0,
	    OFF(state_dir) },
	{ "daemon", "socket", CT_PATH, "/run/stoppvif/stoppvif.sock", 0, 0,
	    NULL, 0, OFF(socket) },
	{ "daemon", "timezone", CT_TZ, "Europe/Brussels", 0, 0, NULL, 1,
	    OFF(timezone) },
	{ "daemon", "language", CT_ENUM, "fr", 0, 0, lang_codes, 1,
	    OFF(language) },
	{ "daemon", "log_level", CT_LOGLEVEL, "info", 0, 0, log_level_names, 1,
	    OFF(log_level) },
	{ "daemon", "log_format", CT_ENUM, "text", 0, 0, log_format_names, 1,
	    OFF(log_format) },
	{ "daemon", "inbound_listen", CT_LISTEN, "", 0, 0, NULL, 0,
	    OFF(inbound_listen) },
	{ "daemon", "metrics_listen", CT_LOCAL, "", 0, 0, NULL, 0,
	    OFF(metrics_listen) },
	{ "daemon", "public_url", CT_URL, "https://stoppvif.example.be", 0, 0,
	    NULL, 1, OFF(public_url) },
	{ "daemon", "sender_name", CT_SENDER, "", 0, 40, NULL, 1,
	    OFF(sender_name) },
	{ "daemon", "user", CT_USER, "", 0, 0, NULL, 0, OFF(user) },
	{ "inbound", "sms_listen", CT_LOCAL, "", 0, 0, NULL, 0,
	    OFF(sms_listen) },
	{ "inbound", "sms_secret_file", CT_PATH, "/var/lib/stoppvif/sms.secret",
	    0, 0, NULL, 0, OFF(sms_secret_file) },
	{ "calendar", "closures", CT_OPTPATH, "", 0, 0, NULL, 1,
	    OFF(closures) },
	{ "calendar", "phone_title", CT_PHONETEXT, "Réunion du réseau", 1, 60,
	    NULL, 1, OFF(phone_title) },
	{ "privacy", "phone_words", CT_WORDS, "", 0, 0, NULL, 1,
	    OFF(phone_words) },
	{ "privacy", "keep_bodies", CT_DURATION, "30d", 1, 3650 * 86400, NULL,
	    1, OFF(keep_bodies) },
	{ "privacy", "keep_spool", CT_DURATION, "7d", 1, 3650 * 86400, NULL,
	    1, OFF(keep_spool) },
	{ "privacy", "email", CT_ENUM, "encrypt-if-possible", 0, 0,
	    privacy_email_modes, 1, OFF(privacy_email) },
	{ "privacy", "encrypted_subject", CT_PHONETEXT, "Message du réseau", 1,
	    60, NULL, 1, OFF(encrypted_subject) },
	{ "privacy", "keep_audit", CT_DURATION, "365d", 1, 3650 * 86400,
	    NULL, 1, OFF(keep_audit) },
	{ "crypto", "key_file", CT_KEYPATH, "/var/lib/stoppvif-key/master.key",
	    0, 0, NULL, 0, OFF(key_file) },
	{ "delivery", "plugin_dir", CT_PATH, LIBDIR "/stoppvif/plugins", 0, 0,
	    NULL, 0, OFF(plugin_dir) },
	{ "delivery", "templates", CT_PATH, DATADIR "/templates", 0, 0, NULL,
	    1, OFF(templates) },
	{ "delivery", "max_attempts", CT_INT, "10", 1, 1000, NULL, 1,
	    OFF(max_attempts) },
	{ "delivery", "max_age", CT_DURATION, "2d", 60, 30 * 86400, NULL, 1,
	    OFF(max_age) },
	{ "delivery", "backoff_min", CT_DURATION, "30s", 1, 86400, NULL, 1,
	    OFF(backoff_min) },
	{ "delivery", "backoff_max", CT_DURATION, "1h", 1, 7 * 86400, NULL, 1,
	    OFF(backoff_max) },
	{ "delivery", "dlr_timeout", CT_DURATION, "5m", 1, 86400, NULL, 1,
	    OFF(dlr_timeout) },
	{ "delivery", "quiet_hours", CT_QUIET, "", 0, 0, NULL, 1,
	    OFF(quiet_hours) },
	{ "alarm", "failures", CT_INT, "5", 1, 1000, NULL, 1,
	    OFF(alarm_failures) },
	{ "alarm", "urgent_age", CT_DURATION, "10m", 1, 86400, NULL, 1,
	    OFF(alarm_urgent_age) },
	{ "alarm", "no_reports", CT_INT, "2", 1, 1000, NULL, 1,
	    OFF(alarm_no_reports) },
	{ "alarm", "repeat", CT_DURATION, "1h", 1, 7 * 86400, NULL, 1,
	    OFF(alarm_repeat) },
	{ "api", "allow_uids", CT_UIDS, "", 0, 0, NULL, 1, OFF(allow_uids) },
	{ "api", "allow_gids", CT_GIDS, "", 0, 0, NULL, 1, OFF(allow_gids) },
	{ "api", "admins", CT_MEMBERS, "", 0, 0, NULL, 1, OFF(admins) },
	{ "api", "coordinators", CT_MEMBERS, "", 0, 0, NULL, 1,
	    OFF(coordinators) },
	{ "api", "viewers", CT_MEMBERS, "", 0, 0, NULL, 1, OFF(viewers) },
	{ "api", "max_body", CT_SIZE, "1M", 1024, 64 << 20, NULL, 0,
	    OFF(max_body) },
	{ "web", "listen", CT_LISTEN, "", 0, 0, NULL, 0, OFF(web_listen) },
	{ "web", "assets", CT_PATH, DATADIR "/web", 0, 0, NULL, 1,
	    OFF(web_assets) },
	{ "web", "session_idle", CT_DURATION, "30m", 60, 86400, NULL, 1,
	    OFF(web_session_idle) },
	{ "web", "session_max", CT_DURATION, "12h", 60, 7 * 86400, NULL, 1,
	    OFF(web_session_max) },
	{ "web", "secure_cookies", CT_ENUM, "auto", 0, 0, web_secure_modes, 1,
	    OFF(web_secure_cookies) },
	{ "web", "login_failures", CT_INT, "5", 1, 100, NULL, 1,
	    OFF(web_login_failures) },
	{ "web", "login_lockout", CT_DURATION, "15m", 60, 86400, NULL, 1,
	    OFF(web_login_lockout) },
};
#define NKEYS	(sizeof ckeys / sizeof ckeys[0])

/* State of one parse: the file, its current line, and what went wrong. */
struct cparse {
	struct config	*conf;
	FILE		*fp;
	const char	*file;
	int		 line;
	int		 seen[NKEYS];	/* line a key was set on, 0 if not */
	char		*errors;	/* one problem a line */
	int		 nerrors;
	char		 section[64];
	int		 section_ok;
	int		 section_line;
};

static void	 cparse_error(struct cparse *, int, const char *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));

/* Record one problem as "file:line: key: message". */
static void
cparse_error(struct cparse *cp, int line, const char *key, const char *fmt, ...)
{
	char	*msg, *next;
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&next, "%s%s:%d: %s%s%s\n", cp->errors ? cp->errors : "",
	    cp->file, line, key ? key : "", key ? ": " : "", msg);
	free(cp->errors);
	free(msg);
	cp->errors = next;
	cp->nerrors++;
}

/*
 * The NAME of a "PREFIX.NAME" section (letters, digits, _ and -), or NULL.
 * PREFIX is "channel." or "shelter.".
 */
static const char *
conf_named_section(const char *section, const char *prefix)
{
	const char	*p;
	size_t		 n = strlen(prefix);

	if (strncmp(section, prefix, n) != 0 || section[n] == '\0')
		return NULL;
	for (p = section + n; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return NULL;
	return section + n;
}

#define conf_channel_name(s)	conf_named_section((s), "channel.")
#define conf_shelter_name(s)	conf_named_section((s), "shelter.")

/*
 * Keep one key of a [channel.NAME] or [shelter.NAME] section (the array
 * *list of *n) for the module that reads it: a channel's plugin, or the
 * shelters.
 */
static void
conf_section_key(struct cparse *cp, struct config_channel **list, size_t *n,
    const char *name, const char *key, const char *value)
{
	struct config_channel	*ch = NULL;
	size_t			 i, len = strlen(value);

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, name) == 0)
			ch = &(*list)[i];
	if (ch == NULL) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		ch = &(*list)[(*n)++];
		memset(ch, 0, sizeof *ch);
		ch->name = xstrdup(name);
		ch->line = cp->section_line;
	}
	for (i = 0; i < ch->nkv; i++) {
		if (strcmp(ch->kv[i].key, key) == 0) {
			cparse_error(cp, cp->line, key, "set twice (first on "
			    "line %d)", ch->kv[i].line);
			return;
		}
	}
	ch->kv = xreallocarray(ch->kv, ch->nkv + 1, sizeof *ch->kv);
	ch->kv[ch->nkv].key = xstrdup(key);
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
		ch->kv[ch->nkv].value = xstrndup(value + 1, len - 2);
	else
		ch->kv[ch->nkv].value = xstrdup(value);
	ch->kv[ch->nkv++].line = cp->line;
}

const char *
config_kv(const struct config_channel *sec, const char *key, int *line)
{
	size_t	 i;

	for (i = 0; sec != NULL && i < sec->nkv; i++)
		if (strcmp(sec->kv[i].key, key) == 0) {
			if (line != NULL)
				*line = sec->kv[i].line;
			return sec->kv[i].value;
		}
	return NULL;
}

const struct config_channel *
config_channel(const struct config *conf, const char *name)
{
	size_t	 i;

	for (i = 0; i < conf->nchannels; i++)
		if (strcmp(conf->channels[i].name, name) == 0)
			return &conf->channels[i];
	return NULL;
}

/* Whether a section name is one this version knows. */
static int
conf_known_section(const char *section)
{
	size_t	 i;

	if (conf_channel_name(section) != NULL ||
	    conf_shelter_name(section) != NULL)
		return 1;
	for (i = 0; i < NKEYS; i++)
		if (strcmp(ckeys[i].section, section) == 0)
			return 1;
	return 0;
}

/* The index in ckeys[] of key name of section, or NKEYS. */
static size_t
conf_key_index(const char *section, const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(ckeys[i].section, section) == 0 &&
		    strcmp(ckeys[i].name, name) == 0)
			break;
	return i;
}

/* Keep a key of a [channel.NAME] or [shelter.NAME] section for its
 * reader; 0 when the section is neither. */
static int
conf_named_key(struct cparse *cp, const char *section, const char *name,
    const char *value)
{
	struct config	*conf = cp->conf;

	if (conf_channel_name(section) != NULL)
		conf_section_key(cp, &conf->channels, &conf->nchannels,
		    conf_channel_name(section), name, value);
	else if (conf_shelter_name(section) != NULL)
		conf_section_key(cp, &conf->shelters, &conf->nshelters,
		    conf_shelter_name(section), name, value);
	else
		return 0;
	return 1;
}

/* Set key k from value, which may be quoted: key = "value". */
static void
conf_key_value(struct cparse *cp, const struct ckey *k, const char *value)
{
	char	*cause = NULL, *unq = NULL;
	size_t	 len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
		unq = xstrndup(value + 1, len - 2);
	if (config_value_set(cp->conf, k, unq ? unq : value, &cause) == -1) {
		cparse_error(cp, cp->line, k->name, "%s", cause);
		free(cause);
	}
	free(unq);
}

/* inih handler: one "key = value" of the current section. */
static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct cparse	*cp = arg;
	size_t		 i;

	if (!cp->section_ok)
		return 1;	/* the section header was reported already */
	if (!utf8_valid(value, strlen(value))) {
		cparse_error(cp, cp->line, name, "not valid UTF-8: save the "
		    "file as UTF-8");
		return 1;
	}
	if (conf_named_key(cp, section, name, value))
		return 1;
	if ((i = conf_key_index(section, name)) == NKEYS)
		cparse_error(cp, cp->line, name, "unknown key in [%s]",
		    section);
	else if (cp->seen[i] != 0)
		cparse_error(cp, cp->line, name, "set twice (first on line %d)",
		    cp->seen[i]);
	else {
		cp->seen[i] = cp->line;
		conf_key_value(cp, &ckeys[i], value);
	}
	return 1;
}

/* Look at a raw line before inih does: report bad section headers and lines
 * that are neither a section, a key, a comment nor blank. */
static void
config_scan_line(struct cparse *cp, const char *raw)
{
	const char	*s = raw, *end;
	size_t		 n;

	if (cp->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;		/* UTF-8 byte order mark, as inih skips it */
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			cparse_error(cp, cp->line, NULL,
			    "section header without a closing ]");
			cp->section_ok = 0;
			return;
		}
		n = (size_t)(end - s - 1);
		if (n >= sizeof cp->section)
			n = sizeof cp->section - 1;
		memcpy(cp->section, s + 1, n);
		cp->section[n] = '\0';
		cp->section_ok = conf_known_section(cp->section);
		cp->section_line = cp->line;
		if (!cp->section_ok)
			cparse_error(cp, cp->line, NULL,
			    "unknown section [%s]", cp->section);
		return;
	}
	if (strchr(s, '=') == NULL && strchr(s, ':') == NULL) {
		cparse_error(cp, cp->line, NULL,
		    "expected \"key = value\", a [section] or a ; comment");
		return;
	}
	if (cp->section[0] == '\0' && !cp->section_ok)
		cparse_error(cp, cp->line, NULL,
		    "key outside any section (put it under [daemon])");
}

/* inih reader: fgets that counts lines and inspects each one. */
static char *
config_reader(char *buf, int size, void *arg)
{
	struct cparse	*cp = arg;
	size_t		 len;
	int		 c;

	if (fgets(buf, size, cp->fp) == NULL)
		return NULL;
	cp->line++;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] != '\n' && !feof(cp->fp)) {
		/* inih's lines are INI_MAX_LINE bytes: refuse, never cut. */
		cparse_error(cp, cp->line, NULL, "line longer than %d "
		    "characters", size - 2);
		while ((c = fgetc(cp->fp)) != EOF && c != '\n')
			;
		util_strlcpy(buf, "\n", (size_t)size);
		return buf;
	}
	config_scan_line(cp, buf);
	return buf;
}

/*
 * What a channel shows as its sender: the display name of an email's
 * ("Name <addr@host>") on the lock screen of every phone that reads the
 * mail, the sender id of an SMS on the phone itself.  The same rule as
 * sender_name.  The domain of an address is left alone: the commune may
 * not choose it (give the address a neutral display name).
 */
static void
conf_check_from(struct cparse *cp)
{
	const char	*from, *lt;
	char		*name, *why = NULL;
	size_t		 i;
	int		 line = 0;

	for (i = 0; i < cp->conf->nchannels; i++) {
		if ((from = config_kv(&cp->conf->channels[i], "from",
		    &line)) == NULL)
			continue;
		/* the display name; of a bare address, its local part (the
		 * domain is the commune's); of an SMS sender id, all of it */
		if ((lt = strchr(from, '<')) == NULL)
			lt = strchr(from, '@');
		name = lt != NULL ? xstrndup(from, (size_t)(lt - from)) :
		    xstrdup(from);
		if (guard_phone_check(name, &why) == -1) {
			cparse_error(cp, line, "from", "%s: the sender shows on "
			    "phones others may read; use a neutral name, e.g. "
			    "\"Coordination sociale <noreply@...>\"", why);
			free(why);
			why = NULL;
		}
		free(name);
	}
}

/* Parse file; with partial, return the config even when keys were refused
 * (they keep their defaults), with the problems in *cause. */
static struct config *
config_parse(const char *file, int partial, char **cause)
{
	struct cparse	 cp;
	struct config	*conf;
	char		*err = NULL;
	size_t		 i;

	conf = xcalloc(1, sizeof *conf);
	/* Absolute, so that relative paths survive the chdir("/") of detaching
	 * and a reload from there. */
	if ((conf->file = realpath(file, NULL)) == NULL)
		conf->file = xstrdup(file);
	for (i = 0; i < NKEYS; i++) {
		if (config_value_set(conf, &ckeys[i], ckeys[i].def, &err) == -1)
			fatalx("config bad_default key=%s error=\"%s\"",
			    ckeys[i].name, LOG_QUOTE(err));
	}

	memset(&cp, 0, sizeof cp);
	cp.conf = conf;
	cp.file = file;
	if ((cp.fp = fopen(file, "r")) == NULL) {
		util_cause(cause, "%s: cannot read: %s", file, strerror(errno));
		config_free(conf);
		return NULL;
	}
	ini_parse_stream(config_reader, &cp, config_handler, &cp);
	fclose(cp.fp);
	conf_check_from(&cp);
	if (cp.nerrors > 0) {
		/* Drop the final newline: callers print cause as a line. */
		cp.errors[strlen(cp.errors) - 1] = '\0';
		free(*cause);
		*cause = cp.errors;
		if (!partial) {
			config_free(conf);
			return NULL;
		}
	}
	return conf;
}

struct config *
config_load(const char *file, char **cause)
{
	return config_parse(file, 0, cause);
}

struct config *
config_load_partial(const char *file, char **cause)
{
	return config_parse(file, 1, cause);
}

static void
conf_channel_free(struct config_channel *ch)
{
	size_t	 i;

	for (i = 0; i < ch->nkv; i++) {
		free(ch->kv[i].key);
		free(ch->kv[i].value);
	}
	free(ch->kv);
	free(ch->name);
}

/* Whether the [channel.*] sections of a and b are the same. */
static int
conf_channels_same(const struct config *a, const struct config *b)
{
	const struct config_channel	*x, *y;
	size_t				 i, j;

	if (a->nchannels != b->nchannels)
		return 0;
	for (i = 0; i < a->nchannels; i++) {
		x = &a->channels[i];
		if ((y = config_channel(b, x->name)) == NULL ||
		    x->nkv != y->nkv)
			return 0;
		for (j = 0; j < x->nkv; j++)
			if (strcmp(x->kv[j].key, y->kv[j].key) != 0 ||
			    strcmp(x->kv[j].value, y->kv[j].value) != 0)
				return 0;
	}
	return 1;
}

void
config_free(struct config *conf)
{
	size_t	 i;

	if (conf == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		config_value_free(conf, &ckeys[i]);
	for (i = 0; i < conf->nchannels; i++)
		conf_channel_free(&conf->channels[i]);
	free(conf->channels);
	for (i = 0; i < conf->nshelters; i++)
		conf_channel_free(&conf->shelters[i]);
	free(conf->shelters);
	free(conf->allow_uids);
	free(conf->allow_gids);
	free(conf->file);
	free(conf);
}

int
config_reloadable(const struct config *cur, const struct config *next,
    char **cause)
{
	char	*names = NULL, *tmp;
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (ckeys[i].reloadable || config_value_same(&ckeys[i], cur, next))
			continue;
		xasprintf(&tmp, "%s%s[%s] %s", names ? names : "",
		    names ? ", " : "", ckeys[i].section, ckeys[i].name);
		free(names);
		names = tmp;
	}
	if (!conf_channels_same(cur, next))
		xasprintf(&tmp, "%s%s[channel.*] sections", names ? names : "",
		    names ? ", " : "");
	else
		tmp = names ? xstrdup(names) : NULL;
	free(names);
	names = tmp;
	if (names == NULL)
		return 0;
	util_cause(cause, "%s cannot change without a restart", names);
	free(names);
	return -1;
}

char *
config_default_file(void)
{
	char		 exe[PATH_MAX], *dir, *up, *path;
	const char	*base;
	ssize_t		 n;
	struct stat	 sb;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = util_dirname(exe);	/* .../build or .../build/san */
		base = strrchr(dir, '/');
		if (base != NULL && strcmp(base, "/build") != 0) {
			up = util_dirname(dir);
			free(dir);
			dir = up;
			base = strrchr(dir, '/');
		}
		if (base != NULL && strcmp(base, "/build") == 0) {
			up = util_dirname(dir);
			xasprintf(&path, "%s/etc/stoppvif.ini", up);
			free(up);
			free(dir);
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
				return path;
			free(path);
		} else
			free(dir);
	}
	return xstrdup(SYSCONFDIR "/stoppvif/stoppvif.ini");
}

char *
config_db_path(const struct config *conf)
{
	char	*path;

	xasprintf(&path, "%s/stoppvif.db", conf->state_dir);
	return path;
}
