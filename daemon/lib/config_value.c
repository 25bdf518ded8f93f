/*
 * config_value.c: the types of the configuration's keys.
 *
 * Each type says, in ctypes[], what its field holds and how its text
 * becomes a value: a checker for texts kept as they are (a time zone, a
 * listening address, a URL), or a setter that parses the text into its
 * field (a number, a duration, a path resolved against the file's folder).
 * Messages speak English, as the rest of the configuration does.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "duration.h"
#include "guard.h"
#include "log.h"
#include "utf8.h"
#include "util.h"

/* What the field of a key holds. */
enum cstore {
	CS_STRING,	/* char *, a copy */
	CS_INT,		/* int */
	CS_INT64,	/* int64_t */
	CS_UIDS,	/* allow_uids, n_allow_uids */
	CS_GIDS,	/* allow_gids, n_allow_gids */
	CS_MEMBERS,	/* struct config_members */
};

#define CONF_LIST_LEN	256	/* bytes of a list of values in a message */


/* Parse a value that is a list of user or group names or ids. */
static int
conf_idlist(const char *value, int groups, void *out, size_t *n, char **cause)
{
	char		*copy, *tok, *save = NULL;
	unsigned	*ids = NULL;
	struct passwd	*pw;
	struct group	*gr;
	size_t		 count = 0;
	int64_t		 num;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		ids = xreallocarray(ids, count + 1, sizeof *ids);
		pw = groups ? NULL : getpwnam(tok);
		gr = groups ? getgrnam(tok) : NULL;
		if (util_parse_int(tok, 0, UINT32_MAX - 1, &num) == 0)
			ids[count++] = (unsigned)num;
		else if (pw != NULL)
			ids[count++] = pw->pw_uid;
		else if (gr != NULL)
			ids[count++] = gr->gr_gid;
		else {
			util_cause(cause, "no %s named \"%s\" on this system",
			    groups ? "group" : "user", tok);
			free(copy);
			free(ids);
			return -1;
		}
	}
	free(copy);
	*(unsigned **)out = ids;
	*n = count;
	return 0;
}

/* Parse a size: bytes, or a number with a K or M suffix. */
static int
conf_size(const char *value, int64_t *out)
{
	char		*end;
	long long	 v, mult = 1;

	errno = 0;
	if (!isdigit((unsigned char)value[0]))
		return -1;
	v = strtoll(value, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'K' || *end == 'k') {
		mult = 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		mult = 1024 * 1024;
		end++;
	}
	if (*end != '\0' || v > INT64_MAX / mult)
		return -1;
	v *= mult;
	*out = v;
	return 0;
}

/* Check "host:port" with an IPv4 address or a bracketed IPv6 one. */
static int
conf_listen(const char *value, char **cause)
{
	const char	*colon;
	char		*host;
	unsigned char	 addr[16];
	int64_t		 port;
	size_t		 n;
	int		 ok;

	if (*value == '\0')
		return 0;
	colon = strrchr(value, ':');
	if (colon == NULL || colon == value) {
		util_cause(cause, "expected address:port, e.g. 127.0.0.1:8480");
		return -1;
	}
	n = (size_t)(colon - value);
	if (value[0] == '[' && n >= 2 && value[n - 1] == ']') {
		host = xstrndup(value + 1, n - 2);
		ok = inet_pton(AF_INET6, host, addr) == 1;
	} else {
		host = xstrndup(value, n);
		ok = inet_pton(AF_INET, host, addr) == 1;
	}
	free(host);
	if (!ok) {
		util_cause(cause, "expected an IPv4 address or a bracketed IPv6 "
		    "one before the port, e.g. 127.0.0.1:8480 or [::1]:8480");
		return -1;
	}
	if (util_parse_int(colon + 1, 1, 65535, &port) == -1) {
		util_cause(cause, "port must be a number from 1 to 65535");
		return -1;
	}
	return 0;
}

/*
 * Check where the SMS gateway's requests (or a metrics scraper's) arrive: a
 * loopback address:port (the client runs on this machine) or the absolute
 * path of a Unix socket, written as is or as "unix:PATH".  refused says
 * why anything else is.  "localhost" is a name, and names are not looked
 * up: the hint gives the address to write.
 */
static int
conf_local(const char *value, const char *refused, char **cause)
{
	const char	*path = value;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		*host;
	size_t		 n;
	int		 loop;

	if (*value == '\0')
		return 0;
	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (path[0] == '/')
		return 0;
	if (strncmp(value, "localhost:", 10) == 0) {
		util_cause(cause, "names are not looked up: write 127.0.0.1:%s "
		    "(or [::1]:%s)", value + 10, value + 10);
		return -1;
	}
	if (conf_listen(value, cause) == -1)
		return -1;
	n = (size_t)(strrchr(value, ':') - value);
	if (value[0] == '[') {
		host = xstrndup(value + 1, n - 2);
		loop = inet_pton(AF_INET6, host, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6);
	} else {
		host = xstrndup(value, n);
		loop = inet_pton(AF_INET, host, &a4) == 1 &&
		    (ntohl(a4.s_addr) >> 24) == 127;
	}
	free(host);
	if (!loop) {
		util_cause(cause, "%s", refused);
		return -1;
	}
	return 0;
}

