/*
 * config_int.h: what the configuration's reader (config.c) and its value
 * types (config_value.c) share: the description of a key.  Private to
 * config*.c; everyone else goes through config.h.
 */
#ifndef STOPPVIF_CONFIG_INT_H
#define STOPPVIF_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The type of a key's value: how its text is checked and kept. */
enum ctype {
	CT_STRING,
	CT_PATH,
	CT_OPTPATH,	/* a path, or empty for none */
	CT_KEYPATH,	/* a path, or credential:NAME */
	CT_USER,	/* a user of this system but root, or empty */
	CT_ENUM,
	CT_LOGLEVEL,
	CT_TZ,
	CT_LISTEN,
	CT_LOCAL,	/* a loopback address:port or a Unix socket path */
	CT_SENDER,	/* a name that phones show */
	CT_PHONETEXT,	/* a text that phones show, never empty */
	CT_WORDS,	/* more words kept off phones (guard.h) */
	CT_URL,
	CT_UIDS,
	CT_GIDS,
	CT_MEMBERS,	/* users and @groups of an [api] role */
	CT_SIZE,
	CT_INT,		/* a number in [min, max] */
	CT_DURATION,	/* "90s", "2h", "1d12h" in [min, max] seconds */
	CT_QUIET,	/* "HH:MM-HH:MM" or empty */
};

/* One key of the table: where it is, its default, its bounds. */
struct ckey {
	const char		*section;
	const char		*name;
	enum ctype		 type;
	const char		*def;
	int64_t			 min, max;	/* bounds; of a text: length */
	const char *const	*choices;	/* CT_ENUM, CT_LOGLEVEL */
	int			 reloadable;
	size_t			 off;		/* of its field in struct config */
};

/*
 * Set the field of key k in conf from its text (its default, or what the
 * file says); 0, or -1 with *cause saying why the text is refused.
 */
int	 config_value_set(struct config *, const struct ckey *k,
	    const char *value, char **cause);
/* Free what the field of key k holds, if anything. */
void	 config_value_free(struct config *, const struct ckey *k);
/* Whether key k holds the same value in a and b. */
int	 config_value_same(const struct ckey *k, const struct config *a,
	    const struct config *b);

/*
 * config_member.c, the [api] role keys.  Set the members of role key k
 * from value, refusing unknown names and anyone another role key or
 * allow_uids / allow_gids names already: 0, or -1 with *cause.
 */
int	 config_members_set(struct config *, const struct ckey *k,
	    const char *value, char **cause);
/* After allow_uids or allow_gids (groups) is set: -1 with *cause when a
 * role key names one of its users or groups too. */
int	 config_members_legacy(const struct config *, int groups,
	    char **cause);
void	 config_members_free(struct config_members *);
int	 config_members_same(const struct config_members *,
	    const struct config_members *);

#endif
