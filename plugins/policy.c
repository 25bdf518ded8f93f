/*
 * policy.c: the rules smtp.so and sms_http.so share about secrets and
 * transports (policy.h).
 *
 * A message of this network carries names, dates, claim codes and signed
 * links; a gateway's URL carries its account.  Neither may cross a network
 * in clear unless the administrator says, in the channel's section, that
 * this network is theirs (allow_plaintext = yes); then every start says so
 * in the log, so that the exception is never forgotten.  This machine
 * (loopback) is always fine: the relay or gateway is then a local daemon.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "policy.h"

#define POLICY_KEY	"allow_plaintext"

const char *
policy_secret_mode(mode_t m)
{
	if (m & (S_IWGRP | S_IWOTH))
		return "est modifiable par le groupe ou par tous : un secret "
		    "ne doit l'être que par son propriétaire ; corrigez avec "
		    "chmod 600 (ou 640 pour un groupe de service)";
	if (m & S_IROTH)
		return "est lisible par tous : un secret ne doit l'être que "
		    "par son propriétaire (et son groupe) ; corrigez avec "
		    "chmod 600 (ou 640 pour un groupe de service)";
	return NULL;
}

/* Whether host, as libcurl gives it ("[::1]" for IPv6), is loopback. */
static int
policy_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN + 2];
	size_t		 n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n < 2 || host[0] != '[' || host[n - 1] != ']' || n >= sizeof buf)
		return 0;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

int
policy_loopback_url(const char *url, char **host)
{
	CURLU	*u;
	char	*h = NULL;
	int	 loop = 0;

	*host = NULL;
	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		loop = policy_loopback(h);
		if ((*host = strdup(h)) == NULL)
			abort();
	}
	curl_free(h);
	curl_url_cleanup(u);
	return loop;
}

int
policy_allow_plaintext(const struct sv_host_api *api, struct sv_host *h)
{
	const char	*v = api->conf(h, POLICY_KEY);

	if (v == NULL || strcmp(v, "no") == 0)
		return 0;
	if (strcmp(v, "yes") == 0)
		return 1;
	api->conf_error(h, POLICY_KEY, "attendu yes ou no");
	return -1;
}

int
policy_plaintext(const struct sv_host_api *api, struct sv_host *h,
    const char *key, const char *url, int allow, int check_only,
    const char *what, const char *fix)
{
	char	*host = NULL;
	int	 rc = 0;

	if (policy_loopback_url(url, &host))
		goto out;
	if (allow == 1) {
		if (!check_only)
			api->log(h, SV_LOG_WARN, "plaintext host=%s key=%s "
			    "allowed_by=%s hint=\"%s en clair vers une autre "
			    "machine\"", host ? host : "?", key, POLICY_KEY,
			    what);
		goto out;
	}
	api->conf_error(h, key, "%s partiraient en clair vers %s, une autre "
	    "machine : %s ; si le réseau entre les deux est le vôtre, ajoutez "
	    "%s = yes à cette section", what, host ? host : "?", fix,
	    POLICY_KEY);
	rc = -1;
out:
	free(host);
	return rc;
}
