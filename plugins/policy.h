/*
 * policy.h: what the network channels refuse whatever their protocol: a
 * file of secrets others could read or change, and a transport in clear
 * to another machine unless the section says allow_plaintext = yes.
 * Linked into smtp.so and sms_http.so; the functions are hidden, so that
 * each plugin still exports its entry point alone.
 */
#ifndef STOPPVIF_POLICY_H
#define STOPPVIF_POLICY_H

#include <sys/types.h>

#include "stoppvif_plugin.h"

#pragma GCC visibility push(hidden)

/*
 * Why a file of secrets with mode m may not be used, with its fix (a
 * sentence to follow the file's name), or NULL: group or others may write
 * it, or others may read it.
 */
const char	*policy_secret_mode(mode_t m);

/*
 * Whether the host of url (a full URL) is this machine: 127.0.0.0/8, ::1
 * (also as ::ffff:127.x.y.z) or localhost.  *host is set to that host (a
 * new string, or NULL when the URL has none).
 */
int		 policy_loopback_url(const char *url, char **host);

/*
 * The allow_plaintext key of the section: 1 (yes), 0 (absent or no), -1
 * after reporting any other value.  Always asks the host for the key, so
 * that it is never reported as unknown.
 */
int		 policy_allow_plaintext(const struct sv_host_api *,
		    struct sv_host *);

/*
 * Data is about to cross the network in clear to url because of key (what
 * says what crosses, fix how to avoid it): fine to this machine; to
 * another one only with allow, then logged as a warning (unless
 * check_only, so that each start logs it once); otherwise reported
 * against key.  0, or -1 when reported.
 */
int		 policy_plaintext(const struct sv_host_api *, struct sv_host *,
		    const char *key, const char *url, int allow,
		    int check_only, const char *what, const char *fix);

#pragma GCC visibility pop

#endif
