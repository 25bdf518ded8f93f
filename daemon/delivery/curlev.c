/*
 * curlev.c: libcurl multi on the event base.
 *
 * Each socket curl wants watched gets one persistent event; curl's single
 * timeout is one timer event.  When either fires, curl_multi_socket_action()
 * runs the transfers, then finished ones are taken off the multi handle and
 * their done callbacks called: never from inside a curl callback.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "curlev.h"
#include "log.h"
#include "util.h"

struct curlev_xfer {
	CURL			*easy;
	curlev_done_fn		 done;
	void			*arg;
	TAILQ_ENTRY(curlev_xfer) entry;
};

struct curlev {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	int			 running;
	TAILQ_HEAD(, curlev_xfer) xfers;
};

/* The watch on one socket, kept as curl's socket pointer. */
struct curlev_sock {
	struct curlev	*cv;
	struct event	*ev;
};

/* Take the finished transfers off and call their callbacks. */
static void
curlev_reap(struct curlev *cv)
{
	struct curlev_xfer	*x;
	CURLMsg			*msg;
	CURLcode		 result;
	CURL			*easy;
	int			 left;

	while ((msg = curl_multi_info_read(cv->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(cv->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		TAILQ_REMOVE(&cv->xfers, x, entry);
		x->done(x->arg, easy, result);
		free(x);
	}
}

/* Let curl act on fd (or on its timeout), then reap. */
static void
curlev_act(struct curlev *cv, curl_socket_t fd, int flags)
{
	CURLMcode	 rc;

	rc = curl_multi_socket_action(cv->multi, fd, flags, &cv->running);
	if (rc != CURLM_OK)
		log_warnx("curl socket_action error=\"%s\"",
		    curl_multi_strerror(rc));
	curlev_reap(cv);
}

static void
curlev_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct curlev	*cv = arg;
	int		 flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curlev_act(cv, fd, flags);
}

static void
curlev_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	curlev_act(arg, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_SOCKETFUNCTION: watch, change or forget one socket. */
static int
curlev_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sp)
{
	struct curlev		*cv = arg;
	struct curlev_sock	*s = sp;
	short			 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
		}
		curl_multi_assign(cv->multi, fd, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->cv = cv;
		curl_multi_assign(cv->multi, fd, s);
	} else
		event_free(s->ev);
	s->ev = event_new(cv->base, fd, kind, curlev_sock_cb, cv);
	if (s->ev == NULL || event_add(s->ev, NULL) == -1)
		fatalx("curl watch_failed");
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: curl's one timeout, -1 to delete it. */
static int
curlev_timeout(CURLM *multi, long ms, void *arg)
{
	struct curlev	*cv = arg;
	struct timeval	 tv;

	if (ms < 0) {
		evtimer_del(cv->timer);
		return 0;
	}
	if (ms == 0) {
		/* a new transfer: start it in this loop turn, not the next */
		evtimer_del(cv->timer);
		event_active(cv->timer, EV_TIMEOUT, 0);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(cv->timer, &tv);
	return 0;
}

struct curlev *
curlev_new(struct event_base *base)
{
	struct curlev	*cv;

	cv = xcalloc(1, sizeof *cv);
	cv->base = base;
	TAILQ_INIT(&cv->xfers);
	if ((cv->multi = curl_multi_init()) == NULL ||
	    (cv->timer = evtimer_new(base, curlev_timer_cb, cv)) == NULL)
		fatalx("curl start_failed");
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETFUNCTION, curlev_socket);
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETDATA, cv);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERFUNCTION, curlev_timeout);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERDATA, cv);
	return cv;
}

int
curlev_add(struct curlev *cv, CURL *easy, curlev_done_fn done, void *arg)
{
	struct curlev_xfer	*x;

	x = xcalloc(1, sizeof *x);
	x->easy = easy;
	x->done = done;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(cv->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return -1;
	}
	TAILQ_INSERT_TAIL(&cv->xfers, x, entry);
	return 0;
}

/* Abort one transfer without calling its done callback. */
static void
curlev_remove(struct curlev *cv, CURL *easy)
{
	struct curlev_xfer	*x = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL)
		return;
	curl_multi_remove_handle(cv->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	TAILQ_REMOVE(&cv->xfers, x, entry);
	free(x);
}

void
curlev_free(struct curlev *cv)
{
	if (cv == NULL)
		return;
	while (!TAILQ_EMPTY(&cv->xfers))
		curlev_remove(cv, TAILQ_FIRST(&cv->xfers)->easy);
	curl_multi_cleanup(cv->multi);
	event_free(cv->timer);
	free(cv);
}
