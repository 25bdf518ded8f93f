/*
 * api_metrics.h: the listener of [daemon] metrics_listen (a loopback
 * address or a Unix socket; off when empty), on the strict server of
 * httpd.h, for Prometheus and for health checks:
 *
 *	GET /metrics	the text exposition (metrics.h), the gauges read
 *			from the database at each scrape
 *	GET /healthz	200 "ok": the event loop answers
 *	GET /readyz	200 "ok" when every readiness check passes, else 503
 *			with one line a failing check ("database: ...")
 *
 * Anything else is 404 (405 for a POST).  The readiness checks are the
 * same in the control API's status (api_metrics_ready).
 */
#ifndef STOPPVIF_API_METRICS_H
#define STOPPVIF_API_METRICS_H

#include <jansson.h>

struct event_base;
struct api_env;
struct api_metrics;

/*
 * Count from now on (metrics_start() was called) and listen where
 * [daemon] metrics_listen says, if anywhere.  NULL with *cause when the
 * address cannot be listened on.
 */
struct api_metrics	*api_metrics_new(struct event_base *,
			    struct api_env *, char **cause);
/* Close the listener; NULL is ignored. */
void			 api_metrics_free(struct api_metrics *);
/*
 * The readiness checks: [{"check": "database"|"channel email"|...|
 * "scheduler", "ok": bool, "problem": text|null}].
 */
json_t			*api_metrics_ready(struct api_env *);

#endif
