/*
 * plugin.h: channels and the plugins behind them.
 *
 * A channel is a [channel.NAME] section, NAME one of chan.h ("email",
 * "sms"), served by the plugin its `plugin` key names, loaded from
 * [delivery] plugin_dir as NAME.so with dlopen(RTLD_NOW | RTLD_LOCAL) after
 * checking that neither the file nor its folder can be changed by anyone but
 * root or the daemon's user.  A channel with no section is served by the
 * spool plugin, the embedded default.
 *
 * Besides the plugin's own keys a section may hold two keys read by the
 * daemon: `rate` (messages per second, 0: no limit) and `max_in_flight`.
 */
#ifndef STOPPVIF_PLUGIN_HOST_H
#define STOPPVIF_PLUGIN_HOST_H

#include "stoppvif_plugin.h"

struct config;
struct curlev;
struct channel;
struct mailcrypt_wrap;

/* Called for each outcome a plugin reports. */
typedef void (*channel_done_fn)(void *arg, struct channel *,
    const struct sv_message *, enum sv_outcome, const char *reply);

/*
 * Called when a plugin asks to encrypt msg (its encrypt is set): fill w's
 * kind, key, keylen and subject (valid until the call that asked
 * returns).  0, or -1 when msg has no key.
 */
typedef int (*channel_key_fn)(void *arg, const struct sv_message *,
    struct mailcrypt_wrap *w);

/*
 * Open channel name of conf: load and initialise its plugin.  With cv NULL,
 * only check (stoppvifd -t): nothing is opened.  done and key are called
 * with arg.  NULL with *cause holding every problem as
 * "file:line: key: what is wrong".
 */
struct channel	*channel_open(const struct config *conf, const char *name,
		    struct curlev *cv, channel_done_fn done,
		    channel_key_fn key, void *arg, char **cause);
/* Shut the plugin down (in-flight messages get no outcome) and unload it. */
void		 channel_close(struct channel *);

/* Hand msg to the plugin: 0 taken, -1 busy (try again later). */
int		 channel_send(struct channel *, const struct sv_message *msg);

const char	*channel_name(const struct channel *);
/* The daemon's keys of the section. */
double		 channel_rate(const struct channel *);
int		 channel_max_in_flight(const struct channel *);
/* Whether the plugin passes each message's dlr_url to its gateway. */
int		 channel_reports(const struct channel *);

/*
 * Check every channel stoppvifd would open (those of chan.h) in check-only
 * mode, and refuse a section of any other name.  0 or -1 with *cause.
 */
int		 channel_check_all(const struct config *conf, char **cause);

#endif
