/*
 * api.c: the control API on the Unix socket.
 *
 * One routing table maps method and path (with an optional {id} segment) to
 * a handler.  The generic evhttp callback identifies the caller, checks that
 * it is allowed, parses the JSON body, runs the handler (inside a store
 * transaction when the route writes) and answers JSON: the handler's result,
 * or {"error": ..., "field": ...} with the status the handler chose.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "error.h"
#include "audit.h"
#include "calendar.h"
#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "sched.h"
#include "shelter.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

#define API_VERSION	"0.1"

struct api {
	struct evhttp		*http;
	struct api_env		*env;
	char			*path;
};

typedef int (*api_handler)(struct api_req *);

#define API_WRITES	0x1	/* in a transaction, with its audit entry */
#define API_BODY	0x2	/* a JSON object body is required */

struct api_route {
	enum evhttp_cmd_type	 method;
	const char		*path;		/* {id}, {name}: a segment */
	int			 flags;
	api_handler		 fn;
};

static int	api_status(struct api_req *);
static int	api_people_list(struct api_req *);
static int	api_people_add(struct api_req *);
static int	api_people_show(struct api_req *);
static int	api_people_edit(struct api_req *);
static int	api_people_remove(struct api_req *);
static int	api_audit(struct api_req *);
static int	api_reload(struct api_req *);
static int	api_events_list(struct api_req *);
static int	api_events_add(struct api_req *);
static int	api_events_show(struct api_req *);
static int	api_events_edit(struct api_req *);
static int	api_events_remove(struct api_req *);
static int	api_events_import(struct api_req *);
static int	api_events_export(struct api_req *);
static int	api_agenda(struct api_req *);
static int	api_outbox_list(struct api_req *);
static int	api_outbox_retry(struct api_req *);

static const struct api_route api_routes[] = {
	{ EVHTTP_REQ_GET,    "/v1/status",	0, api_status },
	{ EVHTTP_REQ_GET,    "/v1/people",	0, api_people_list },
	{ EVHTTP_REQ_POST,   "/v1/people",	API_WRITES | API_BODY,
	    api_people_add },
	{ EVHTTP_REQ_GET,    "/v1/people/{id}",	0, api_people_show },
	{ EVHTTP_REQ_PATCH,  "/v1/people/{id}",	API_WRITES | API_BODY,
	    api_people_edit },
	{ EVHTTP_REQ_DELETE, "/v1/people/{id}",	API_WRITES, api_people_remove },
	{ EVHTTP_REQ_GET,    "/v1/audit",	0, api_audit },
	{ EVHTTP_REQ_POST,   "/v1/reload",	API_WRITES, api_reload },
	{ EVHTTP_REQ_GET,    "/v1/events",	0, api_events_list },
	{ EVHTTP_REQ_POST,   "/v1/events",	API_WRITES | API_BODY,
	    api_events_add },
	{ EVHTTP_REQ_POST,   "/v1/events/import", API_WRITES | API_BODY,
	    api_events_import },
	{ EVHTTP_REQ_GET,    "/v1/events/export", 0, api_events_export },
	{ EVHTTP_REQ_GET,    "/v1/events/{id}",	0, api_events_show },
	{ EVHTTP_REQ_PATCH,  "/v1/events/{id}",	API_WRITES | API_BODY,
	    api_events_edit },
	{ EVHTTP_REQ_DELETE, "/v1/events/{id}",	API_WRITES, api_events_remove },
	{ EVHTTP_REQ_GET,    "/v1/agenda",	0, api_agenda },
	{ EVHTTP_REQ_GET,    "/v1/outbox",	0, api_outbox_list },
	{ EVHTTP_REQ_POST,   "/v1/outbox/{id}",	API_WRITES, api_outbox_retry },
	{ EVHTTP_REQ_GET,    "/v1/shelters",	0, api_shelters_list },
	{ EVHTTP_REQ_GET,    "/v1/shelters/{name}", 0, api_shelters_show },
	{ EVHTTP_REQ_POST,   "/v1/shelters/{name}/vacate", API_WRITES,
	    api_shelters_vacate },
	{ EVHTTP_REQ_POST,   "/v1/shelters/{name}/occupy", API_WRITES,
	    api_shelters_occupy },
	{ EVHTTP_REQ_POST,   "/v1/shelters/{name}/unavailable", API_WRITES,
	    api_shelters_unavailable },
	{ EVHTTP_REQ_GET,    "/v1/shelters/{name}/report", 0,
	    api_shelters_report },
	{ EVHTTP_REQ_GET,    "/v1/alerts",	0, api_alerts_list },
	{ EVHTTP_REQ_POST,   "/v1/alerts/ack",	API_WRITES | API_BODY,
	    api_alerts_ack },
	{ EVHTTP_REQ_GET,    "/v1/oncall",	0, api_oncall_show },
	{ EVHTTP_REQ_POST,   "/v1/oncall",	API_WRITES | API_BODY,
	    api_oncall_set },
	{ EVHTTP_REQ_DELETE, "/v1/oncall/{id}",	API_WRITES, api_oncall_remove },
};
#define NROUTES	(sizeof api_routes / sizeof api_routes[0])

