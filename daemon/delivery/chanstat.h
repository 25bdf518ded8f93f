/*
 * chanstat.h: what the channels did, for the metrics and for status.
 *
 * An observer of message outcomes (observe.h) counts them in
 * stoppvif_messages_total{channel,outcome} and keeps, for each channel, in
 * memory, the time of its last success and of its last error with the
 * channel's reason (the text stored in the outbox's last_error, with any
 * word that looks like an address or a number masked).  At start the last
 * success is read from the outbox (its newest 'sent' row); the last error
 * starts unknown.  The outbox's gauges are computed at each scrape.
 */
#ifndef STOPPVIF_CHANSTAT_H
#define STOPPVIF_CHANSTAT_H

#include <jansson.h>

struct store;

/* Watch the outcomes from now on; seed the last successes from store. */
void	 chanstat_start(struct store *);
/* Forget what was kept (the daemon's teardown). */
void	 chanstat_stop(void);
/*
 * Set the outbox's gauges (metrics.h): rows by channel and status, the age
 * of the oldest pending message and of the oldest pending urgent one.
 */
void	 chanstat_scrape(struct store *);
/*
 * {"email": {"last_success": UTC|null, "last_error": {"at": UTC,
 * "reason": "..."}|null}, "sms": ...} for status.
 */
json_t	*chanstat_json(void);

#endif
