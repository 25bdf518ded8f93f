/*
 * api_shelter.c: the control API's handlers for the shelters, their alerts
 * and the on-call rota (shapes in shelter.h).  Without a shelter configured
 * the shelters and alerts are not found; the rota still answers.  Each
 * writing handler runs in api.c's transaction and records its audit entry
 * there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_req.h"
#include "api_shelter.h"
#include "calendar.h"
#include "config.h"
#include "log.h"
#include "oncall.h"
#include "shelter.h"
#include "tz.h"
#include "util.h"

/* The shelters, or NULL (not found) when the daemon runs without them. */
static struct shelters *
api_shelters(struct api_req *r)
{
	if (r->env->shelters == NULL)
		error_set(&r->err, ERR_NOT_FOUND, NULL, "aucun logement "
		    "n'est configuré");
	return r->env->shelters;
}

int
api_shelters_list(struct api_req *r)
{
	if (api_shelters(r) == NULL)
		return -1;
	r->result = shelter_list(r->env->shelters);
	return 0;
}

int
api_shelters_show(struct api_req *r)
{
	if (api_shelters(r) == NULL)
		return -1;
	r->result = shelter_show(r->env->shelters, r->name, &r->err);
	return r->result == NULL ? -1 : 0;
}

/* vacate, occupy or unavailable: one move, audited. */
static int
api_shelters_act(struct api_req *r, const char *what)
{
	char	 action[32], object[80];

	if (api_shelters(r) == NULL || shelter_act(r->env->shelters, r->name,
	    what, r->actor, &r->result, &r->err) == -1)
		return -1;
	snprintf(action, sizeof action, "shelter.%s", what);
	snprintf(object, sizeof object, "shelter:%s", r->name);
	if (api_audit_record(r, action, object, 0) == -1)
		return -1;
	log_info("api shelter_%s shelter=%s uid=%u", what, r->name,
	    (unsigned)r->uid);
	return 0;
}

int
api_shelters_vacate(struct api_req *r)
{
	return api_shelters_act(r, "vacate");
}

int
api_shelters_occupy(struct api_req *r)
{
	return api_shelters_act(r, "occupy");
}

int
api_shelters_unavailable(struct api_req *r)
{
	return api_shelters_act(r, "unavailable");
}

int
api_shelters_report(struct api_req *r)
{
	if (api_shelters(r) == NULL)
		return -1;
	r->result = shelter_report(r->env->shelters, r->name,
	    api_query(r, "year"), &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_alerts_list(struct api_req *r)
{
	if (api_shelters(r) == NULL)
		return -1;
	r->result = shelter_alerts(r->env->shelters);
	return 0;
}

int
api_alerts_ack(struct api_req *r)
{
	if (api_shelters(r) == NULL || shelter_ack(r->env->shelters, r->body,
	    r->actor, &r->result, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "alert.claim", "alert", json_integer_value(
	    json_object_get(r->result, "alert"))) == -1)
		return -1;
	log_info("api alert_ack alert=%lld uid=%u", (long long)
	    json_integer_value(json_object_get(r->result, "alert")),
	    (unsigned)r->uid);
	return 0;
}

/* The daemon's zone, for the rota's local times. */
static const struct tz *
api_zone(struct api_req *r)
{
	const struct tz	*zone;

	if ((zone = tz_cached((*r->env->conf)->timezone, NULL)) == NULL)
		error_set(&r->err, ERR_INTERNAL, NULL, "fuseau %s "
		    "illisible", (*r->env->conf)->timezone);
	return zone;
}

/* The slots overlapping ?from=LOCAL&to=LOCAL (both given, at not). */
static int
api_oncall_range(struct api_req *r, const struct tz *zone)
{
	int64_t	 from, to;

	if (api_query(r, "at") != NULL) {
		error_set(&r->err, ERR_INVALID, "at", "at ou from et to, "
		    "pas les deux");
		return -1;
	}
	if (oncall_local(zone, "from", api_query(r, "from"), &from,
	    &r->err) == -1 || oncall_local(zone, "to", api_query(r, "to"),
	    &to, &r->err) == -1)
		return -1;
	if (to <= from) {
		error_set(&r->err, ERR_INVALID, "to", "la fin doit suivre le "
		    "début");
		return -1;
	}
	r->result = oncall_range(r->env->store, r->env->master, zone, from,
	    to, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_oncall_show(struct api_req *r)
{
	const struct tz	*zone;
	const char	*at = api_query(r, "at");
	int64_t		 t = util_now();

	if ((zone = api_zone(r)) == NULL)
		return -1;
	if (api_query(r, "from") != NULL || api_query(r, "to") != NULL)
		return api_oncall_range(r, zone);
	if (at != NULL && oncall_local(zone, "at", at, &t, &r->err) == -1)
		return -1;
	r->result = oncall_at(r->env->store, r->env->master, zone, t,
	    &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_oncall_set(struct api_req *r)
{
	const struct tz	*zone;
	int64_t		 id;

	if ((zone = api_zone(r)) == NULL || oncall_add(r->env->store, zone,
	    r->body, &id, &r->err) == -1 ||
	    api_audit_record(r, "oncall.set", "oncall", id) == -1)
		return -1;
	log_info("api oncall_set id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	api_req_created(r, id);
	return 0;
}

int
api_oncall_remove(struct api_req *r)
{
	if (oncall_remove(r->env->store, r->id, &r->err) == -1 ||
	    api_audit_record(r, "oncall.remove", "oncall", r->id) == -1)
		return -1;
	log_info("api oncall_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id, "removed",
	    1);
	return 0;
}
