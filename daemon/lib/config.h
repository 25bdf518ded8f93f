/*
 * config.h: the configuration file (INI, read with inih) over a table of
 * keys: each key has a type, a default, bounds, an optional validator, and
 * says whether SIGHUP may change it.  Shared by stoppvifd and stoppvifctl.
 */
#ifndef STOPPVIF_CONFIG_H
#define STOPPVIF_CONFIG_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* One "key = value" of a [channel.NAME] section, read by its plugin. */
struct config_kv {
	char	*key;
	char	*value;
	int	 line;
};

/*
 * A [channel.NAME] section, whose keys are checked by the channel's plugin,
 * or a [shelter.NAME] one, whose keys the shelters check (shelter.h).
 */
struct config_channel {
	char			*name;		/* "email", "sms", "aisova" */
	int			 line;		/* of the section header */
	struct config_kv	*kv;
	size_t			 nkv;
};

/*
 * The users and groups of an [api] role key, looked up when the file is
 * read: "alice", "1001", "@stoppvif" (a group), "@1001".
 */
struct config_member {
	char		*name;		/* as written */
	unsigned	 id;		/* its uid, or its gid */
	int		 group;
};
struct config_members {
	struct config_member	*v;
	size_t			 n;
};

struct config {
	char	*file;		/* the file read, as given */

	/* [daemon] */
	char	*state_dir;	/* resolved against the file's folder */
	char	*socket;
	char	*timezone;
	char	*language;	/* fr, nl, de, en */
	int	 log_level;	/* enum log_level */
	char	*log_format;	/* text, json (log_format_parse) */
	char	*inbound_listen;	/* "" when unset */
	char	*metrics_listen;	/* loopback address:port or socket; "" */
	char	*public_url;
	char	*sender_name;	/* what phones and signatures show; "" */
	char	*user;	/* to drop to when started as root; "" */

	/* [inbound] */
	char	*sms_listen;	/* loopback address:port or socket; "" */
	char	*sms_secret_file;

	/* [calendar] */
	char	*closures;	/* closures file; "" when none */
	char	*phone_title;	/* what phones show of a guarded title */

	/* [privacy] */
	char	*phone_words;	/* more words kept off phones; "" */
	int64_t	 keep_bodies;	/* seconds: sent payloads erased after */
	int64_t	 keep_spool;	/* seconds: spool files deleted after */
	int64_t	 keep_audit;	/* seconds: audit entries pruned after */
	char	*privacy_email;	/* encrypt-if-possible, encrypt-or-notice */
	char	*encrypted_subject;	/* visible Subject of encrypted mail */

	/* [crypto] */
	char	*key_file;	/* a path, or credential:NAME */

	/* [delivery] */
	char	*plugin_dir;
	char	*templates;
	int64_t	 max_attempts;
	int64_t	 max_age;	/* seconds */
	int64_t	 backoff_min;	/* seconds */
	int64_t	 backoff_max;
	int64_t	 dlr_timeout;	/* seconds an urgent SMS awaits its report */
	char	*quiet_hours;	/* "21:00-08:00", "" for none */

	/* [alarm]: the dead-man's switch (shelter/alarm.c) */
	int64_t	 alarm_failures;	/* failures in a row on a channel */
	int64_t	 alarm_urgent_age;	/* seconds an urgent message waits */
	int64_t	 alarm_no_reports;	/* urgent SMS in a row unreported */
	int64_t	 alarm_repeat;	/* seconds between two alarms */

	/* [channel.NAME] sections, in file order */
	struct config_channel	*channels;
	size_t			 nchannels;

	/* [shelter.NAME] sections, in file order */
	struct config_channel	*shelters;
	size_t			 nshelters;

	/* [api] */
	uid_t	*allow_uids;	/* the older spelling of coordinators */
	size_t	 n_allow_uids;
	gid_t	*allow_gids;
	size_t	 n_allow_gids;
	/* the roles (api_role.h); root and the daemon's user are admins */
	struct config_members	 admins;
	struct config_members	 coordinators;
	struct config_members	 viewers;
	int64_t	 max_body;	/* bytes */

	/* [web]: the coordinators' console (api/web.c) */
	char	*web_listen;	/* address:port or socket; "" when off */
	char	*web_assets;	/* folder of style.css, app.js (share/stoppvif/web) */
	int64_t	 web_session_idle;	/* seconds a session lives unused */
	int64_t	 web_session_max;	/* seconds a session lives at most */
	char	*web_secure_cookies;	/* auto, yes */
	int64_t	 web_login_failures;	/* wrong passwords before a lockout */
	int64_t	 web_login_lockout;	/* seconds the lockout lasts */
};

/*
 * Read and validate file.  Returns a new config, or NULL with *cause holding
 * every problem found, one per line, each as "file:line: key: what is wrong".
 */
struct config	*config_load(const char *file, char **cause);
/*
 * The same, for stoppvifctl, which only needs to find the daemon: a refused
 * key keeps its default and the config is returned all the same, with the
 * problems in *cause.  NULL only when the file cannot be read.
 */
struct config	*config_load_partial(const char *file, char **cause);
void		 config_free(struct config *);

/*
 * Check that next may replace cur on reload: keys that are not reloadable
 * must be unchanged.  Returns 0, or -1 with *cause naming the keys.
 */
int		 config_reloadable(const struct config *cur,
		    const struct config *next, char **cause);

/*
 * The configuration file to read when none is given: etc/stoppvif.ini of the
 * checkout holding the running binary (build/X beside etc/), otherwise
 * SYSCONFDIR/stoppvif/stoppvif.ini.  Returns a new string.
 */
char		*config_default_file(void);

/* The [channel.NAME] section, or NULL. */
const struct config_channel *config_channel(const struct config *,
		    const char *name);
/* The value of key in a section (NULL when absent), and its line. */
const char	*config_kv(const struct config_channel *, const char *key,
		    int *line);

/*
 * Parse quiet hours "HH:MM-HH:MM" into minutes of the day; the window may
 * wrap midnight.  0 or -1.
 */
int		 config_quiet_parse(const char *s, int *from, int *to);

/* The prefix of a key_file read from systemd's $CREDENTIALS_DIRECTORY. */
#define CONFIG_CREDENTIAL	"credential:"

/* The database file inside state_dir (new string). */
char		*config_db_path(const struct config *);

#endif