/*
 * Check a text that phones show: plain, at most max characters, and
 * nothing that may not reach a phone; hint says where it shows.
 */
static int
conf_phone_text(const char *value, int64_t max, const char *hint,
    char **cause)
{
	char	*why = NULL;

	if (guard_input_check(value, 0, &why) == -1) {
		util_cause(cause, "%s", why);
		free(why);
		return -1;
	}
	if (utf8_len(value) > (size_t)max) {
		util_cause(cause, "at most %lld characters", (long long)max);
		return -1;
	}
	if (guard_phone_check(value, &why) == -1) {
		util_cause(cause, "%s: %s", why, hint);
		free(why);
		return -1;
	}
	return 0;
}

/* Check that a time zone exists in the system's tzdata. */
static int
conf_tz(const char *value, char **cause)
{
	char		*path;
	struct stat	 sb;
	int		 ok;

	if (*value == '\0' || value[0] == '/' || strstr(value, "..") != NULL) {
		util_cause(cause, "not a time zone name (e.g. Europe/Brussels)");
		return -1;
	}
	xasprintf(&path, "/usr/share/zoneinfo/%s", value);
	ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	if (!ok) {
		util_cause(cause, "unknown time zone \"%s\" (is tzdata "
		    "installed?)", value);
		return -1;
	}
	return 0;
}

/* Say that value is none of choices (NULL-terminated). */
static void
conf_choice_error(const char *const *choices, const char *value,
    char **cause)
{
	char	 list[CONF_LIST_LEN];

	util_cause(cause, "\"%s\" is not one of %s", value,
	    util_join(list, sizeof list, choices));
}

static int
conf_check_enum(const struct ckey *k, const char *value, char **cause)
{
	size_t	 i;

	for (i = 0; k->choices[i] != NULL; i++)
		if (strcmp(value, k->choices[i]) == 0)
			return 0;
	conf_choice_error(k->choices, value, cause);
	return -1;
}

static int
conf_check_tz(const struct ckey *k, const char *value, char **cause)
{
	return conf_tz(value, cause);
}

static int
conf_check_listen(const struct ckey *k, const char *value, char **cause)
{
	return conf_listen(value, cause);
}

static int
conf_check_local(const struct ckey *k, const char *value, char **cause)
{
	if (strcmp(k->name, "metrics_listen") == 0)
		return conf_local(value, "the metrics are for this machine "
		    "only (put a TLS proxy in front to scrape from elsewhere): "
		    "a loopback address (127.0.0.1:9470, [::1]:9470) or a Unix "
		    "socket path (/run/stoppvif/metrics.sock)", cause);
	return conf_local(value, "the SMS gateway must reach it on this "
	    "machine: a loopback address (127.0.0.1:8481, [::1]:8481) or a "
	    "Unix socket path (/run/stoppvif/sms.sock)", cause);
}

/* The name that phones show (the network's own name may be one: "VIF"). */
static int
conf_check_sender(const struct ckey *k, const char *value, char **cause)
{
	return conf_phone_text(value, k->max, "SMS and email signatures "
	    "show this name on phones others may read; choose a neutral one "
	    "(\"Coordination sociale\") or leave it empty", cause);
}

/* What phones show in place of an event's title that may not reach them. */
static int
conf_check_phonetext(const struct ckey *k, const char *value, char **cause)
{
	if (utf8_len(value) < (size_t)k->min) {
		util_cause(cause, "may not be empty: SMS and email subjects "
		    "show it in place of a title");
		return -1;
	}
	return conf_phone_text(value, k->max, "SMS and email subjects show "
	    "this text in place of a title, on phones others may read; "
	    "choose a neutral one (\"Réunion du réseau\")", cause);
}

static int
conf_check_words(const struct ckey *k, const char *value, char **cause)
{
	return guard_words_check(value, cause);
}

static int
conf_check_url(const struct ckey *k, const char *value, char **cause)
{
	if ((strncmp(value, "https://", 8) != 0 &&
	    strncmp(value, "http://", 7) != 0) ||
	    strpbrk(value, " \t\"<>") != NULL) {
		util_cause(cause, "expected an http:// or https:// URL");
		return -1;
	}
	return 0;
}

/*
 * The user the daemon drops to when started as root: one of this system
 * (looked up again at start), and not root, which would drop nothing.
 */
