/*
 * api_metrics.c: /metrics, /healthz and /readyz on [daemon] metrics_listen
 * (api_metrics.h).
 *
 * The listener is httpd.h's strict server: a scraper on this machine needs
 * a few connections, and a request has ten seconds from its first byte to
 * its last.  The configuration allows only a loopback address or a Unix
 * socket (CT_LOCAL): the metrics say how busy the network is, and are not
 * for the public listener.  A scrape reads a few counts from the database
 * through its indexes; the readiness check commits one small row.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api.h"
#include "api_metrics.h"
#include "chan.h"
#include "chanstat.h"
#include "config.h"
#include "dispatch.h"
#include "httpd.h"
#include "metrics.h"
#include "sched.h"
#include "shelter.h"
#include "store.h"
#include "util.h"

/* Prometheus and a health checker: a few connections from this machine. */
static const struct httpd_limits api_metrics_limits = { 16, 16, 10, 5, 0 };

#define API_METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct api_metrics {
	struct httpd	*httpd;		/* NULL when not listening */
	struct api_env	*env;
};

/* One readiness check into the array a: its name, and its problem
 * (NULL: passed). */
static void
api_metrics_check(json_t *a, const char *name, const char *problem)
{
	json_array_append_new(a, json_pack("{ss sb ss?}", "check", name,
	    "ok", problem == NULL, "problem", problem));
}

json_t *
api_metrics_ready(struct api_env *env)
{
	json_t		*a = json_array();
	char		*cause = NULL, name[32];
	int		 c;

	store_try_write(env->store, &cause);
	api_metrics_check(a, "database", cause);
	free(cause);
	for (c = 0; c < CHAN_COUNT; c++) {
		snprintf(name, sizeof name, "channel %s", chan_name(c));
		api_metrics_check(a, name, dispatch_chan_ready(env->dispatch,
		    c) ? NULL : "non initialisé, ou à l'arrêt");
	}
	api_metrics_check(a, "scheduler", env->sched != NULL &&
	    sched_armed(env->sched) != -2 ? NULL : "minuterie non armée");
	return a;
}

/* Read the gauges that live in the database and the scheduler. */
static void
api_metrics_scrape(struct api_env *env)
{
	int64_t	 next;

	chanstat_scrape(env->store);
	shelter_scrape(env->shelters);
	metrics_clear(M_NEXT_REMINDER);
	if (env->sched != NULL && (next = sched_armed(env->sched)) >= 0) {
		next -= util_now();
		metrics_set(M_NEXT_REMINDER, next > 0 ? (double)next : 0,
		    NULL, NULL);
	}
}

/* /readyz: "ok", or the failing checks, one a line, and 503. */
static void
api_metrics_readyz(struct api_env *env, struct httpd_resp *resp)
{
	json_t	*a = api_metrics_ready(env), *ck;
	size_t	 i;

	json_array_foreach(a, i, ck) {
		if (json_is_true(json_object_get(ck, "ok")))
			continue;
		resp->status = 503;
		evbuffer_add_printf(resp->body, "%s: %s\n",
		    json_string_value(json_object_get(ck, "check")),
		    json_string_value(json_object_get(ck, "problem")));
	}
	if (resp->status != 503)
		evbuffer_add_printf(resp->body, "ok\n");
	json_decref(a);
}

/* The handler of the listener. */
static void
api_metrics_handle(const struct httpd_req *req, struct httpd_resp *resp,
    void *arg)
{
	struct api_metrics	*m = arg;
	char			*text;

	resp->type = "text/plain; charset=utf-8";
	if (req->method != HTTPD_GET) {
		resp->status = 405;
		evbuffer_add_printf(resp->body, "GET only\n");
	} else if (strcmp(req->path, "/metrics") == 0) {
		api_metrics_scrape(m->env);
		text = metrics_render();
		resp->type = API_METRICS_TYPE;
		evbuffer_add(resp->body, text, strlen(text));
		free(text);
	} else if (strcmp(req->path, "/healthz") == 0)
		evbuffer_add_printf(resp->body, "ok\n");
	else if (strcmp(req->path, "/readyz") == 0)
		api_metrics_readyz(m->env, resp);
	else {
		resp->status = 404;
		evbuffer_add_printf(resp->body, "/metrics, /healthz or "
		    "/readyz\n");
	}
}

struct api_metrics *
api_metrics_new(struct event_base *base, struct api_env *env, char **cause)
{
	struct api_metrics	*m = xcalloc(1, sizeof *m);
	const char		*addr = (*env->conf)->metrics_listen;

	m->env = env;
	metrics_set(M_BUILD_INFO, 1, METRICS_VERSION, NULL);
	metrics_set(M_START_TIME, (double)env->started, NULL, NULL);
	metrics_add(M_RELOADS, 0, "ok", NULL);
	metrics_add(M_RELOADS, 0, "failed", NULL);
	if (*addr != '\0' && (m->httpd = httpd_new(base, "metrics", addr,
	    &api_metrics_limits, api_metrics_handle, m, cause)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
api_metrics_free(struct api_metrics *m)
{
	if (m == NULL)
		return;
	httpd_free(m->httpd);
	free(m);
}
