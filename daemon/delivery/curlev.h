/*
 * curlev.h: one libcurl multi handle driven by libevent (curl's "hiperfifo"
 * pattern): curl tells which sockets to watch and when its timeout falls
 * (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); the event base calls
 * curl_multi_socket_action() back.  One thread, many transfers in flight,
 * no polling.
 */
#ifndef STOPPVIF_CURLEV_H
#define STOPPVIF_CURLEV_H

#include <curl/curl.h>

struct event_base;
struct curlev;

typedef void (*curlev_done_fn)(void *arg, CURL *easy, CURLcode result);

struct curlev	*curlev_new(struct event_base *);
/* Abort every transfer (their done callbacks are not called) and free. */
void		 curlev_free(struct curlev *);

/*
 * Run easy (set up by the caller, who keeps owning it) until it ends; then
 * done(arg, easy, result) is called once from the event loop, after the
 * handle was taken off the multi handle.  CURLOPT_PRIVATE is used.  Returns
 * 0 or -1.
 */
int		 curlev_add(struct curlev *, CURL *easy, curlev_done_fn done,
		    void *arg);

#endif
