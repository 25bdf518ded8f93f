/*
 * sdnotify.h: the systemd notification protocol (sd_notify(3)), written out:
 * one datagram to $NOTIFY_SOCKET.  Without that variable every call is a
 * no-op, so the daemon behaves the same under any supervisor.
 */
#ifndef STOPPVIF_SDNOTIFY_H
#define STOPPVIF_SDNOTIFY_H

#include <stdint.h>

struct event_base;

/* Send a state string such as "READY=1\nSTATUS=..."; 0, or -1 on error. */
int	sdnotify(const char *state);

/* Whether $NOTIFY_SOCKET is set (started by systemd with Type=notify). */
int	sdnotify_enabled(void);

/*
 * When $WATCHDOG_USEC is set (and $WATCHDOG_PID is ours or unset), arm a
 * timer on base sending WATCHDOG=1 every half period.  Returns the period in
 * microseconds, or 0 when no watchdog is asked for.
 */
uint64_t sdnotify_watchdog_start(struct event_base *base);
void	 sdnotify_watchdog_stop(void);

#endif
