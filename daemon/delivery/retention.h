/*
 * retention.h: how long the copies of a sent message are kept.
 *
 * [privacy] keep_bodies: the payload of a settled message (sent, failed or
 * cancelled) is erased that long after it settled; its delivery metadata
 * stays.  [privacy] keep_spool: a file the spool plugin wrote is deleted
 * that long after it was written.  A person's erasure takes their payloads
 * and their spool files at once.  One timer, armed for the next thing due:
 * no polling.
 */
#ifndef STOPPVIF_RETENTION_H
#define STOPPVIF_RETENTION_H

struct event_base;
struct store;
struct config;
struct retention;

/*
 * Start: hook into the outbox (settled messages) and the directory
 * (erasures), and sweep once at the next turn of the loop for what fell due
 * while the daemon was stopped.  *conf is read at every sweep.
 */
struct retention	*retention_new(struct event_base *, struct store *,
			    struct config **conf);
/* The configuration was reloaded: keep_bodies or keep_spool may differ. */
void			 retention_kick(struct retention *);
/* Unhook and free; NULL is ignored. */
void			 retention_free(struct retention *);

#endif