static int
conf_check_user(const struct ckey *k, const char *value, char **cause)
{
	struct passwd	*pw;

	if (*value == '\0')
		return 0;
	if ((pw = getpwnam(value)) == NULL) {
		util_cause(cause, "aucun utilisateur « %s » sur ce système : "
		    "créez-le (systemd-sysusers, ou useradd --system %s) ou "
		    "corrigez le nom", UTF8_CUT(value, 32),
		    UTF8_CUT(value, 32));
		return -1;
	}
	if (pw->pw_uid == 0) {
		util_cause(cause, "« %s » a l'uid 0 : stoppvifd garderait tous "
		    "les droits de root ; nommez l'utilisateur du service "
		    "(stoppvif)", UTF8_CUT(value, 32));
		return -1;
	}
	return 0;
}

static int
conf_check_quiet(const struct ckey *k, const char *value, char **cause)
{
	int	 from, to;

	if (*value != '\0' && config_quiet_parse(value, &from, &to) == -1) {
		util_cause(cause, "expected HH:MM-HH:MM, such as "
		    "21:00-08:00, or nothing");
		return -1;
	}
	return 0;
}

/* The field of key k in conf. */
#define CONF_FIELD(conf, k, type)	((type *)((char *)(conf) + (k)->off))

/* Replace the string of key k with s (a new string). */
static void
conf_set_string(struct config *conf, const struct ckey *k, char *s)
{
	char	**p = CONF_FIELD(conf, k, char *);

	free(*p);
	*p = s;
}

static int
conf_set_path(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	if (*value == '\0') {
		util_cause(cause, "a path is needed");
		return -1;
	}
	conf_set_string(conf, k, util_path_resolve(conf->file, value));
	return 0;
}

static int
conf_set_optpath(struct config *conf, const struct ckey *k,
    const char *value, char **cause)
{
	conf_set_string(conf, k, *value == '\0' ? xstrdup("") :
	    util_path_resolve(conf->file, value));
	return 0;
}

/*
 * A key file: a path, or credential:NAME, the file NAME that systemd's
 * LoadCredential= puts in $CREDENTIALS_DIRECTORY (resolved by the daemon).
 */
static int
conf_set_keypath(struct config *conf, const struct ckey *k,
    const char *value, char **cause)
{
	size_t		 n = strlen(CONFIG_CREDENTIAL);
	const char	*name = value + n;

	if (strncmp(value, CONFIG_CREDENTIAL, n) != 0)
		return conf_set_path(conf, k, value, cause);
	if (*name == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		util_cause(cause, "credential: doit être suivi du nom d'un "
		    "identifiant systemd, sans / (credential:master.key avec "
		    "LoadCredential=master.key:/etc/stoppvif/master.key dans "
		    "l'unité)");
		return -1;
	}
	conf_set_string(conf, k, xstrdup(value));
	return 0;
}

static int
conf_set_loglevel(struct config *conf, const struct ckey *k,
    const char *value, char **cause)
{
	int	 lvl;

	if ((lvl = log_level_parse(value)) == -1) {
		conf_choice_error(k->choices, value, cause);
		return -1;
	}
	*CONF_FIELD(conf, k, int) = lvl;
	return 0;
}

static int
conf_set_uids(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	free(conf->allow_uids);
	conf->allow_uids = NULL;
	if (conf_idlist(value, 0, &conf->allow_uids, &conf->n_allow_uids,
	    cause) == -1)
		return -1;
	return config_members_legacy(conf, 0, cause);
}

static int
conf_set_gids(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	free(conf->allow_gids);
	conf->allow_gids = NULL;
	if (conf_idlist(value, 1, &conf->allow_gids, &conf->n_allow_gids,
	    cause) == -1)
		return -1;
	return config_members_legacy(conf, 1, cause);
}

static int
conf_set_int(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	int64_t	 v;

	if (util_parse_int(value, k->min, k->max, &v) == -1) {
		util_cause(cause, "expected a number from %lld to %lld",
		    (long long)k->min, (long long)k->max);
		return -1;
	}
	*CONF_FIELD(conf, k, int64_t) = v;
	return 0;
}

static int
conf_set_duration(struct config *conf, const struct ckey *k,
    const char *value, char **cause)
{
	int64_t	 v;

	if (duration_parse(value, &v, NULL) == -1 || v < k->min ||
	    v > k->max) {
		util_cause(cause, "expected a duration from %llds to %llds, "
		    "such as 30s, 15m, 2h, 1d", (long long)k->min,
		    (long long)k->max);
		return -1;
	}
	*CONF_FIELD(conf, k, int64_t) = v;
	return 0;
}

