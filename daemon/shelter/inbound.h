/*
 * inbound.h: the listeners for what comes from outside the machine's
 * users, each on its own address (httpd.h: caps on connections, a deadline
 * per request):
 *
 * [inbound] sms_listen (a loopback address or a Unix socket), for the SMS
 * gateway only (Kannel's sms-service get-url), with the shared secret of
 * sms_secret_file (created 0600 at first start when missing) in an
 * X-Stoppvif-Secret header or a secret= parameter:
 *
 *	GET  /sms/inbound?secret=S&from=NUMBER&text=TEXT	an SMS reply;
 *		200 with an empty body (the gateway must not send it back:
 *		max-messages = 0); 403 without the right secret, and nothing
 *		read
 *	GET  /sms/dlr?id=ID&mac=MAC&type=T	a delivery report (dlr.h), on
 *		the URL the daemon gave the gateway: its MAC authenticates it
 *		(no secret); 403 without the right MAC, 400 for an unknown
 *		type, else 200 with an empty body
 *
 * [daemon] inbound_listen, the public pages (behind the commune's TLS
 * proxy), and nothing else:
 *
 *	GET  /a/TOKEN	the page of a signed link: what it is about, and a
 *		button; a GET never claims (mail scanners follow links)
 *	POST /a/TOKEN	claims the alert for the person the link was made for
 *	GET  /cal/TOKEN.ics	the calendar feed of the person whose feed
 *		token it is (calendar_feed.h), text/calendar with an ETag;
 *		304 when If-None-Match names it; 404 for a token that opens
 *		no feed (unknown, reset, its person removed); 405 but GET
 *
 * Pages are plain HTML in the person's language and say no more than an
 * SMS would: the person's code, and whether the lodging is theirs.
 */
#ifndef STOPPVIF_INBOUND_H
#define STOPPVIF_INBOUND_H

struct event_base;
struct config;
struct shelters;
struct inbound;
struct dlr;
struct httpd_req;
struct httpd_resp;

/*
 * Listen where the configuration says (either listener may be off: an empty address).
 * The delivery reports go to dlr (NULL: no /sms/dlr route).
 * NULL with *cause when an address cannot be listened on or the secret
 * file is refused.
 */
struct inbound	*inbound_new(struct event_base *, const struct config *,
		    struct shelters *, struct dlr *, char **cause);
void		 inbound_free(struct inbound *);

/* The handlers of the two listeners (arg: the inbound), for httpd and
 * the fuzz target. */
void		 inbound_sms(const struct httpd_req *, struct httpd_resp *,
		    void *arg);
void		 inbound_public(const struct httpd_req *, struct httpd_resp *,
		    void *arg);

#endif