const char *
api_query(struct api_req *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

static int
api_status(struct api_req *r)
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
	json_object_set_new(r->result, "shelters", env->shelters != NULL ?
	    shelter_status(env->shelters) : json_array());
	return 0;
}

static int
api_people_list(struct api_req *r)
{
	r->result = people_list(r->env->store, r->env->master,
	    api_query(r, "role"), &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_audit_record(struct api_req *r, const char *action, const char *object,
    int64_t id)
{
	char	*cause = NULL;

	if (audit_record(r->env->store, r->uid, action, object, id,
	    &cause) == -1) {
		error_set(&r->err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
api_people_add(struct api_req *r)
{
	int64_t	 id;

	if (people_add(r->env->store, r->env->master, r->body,
	    (*r->env->conf)->language, &id, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.add", "person", id) == -1)
		return -1;
	log_info("api people_add id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	r->status = 201;
	r->result = json_pack("{sI}", "id", (json_int_t)id);
	return 0;
}

static int
api_people_show(struct api_req *r)
{
	r->result = people_get(r->env->store, r->env->master, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

static int
api_people_edit(struct api_req *r)
{
	if (people_edit(r->env->store, r->env->master, r->id, r->body,
	    &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.edit", "person", r->id) == -1)
		return -1;
	log_info("api people_edit id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = people_get(r->env->store, r->env->master, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

static int
api_people_remove(struct api_req *r)
{
	if (people_remove(r->env->store, r->id, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.remove", "person", r->id) == -1)
		return -1;
	log_info("api people_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->checkpoint = 1;	/* the wrapped key must leave the WAL too */
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id,
	    "removed", 1);
	return 0;
}

static int
api_audit(struct api_req *r)
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

static int
api_reload(struct api_req *r)
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

/* A scheduler failure inside a handler, as an internal error. */
static int
api_sched_error(struct api_req *r, char *cause)
{
	error_set(&r->err, ERR_INTERNAL, NULL, "planification : %s",
	    cause);
	free(cause);
	return -1;
}

/* Handle the reminders due right now before a change to the calendar. */
static int
api_sched_due(struct api_req *r)
{
	char	*cause = NULL;

	return sched_due(r->env->sched, &cause) == -1 ?
	    api_sched_error(r, cause) : 0;
}

/*
 * Plan event id after it was written.  An edited event's pending reminders
 * are taken back first, to be queued again from its new definition.
 */
static int
api_sched_plan(struct api_req *r, int64_t id, int edited)
{
	int64_t	 requeue = -1;
	char	*cause = NULL;

	if (edited && outbox_take_back(r->env->store, id, &requeue,
	    &cause) == -1)
		return api_sched_error(r, cause);
	return sched_plan(r->env->sched, id, requeue, &cause) == -1 ?
	    api_sched_error(r, cause) : 0;
}

static int
api_events_list(struct api_req *r)
{
	r->result = calendar_list(r->env->cal, &r->err);
	return r->result == NULL ? -1 : 0;
}

static int
api_events_add(struct api_req *r)
{
	int64_t	 id;

	if (api_sched_due(r) == -1 ||
	    calendar_add(r->env->cal, r->body, &id, &r->err) == -1 ||
	    api_sched_plan(r, id, 0) == -1 ||
	    api_audit_record(r, "events.add", "event", id) == -1)
		return -1;
	log_info("api events_add id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	r->status = 201;
	r->result = json_pack("{sI}", "id", (json_int_t)id);
	return 0;
}

static int
api_events_show(struct api_req *r)
{
	r->result = calendar_get(r->env->cal, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

static int
api_events_edit(struct api_req *r)
{
	if (api_sched_due(r) == -1 ||
	    calendar_edit(r->env->cal, r->id, r->body, &r->err) == -1 ||
	    api_sched_plan(r, r->id, 1) == -1 ||
	    api_audit_record(r, "events.edit", "event", r->id) == -1)
		return -1;
	log_info("api events_edit id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = calendar_get(r->env->cal, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

static int
api_events_remove(struct api_req *r)
{
	if (api_sched_due(r) == -1 ||
	    calendar_remove(r->env->cal, r->id, &r->err) == -1 ||
	    api_audit_record(r, "events.remove", "event", r->id) == -1)
		return -1;
	log_info("api events_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id,
	    "removed", 1);
	return 0;
}

static int
api_events_import(struct api_req *r)
{
	json_t	*ics = json_object_get(r->body, "ics");
	int64_t	*ids = NULL;
	size_t	 n = 0, i;
	int	 rc = -1;

	if (!json_is_string(ics)) {
		error_set(&r->err, ERR_INVALID, "ics", "texte "
		    "iCalendar attendu");
		return -1;
	}
	if (api_sched_due(r) == -1 || calendar_import(r->env->cal,
	    json_string_value(ics), &r->result, &ids, &n, &r->err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (api_sched_plan(r, ids[i], 1) == -1)
			goto out;
	if (api_audit_record(r, "events.import", "calendar", 0) == 0)
		rc = 0;
	log_info("api events_import events=%zu uid=%u", n, (unsigned)r->uid);
out:
	free(ids);
	return rc;
}

static int
api_events_export(struct api_req *r)
{
	char	*text = calendar_export(r->env->cal, &r->err);

	if (text == NULL)
		return -1;
	r->result = json_pack("{ss}", "ics", text);
	free(text);
	return 0;
}

static int
api_agenda(struct api_req *r)
{
	const char	*days = api_query(r, "days");
	int64_t		 n = 30;

	if (days != NULL && util_parse_int(days, 1, 732, &n) == -1) {
		error_set(&r->err, ERR_INVALID, "days", "nombre de "
		    "jours entre 1 et 732 attendu");
		return -1;
	}
	r->result = calendar_agenda(r->env->cal, api_query(r, "from"), n,
	    &r->err);
	return r->result == NULL ? -1 : 0;
}

/*
 * Add to each listed message what it says, rendered as it would be sent
 * (--show-body): only on request, since it opens personal data.
 */
static void
api_outbox_bodies(struct api_req *r)
{
	json_t	*item, *text;
	char	*cause = NULL;
	size_t	 i;

	json_array_foreach(r->result, i, item) {
		text = dispatch_render(r->env->dispatch, json_integer_value(
		    json_object_get(item, "id")), &cause);
		if (text == NULL) {
			json_object_set_new(item, "render_error",
			    json_string(cause));
			free(cause);
			cause = NULL;
		} else
			json_object_update_new(item, text);
	}
}

static int
api_outbox_list(struct api_req *r)
{
	const char	*s = api_query(r, "limit");
	int64_t		 limit = 1000;

	if (s != NULL && util_parse_int(s, 1, 1000000, &limit) == -1) {
		error_set(&r->err, ERR_INVALID, "limit", "nombre "
		    "entre 1 et 1000000 attendu");
		return -1;
	}
	r->result = outbox_list(r->env->store, api_query(r, "status"), limit,
	    &r->err);
	if (r->result != NULL && api_query(r, "body") != NULL &&
	    strcmp(api_query(r, "body"), "1") == 0) {
		log_info("api outbox_bodies uid=%u messages=%zu",
		    (unsigned)r->uid, json_array_size(r->result));
		api_outbox_bodies(r);
	}
	return r->result == NULL ? -1 : 0;
}

static int
api_outbox_retry(struct api_req *r)
{
	if (outbox_retry(r->env->store, r->id, &r->err) == -1 ||
	    api_audit_record(r, "outbox.retry", "message", r->id) == -1)
		return -1;
	log_info("api outbox_retry id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id, "retry", 1);
	return 0;
}

/*
 * Match path against a route pattern, segment by segment: "{id}" takes a
 * number (r->id), "{name}" a name of letters, digits, _ and - (r->name).
 */
static int
api_match(const char *pattern, const char *path, struct api_req *r)
{
	const char	*end;
	char		 seg[24];
	size_t		 n;

	while (*pattern != '\0') {
		if (*pattern != '{') {
			if (*pattern++ != *path++)
				return 0;
			continue;
		}
		n = strcspn(path, "/");
		end = strchr(pattern, '}') + 1;
		if (strncmp(pattern, "{id}", 4) == 0) {
			if (n == 0 || n >= sizeof seg)
				return 0;
			memcpy(seg, path, n);
			seg[n] = '\0';
			if (util_parse_int(seg, 1, INT64_MAX, &r->id) == -1)
				return 0;
		} else {
			if (n == 0 || n >= sizeof r->name ||
			    strspn(path, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
				return 0;
			memcpy(r->name, path, n);
			r->name[n] = '\0';
		}
		pattern = end;
		path += n;
	}
	return *path == '\0';
}

/*
 * The one place where a domain error kind becomes an HTTP status: the
 * modules behind the API know kinds (error.h), never statuses.
 */
static int
api_http_status(enum error_kind kind)
{
	static const int	 status[] = {
		[ERR_NONE] = HTTP_INTERNAL,	/* failed without a reason */
		[ERR_INVALID] = HTTP_BADREQUEST,
		[ERR_FORBIDDEN] = 403,
		[ERR_NOT_FOUND] = HTTP_NOTFOUND,
		[ERR_CONFLICT] = 409,
		[ERR_TOO_LARGE] = 413,
		[ERR_INTERNAL] = HTTP_INTERNAL,
	};

	if ((size_t)kind >= sizeof status / sizeof status[0])
		return HTTP_INTERNAL;
	return status[kind];
}

/*
 * Send a JSON reply and free it.  A reply that cannot be encoded (it never
 * should: every message is valid UTF-8) becomes a fixed error: no request
 * may stop the daemon.
 */
static void
api_send(struct evhttp_request *req, int status, json_t *body)
{
	static const char	 fallback[] = "{\"error\": \"erreur interne : "
				    "r\\u00e9ponse impossible \\u00e0 encoder\"}";
	struct evbuffer		*buf = evbuffer_new();
	char			*text = NULL;

	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (buf == NULL)
		fatalx("api: out of memory");
	if (text == NULL) {
		log_warnx("api reply_unencodable status=%d", status);
		status = HTTP_INTERNAL;
		evbuffer_add(buf, fallback, sizeof fallback - 1);
	} else
		evbuffer_add(buf, text, strlen(text));
	evbuffer_add(buf, "\n", 1);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, status, status < 400 ? "OK" : "Error", buf);
	evbuffer_free(buf);
	free(text);
	json_decref(body);
}

/* An error as {"error": message, "field": field} (never NULL). */
static json_t *
api_error_json(const struct error *err)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "error", json_string(err->message ?
	    err->message : "erreur interne"));
	if (err->field != NULL)
		json_object_set_new(o, "field", json_string(err->field));
	return o;
}

/* Identify the caller with SO_PEERCRED; -1 when the socket says nothing. */
static int
api_peer(struct evhttp_request *req, struct api_caller *who)
{
	struct evhttp_connection	*conn;
	struct ucred			 cred;
	socklen_t			 len = sizeof cred;
	evutil_socket_t			 fd;

	memset(who, 0, sizeof *who);
	conn = evhttp_request_get_connection(req);
	fd = bufferevent_getfd(evhttp_connection_get_bufferevent(conn));
	if (fd == -1 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
	    &len) == -1)
		return -1;
	who->uid = cred.uid;
	who->gid = cred.gid;
	who->pid = cred.pid;
	len = sizeof who->groups;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, who->groups, &len) == 0)
		who->ngroups = len / sizeof who->groups[0];
	return 0;
}

/*
 * Whether the caller may use the API: root and the daemon's own user always
 * (they can read the database and the key anyway), then the uids of
 * allow_uids and the members, primary or supplementary, of allow_gids.
 */
static int
api_allowed(const struct api_env *env, const struct api_caller *who)
{
	const struct config	*conf = *env->conf;
	size_t			 i, j;

	if (who->uid == 0 || who->uid == geteuid())
		return 1;
	for (i = 0; i < conf->n_allow_uids; i++)
		if (conf->allow_uids[i] == who->uid)
			return 1;
	for (i = 0; i < conf->n_allow_gids; i++) {
		if (conf->allow_gids[i] == who->gid)
			return 1;
		for (j = 0; j < who->ngroups; j++)
			if (conf->allow_gids[i] == who->groups[j])
				return 1;
	}
	return 0;
}

/* Parse the request body as a JSON object, when there is one. */
static int
api_body(struct api_req *r, const char *body, size_t len)
{
	json_error_t	 jerr;

	if (len == 0)
		return 0;
	r->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->body == NULL) {
		error_set(&r->err, ERR_INVALID, NULL, "JSON invalide "
		    "(ligne %d, colonne %d) : %s", jerr.line, jerr.column,
		    jerr.text);
		return -1;
	}
	if (!json_is_object(r->body)) {
		error_set(&r->err, ERR_INVALID, NULL, "le corps de la "
		    "requête doit être un objet JSON");
		return -1;
	}
	return 0;
}

/* Run a route's handler, in a transaction when it writes. */
static int
api_run(struct api_req *r, const struct api_route *rt)
{
	char	*cause = NULL;

	if ((rt->flags & API_BODY) && r->body == NULL) {
		error_set(&r->err, ERR_INVALID, NULL, "corps JSON "
		    "attendu");
		return -1;
	}
	if (!(rt->flags & API_WRITES))
		return rt->fn(r);
	if (store_begin(r->env->store, &cause) == -1)
		goto dberr;
	if (rt->fn(r) == -1) {
		store_rollback(r->env->store);
		sched_arm(r->env->sched);
		shelter_arm(r->env->shelters);
		return -1;
	}
	if (store_commit(r->env->store, &cause) == -1)
		goto dberr;
	sched_arm(r->env->sched);
	shelter_arm(r->env->shelters);
	dispatch_kick(r->env->dispatch);
	if (r->checkpoint && store_checkpoint(r->env->store, &cause) == -1) {
		log_warnx("api checkpoint_failed error=\"%s\"", cause);
		free(cause);
	}
	return 0;
dberr:
	log_warnx("api transaction_failed error=\"%s\"", cause);
	error_set(&r->err, ERR_INTERNAL, NULL, "base de données : %s",
	    cause);
	free(cause);
	return -1;
}

/* A method's name for the log. */
static const char *
api_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:	return "GET";
	case EVHTTP_REQ_POST:	return "POST";
	case EVHTTP_REQ_PATCH:	return "PATCH";
	case EVHTTP_REQ_DELETE:	return "DELETE";
	default:		return "other";
	}
}

int
api_handle(struct api_env *env, const struct api_call *call,
    const struct api_caller *who, json_t **reply)
{
	struct api_req		 r;
	const struct api_route	*rt = NULL;
	const char		*path = call->path != NULL ? call->path : "/";
	char			 esc[128];
	int			 path_found = 0, rc = -1, status;
	size_t			 i;

	memset(&r, 0, sizeof r);
	TAILQ_INIT(&r.query);
	r.env = env;
	r.status = 200;
	r.uid = who->uid;
	r.gid = who->gid;
	r.pid = who->pid;
	for (i = 0; i < NROUTES && rt == NULL; i++) {
		if (!api_match(api_routes[i].path, path, &r))
			continue;
		path_found = 1;
		if ((int)api_routes[i].method == call->method)
			rt = &api_routes[i];
	}
	if (!api_allowed(env, who)) {
		log_warnx("api refused uid=%u gid=%u pid=%d", (unsigned)who->uid,
		    (unsigned)who->gid, (int)who->pid);
		error_set(&r.err, ERR_FORBIDDEN, NULL, "accès refusé : "
		    "l'utilisateur %u n'est pas autorisé ([api] allow_uids "
		    "ou allow_gids)", (unsigned)who->uid);
	} else if (rt == NULL)
		error_set(&r.err, ERR_NOT_FOUND, NULL,
		    path_found ? "méthode non permise sur %s" :
		    "chemin inconnu %s", UTF8_CUT(path, 64));
	else if (call->query != NULL &&
	    evhttp_parse_query_str(call->query, &r.query) != 0)
		error_set(&r.err, ERR_INVALID, NULL, "paramètres "
		    "invalides");
	else if (api_body(&r, call->body, call->len) == 0)
		rc = api_run(&r, rt);

	if (rc == 0)
		status = r.status;
	else if (rt == NULL && path_found && r.err.kind == ERR_NOT_FOUND)
		status = HTTP_BADMETHOD;	/* the path exists, not the method */
	else
		status = api_http_status(r.err.kind);
	/* a path no route knows is the caller's text: not logged */
	if (log_getlevel() >= LOG_LEVEL_DEBUG)
		log_debug("api request method=%s path=\"%s\" uid=%u status=%d",
		    api_method_name((enum evhttp_cmd_type)call->method),
		    path_found ? log_escape(esc, sizeof esc, path) : "(unknown)",
		    (unsigned)who->uid, status);
	if (rc == 0)
		*reply = r.result != NULL ? r.result : json_object();
	else {
		json_decref(r.result);
		*reply = api_error_json(&r.err);
	}
	evhttp_clear_headers(&r.query);
	json_decref(r.body);
	error_clear(&r.err);
	return status;
}

/* The one evhttp callback: identify the caller, handle, answer. */
static void
api_dispatch(struct evhttp_request *req, void *arg)
{
	struct api		*api = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct api_call		 call;
	struct api_caller	 who;
	json_t			*reply;
	int			 status;

	memset(&call, 0, sizeof call);
	call.method = (int)evhttp_request_get_command(req);
	call.path = evhttp_uri_get_path(uri);
	call.query = evhttp_uri_get_query(uri);
	call.len = evbuffer_get_length(in);
	call.body = call.len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	if (api_peer(req, &who) == -1) {
		/* nobody is allowed: uid 0 must not be assumed */
		who.uid = (uid_t)-1;
		who.gid = (gid_t)-1;
	}
	status = api_handle(api->env, &call, &who, &reply);
	api_send(req, status, reply);
}

/* The address of a socket path; -1 with *cause when it is too long. */
static int
api_sockaddr(const char *path, struct sockaddr_un *sun, char **cause)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (util_strlcpy(sun->sun_path, path, sizeof sun->sun_path) >=
	    sizeof sun->sun_path) {
		util_cause(cause, "%s: socket path too long", path);
		return -1;
	}
	return 0;
}

int
api_running(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	int			 fd, rc;

	if (api_sockaddr(path, &sun, cause) == -1)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	rc = connect(fd, (const struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (rc == 0)
		util_cause(cause, "%s: another stoppvifd is already running",
		    path);
	return rc == 0;
}

struct api *
api_new(struct event_base *base, struct api_env *env, char **cause)
{
	struct api		*api;
	struct evconnlistener	*lev;
	const struct config	*conf = *env->conf;
	int			 fd;

	if ((fd = util_listen_unix(conf->socket, 0660, cause)) == -1)
		return NULL;

	api = xcalloc(1, sizeof *api);
	api->env = env;
	api->path = xstrdup(conf->socket);
	if ((api->http = evhttp_new(base)) == NULL)
		fatalx("api: evhttp_new failed");
	evhttp_set_max_body_size(api->http, conf->max_body);
	evhttp_set_max_headers_size(api->http, 16384);
	evhttp_set_timeout(api->http, 30);
	evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(api->http, api_dispatch, api);
	lev = evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (lev == NULL || evhttp_bind_listener(api->http, lev) == NULL)
		fatalx("api: cannot listen on %s", conf->socket);
	log_info("api listening socket=%s", conf->socket);
	return api;
}

void
api_free(struct api *api)
{
	if (api == NULL)
		return;
	evhttp_free(api->http);
	unlink(api->path);
	free(api->path);
	free(api);
}