static int
conf_set_size(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	int64_t	 v;

	if (conf_size(value, &v) == -1 || v < k->min || v > k->max) {
		util_cause(cause, "expected a size from %lld to %lld bytes "
		    "(K and M suffixes allowed)", (long long)k->min,
		    (long long)k->max);
		return -1;
	}
	*CONF_FIELD(conf, k, int64_t) = v;
	return 0;
}

/*
 * What each type of key does with its text: a key whose type has a setter
 * parses the text into its field; any other keeps a copy of the text, once
 * its checker (if any) accepts it.  store says what the field holds, for
 * config_value_free and config_value_same.
 */
static const struct ctypedef {
	enum cstore	 store;
	int		(*check)(const struct ckey *, const char *, char **);
	int		(*set)(struct config *, const struct ckey *,
			    const char *, char **);
} ctypes[] = {
	[CT_STRING] =	{ CS_STRING, NULL, NULL },
	[CT_PATH] =	{ CS_STRING, NULL, conf_set_path },
	[CT_OPTPATH] =	{ CS_STRING, NULL, conf_set_optpath },
	[CT_KEYPATH] =	{ CS_STRING, NULL, conf_set_keypath },
	[CT_USER] =	{ CS_STRING, conf_check_user, NULL },
	[CT_ENUM] =	{ CS_STRING, conf_check_enum, NULL },
	[CT_LOGLEVEL] =	{ CS_INT, NULL, conf_set_loglevel },
	[CT_TZ] =	{ CS_STRING, conf_check_tz, NULL },
	[CT_LISTEN] =	{ CS_STRING, conf_check_listen, NULL },
	[CT_LOCAL] =	{ CS_STRING, conf_check_local, NULL },
	[CT_SENDER] =	{ CS_STRING, conf_check_sender, NULL },
	[CT_PHONETEXT] = { CS_STRING, conf_check_phonetext, NULL },
	[CT_WORDS] =	{ CS_STRING, conf_check_words, NULL },
	[CT_URL] =	{ CS_STRING, conf_check_url, NULL },
	[CT_UIDS] =	{ CS_UIDS, NULL, conf_set_uids },
	[CT_GIDS] =	{ CS_GIDS, NULL, conf_set_gids },
	[CT_MEMBERS] =	{ CS_MEMBERS, NULL, config_members_set },
	[CT_SIZE] =	{ CS_INT64, NULL, conf_set_size },
	[CT_INT] =	{ CS_INT64, NULL, conf_set_int },
	[CT_DURATION] =	{ CS_INT64, NULL, conf_set_duration },
	[CT_QUIET] =	{ CS_STRING, conf_check_quiet, NULL },
};

int
config_value_set(struct config *conf, const struct ckey *k, const char *value,
    char **cause)
{
	const struct ctypedef	*t = &ctypes[k->type];

	if (t->set != NULL)
		return t->set(conf, k, value, cause);
	if (t->check != NULL && t->check(k, value, cause) == -1)
		return -1;
	conf_set_string(conf, k, xstrdup(value));
	return 0;
}

void
config_value_free(struct config *conf, const struct ckey *k)
{
	if (ctypes[k->type].store == CS_STRING)
		free(*CONF_FIELD(conf, k, char *));
	else if (ctypes[k->type].store == CS_MEMBERS)
		config_members_free(CONF_FIELD(conf, k, struct config_members));
}

int
config_value_same(const struct ckey *k, const struct config *a,
    const struct config *b)
{
	const char	*pa = (const char *)a + k->off;
	const char	*pb = (const char *)b + k->off;

	switch (ctypes[k->type].store) {
	case CS_INT:
		return *(const int *)pa == *(const int *)pb;
	case CS_INT64:
		return *(const int64_t *)pa == *(const int64_t *)pb;
	case CS_UIDS:
		return a->n_allow_uids == b->n_allow_uids &&
		    (a->n_allow_uids == 0 || memcmp(a->allow_uids,
		    b->allow_uids, a->n_allow_uids * sizeof(uid_t)) == 0);
	case CS_GIDS:
		return a->n_allow_gids == b->n_allow_gids &&
		    (a->n_allow_gids == 0 || memcmp(a->allow_gids,
		    b->allow_gids, a->n_allow_gids * sizeof(gid_t)) == 0);
	case CS_MEMBERS:
		return config_members_same((const struct config_members *)pa,
		    (const struct config_members *)pb);
	case CS_STRING:
		break;
	}
	return strcmp(*(char *const *)pa, *(char *const *)pb) == 0;
}

int
config_quiet_parse(const char *s, int *from, int *to)
{
	int	 h1, m1, h2, m2, n = 0;

	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 ||
	    h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 || (h1 == h2 && m1 == m2))
		return -1;
	*from = h1 * 60 + m1;
	*to = h2 * 60 + m2;
	return 0;
}
