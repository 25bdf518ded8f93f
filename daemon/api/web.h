/*
 * web.h: the coordinators' console in a browser, served on [web] listen
 * (off by default) by the strict server of shelter/httpd.h.  Server-made
 * HTML with plain forms (working without JavaScript), built on the same
 * domain functions as the control API: each page reads and writes through
 * api_handle() as the logged-in account, with that account's role and its
 * name in the audit log ("web:marie").
 *
 * Accounts are made with `stoppvifctl web user add NAME --role
 * coordinator|oncall|viewer` (store/webuser.h).  Sessions live in the
 * daemon's memory: a restart logs everyone out.
 */
#ifndef STOPPVIF_WEB_H
#define STOPPVIF_WEB_H

struct event_base;
struct api_env;
struct web;

/*
 * Serve the console on (*env->conf)->web_listen; when that is empty, a
 * console that serves nothing.  env is owned by the caller and outlives
 * it.  NULL with *cause when the address cannot be listened on.
 */
struct web	*web_new(struct event_base *, struct api_env *, char **cause);
/* Close the listener and its connections, forget every session. */
void		 web_free(struct web *);

#endif
