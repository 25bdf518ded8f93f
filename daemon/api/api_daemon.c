/*
 * api_daemon.c: the control API's handlers for the daemon itself: what it
 * runs (version, uptime, counts, the delivery, scheduler and shelters'
 * state), the audit log of changes, and a reload of the configuration,
 * which keeps the running one when the new one is refused.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "alarm.h"
#include "api.h"
#include "api_daemon.h"
#include "api_metrics.h"
#include "api_req.h"
#include "audit.h"
#include "calendar.h"
#include "chanstat.h"
#include "config.h"
#include "dispatch.h"
#include "metrics.h"
#include "outbox.h"
#include "people.h"
#include "sched.h"
#include "shelter.h"
#include "store.h"
#include "util.h"

#define API_VERSION	METRICS_VERSION

int
api_daemon_status(struct api_req *r)
{
	struct api_env	*env = r->env;

	r->result = json_pack("{ss sI sI sI sI si ss so so so}",
	    "version", API_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime", (json_int_t)(time(NULL) - env->started),
	    "people", (json_int_t)people_count(env->store),
	    "events", (json_int_t)calendar_count(env->cal),
	    "schema", store_version(env->store),
	    "language", (*env->conf)->language,
	    "outbox", outbox_counts(env->store),
	    "delivery", dispatch_status(env->dispatch),
	    "scheduler", sched_status(env->sched));
	/* the open alert's code, a claim credential, to coordinators only */
	json_object_set_new(r->result, "shelters", env->shelters != NULL ?
	    shelter_status(env->shelters, r->role >= API_ROLE_COORDINATOR) :
	    json_array());
	/* the dead-man's switch: its open alarms (alarm.h) */
	json_object_set_new(r->result, "alarms", alarm_status(env->store,
	    (*env->conf)->timezone));
	/* mail keys near their end; names for those who may read them */
	json_object_set_new(r->result, "mail_keys_expiring",
	    people_mk_expiring(env->store, env->master,
	    r->role >= API_ROLE_COORDINATOR));
	/* the readiness checks of /readyz, each channel's last outcomes */
	json_object_set_new(r->result, "ready", api_metrics_ready(env));
	json_object_set_new(r->result, "channels", chanstat_json());
	/* who asks, and with which role (api_role.h) */
	json_object_set_new(r->result, "caller", json_pack("{sI ss}", "uid",
	    (json_int_t)r->uid, "role", api_role_name(r->role)));
	return 0;
}

int
api_daemon_audit(struct api_req *r)
{
	const char	*s = api_query(r, "limit");
	int64_t		 limit = 50;

	if (s != NULL && util_parse_int(s, 1, 100000, &limit) == -1) {
		error_set(&r->err, ERR_INVALID, "limit", "nombre "
		    "entre 1 et 100000 attendu");
		return -1;
	}
	r->result = audit_list(r->env->store, limit);
	return 0;
}

int
api_daemon_audit_verify(struct api_req *r)
{
	char	*cause = NULL;

	if ((r->result = audit_verify(r->env->store, &cause)) == NULL)
		return error_take(&r->err, ERR_INTERNAL, NULL, cause);
	return 0;
}

int
api_daemon_reload(struct api_req *r)
{
	char	*cause = NULL;

	if (r->env->reload(r->env->reload_arg, &cause) == -1) {
		error_set(&r->err, ERR_INVALID, NULL, "configuration "
		    "refusée, l'ancienne reste en place :\n%s", cause);
		free(cause);
		return -1;
	}
	if (api_audit_record(r, "reload", "config", 0) == -1)
		return -1;
	r->result = json_pack("{sb}", "reloaded", 1);
	return 0;
}
