/*
 * sdnotify.c: sd_notify(3) without libsystemd.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sdnotify.h"
#include "util.h"

static struct event	*sd_watchdog_ev;

int
sdnotify_enabled(void)
{
	const char	*s = getenv("NOTIFY_SOCKET");

	return s != NULL && *s != '\0';
}

int
sdnotify(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	socklen_t		 len;
	size_t			 plen;
	int			 fd, rc;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sun.sun_path)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1 ? -1 : 0;
	if (rc == -1)
		log_debug("sdnotify send_failed error=\"%s\"", strerror(errno));
	close(fd);
	return rc;
}

/* Timer: tell systemd we are alive. */
static void
sdnotify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	sdnotify("WATCHDOG=1");
}

uint64_t
sdnotify_watchdog_start(struct event_base *base)
{
	const char	*usec = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	struct timeval	 tv;
	int64_t		 n, p;

	if (usec == NULL || util_parse_int(usec, 1, INT64_MAX, &n) == -1)
		return 0;
	if (pid != NULL && (util_parse_int(pid, 1, INT64_MAX, &p) == -1 ||
	    p != (int64_t)getpid()))
		return 0;
	tv.tv_sec = (time_t)(n / 2 / 1000000);
	tv.tv_usec = (suseconds_t)(n / 2 % 1000000);
	sd_watchdog_ev = event_new(base, -1, EV_PERSIST, sdnotify_watchdog_cb,
	    NULL);
	if (sd_watchdog_ev == NULL)
		fatalx("sdnotify start_failed step=watchdog_event");
	event_add(sd_watchdog_ev, &tv);
	sdnotify("WATCHDOG=1");
	return (uint64_t)n;
}

void
sdnotify_watchdog_stop(void)
{
	if (sd_watchdog_ev != NULL) {
		event_free(sd_watchdog_ev);
		sd_watchdog_ev = NULL;
	}
}
