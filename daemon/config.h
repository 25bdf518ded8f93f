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

struct config {
	char	*file;		/* the file read, as given */

	/* [daemon] */
	char	*state_dir;	/* resolved against the file's folder */
	char	*socket;
	char	*timezone;
	char	*language;	/* fr, nl, de, en */
	int	 log_level;	/* enum log_level */
	char	*inbound_listen;	/* "" when unset */
	char	*public_url;

	/* [calendar] */
	char	*closures;	/* closures file; "" when none */

	/* [crypto] */
	char	*key_file;

	/* [api] */
	uid_t	*allow_uids;	/* empty list: root and the daemon's user */
	size_t	 n_allow_uids;
	gid_t	*allow_gids;
	size_t	 n_allow_gids;
	int64_t	 max_body;	/* bytes */
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

/* The database file inside state_dir (new string). */
char		*config_db_path(const struct config *);

#endif
