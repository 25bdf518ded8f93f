/*
 * inbound.h: the listener on [daemon] inbound_listen (TCP, HTTP), for what
 * comes from outside the machine's users:
 *
 *	GET  /sms/inbound?from=NUMBER&text=TEXT	an SMS reply, from the SMS
 *		gateway (Kannel's sms-service get-url); always answered 200
 *		with an empty body, which the gateway must not send back
 *		(max-messages = 0): a reply is never answered from here
 *	GET  /a/TOKEN	the page of a signed link: what it is about, and a
 *		button; a GET never claims (mail scanners follow links)
 *	POST /a/TOKEN	claims the alert for the person the link was made for
 *
 * Pages are plain HTML in the person's language and say no more than an
 * SMS would: the code, and whether the lodging is theirs.
 */
#ifndef STOPPVIF_INBOUND_H
#define STOPPVIF_INBOUND_H

struct event_base;
struct shelters;
struct inbound;

/* Listen on addr ("127.0.0.1:8480", "[::1]:8480"); NULL with *cause. */
struct inbound	*inbound_new(struct event_base *, const char *addr,
		    struct shelters *, char **cause);
void		 inbound_free(struct inbound *);

#endif
