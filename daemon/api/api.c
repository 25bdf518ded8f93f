/*
 * api.c: the control API on the Unix socket, on top of daemon/api.
 *
 * One routing table maps method and path (with an optional {id} or {name}
 * segment) to the role it needs (api_role.h) and a handler of one of the
 * resource files (api_daemon.c, api_people.c, api_events.c, api_outbox.c,
 * api_shelter.c, api_web.c).  The generic evhttp callback identifies the caller with
 * SO_PEERCRED, finds its role, refuses it when below the route's, has the
 * request parsed (api_req.c), runs the handler (inside a store transaction
 * when the route writes) and answers JSON: the handler's result, or
 * {"error": ..., "field": ...} with the status of its error kind.
 */
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
#include <event2/listener.h>
#include <jansson.h>

#include "api.h"
#include "api_backup.h"
#include "api_daemon.h"
#include "api_events.h"
#include "api_outbox.h"
#include "api_people.h"
#include "api_req.h"
#include "api_role.h"
#include "api_shelter.h"
#include "api_web.h"
#include "config.h"
#include "dispatch.h"
#include "error.h"
#include "log.h"
#include "sched.h"
#include "shelter.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

struct api {
	struct evhttp		*http;
	struct api_env		*env;
	char			*path;
};

#define API_WRITES	0x1	/* in a transaction, with its audit entry */
#define API_BODY	0x2	/* a JSON object body is required */
#define API_LARGE	0x4	/* a body up to API_IMPORT_MAX, not max_body */

/*
 * A calendar of ten thousand events is over a megabyte of iCalendar: the
 * import takes up to this bound even when [api] max_body is smaller (and
 * up to max_body when it is larger).
 */
#define API_IMPORT_MAX	((int64_t)32 << 20)

struct api_route {
	enum api_role		 role;		/* the lowest role allowed */
	enum evhttp_cmd_type	 method;
	const char		*path;		/* {id}, {name}: a segment */
	int			 flags;
	api_handler		 fn;
};

static int	 api_routes_list(struct api_req *);

#define VIEWER		API_ROLE_VIEWER
#define COORD		API_ROLE_COORDINATOR
#define ADMIN		API_ROLE_ADMIN

/*
 * The routes, tried in order: the first whose path and method match.  Each
 * names its role first (api_role.h), checked before the request is even
 * parsed: a viewer reads the agenda, the shelters' state and the counts
 * (status, report), never a contact field, a name or a message body; a coordinator reads
 * those and edits; an admin also erases people, reloads and reads the
 * audit log.  A route written without its role does not build (the role
 * is the first member, and no member may be left out); one with role 0 or
 * out of range stops api_new.  GET /v1/routes lists them for the tests.
 */
static const struct api_route api_routes[] = {
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/status",	0, api_daemon_status },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/routes",	0, api_routes_list },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/people",	0, api_people_list },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/people",	API_WRITES | API_BODY,
	    api_people_add },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/people/{id}",	0, api_people_show },
	{ COORD,  EVHTTP_REQ_PATCH,  "/v1/people/{id}",	API_WRITES | API_BODY,
	    api_people_edit },
	{ ADMIN,  EVHTTP_REQ_DELETE, "/v1/people/{id}",	API_WRITES,
	    api_people_remove },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/people/{id}/feed",
	    API_WRITES | API_BODY, api_people_feed },
	{ ADMIN,  EVHTTP_REQ_GET,    "/v1/audit",	0, api_daemon_audit },
	{ ADMIN,  EVHTTP_REQ_GET,    "/v1/audit/verify", 0,
	    api_daemon_audit_verify },
	{ ADMIN,  EVHTTP_REQ_POST,   "/v1/reload",	API_WRITES,
	    api_daemon_reload },
	{ ADMIN,  EVHTTP_REQ_POST,   "/v1/backup",	API_WRITES | API_BODY,
	    api_backup_start },
	{ ADMIN,  EVHTTP_REQ_GET,    "/v1/backup",	0, api_backup_show },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/events",	0, api_events_list },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/events",	API_WRITES | API_BODY,
	    api_events_add },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/events/import",
	    API_WRITES | API_BODY | API_LARGE, api_events_import },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/events/preview", API_BODY,
	    api_events_preview },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/events/export", 0, api_events_export },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/events/{id}",	0, api_events_show },
	{ COORD,  EVHTTP_REQ_PATCH,  "/v1/events/{id}",	API_WRITES | API_BODY,
	    api_events_edit },
	{ COORD,  EVHTTP_REQ_DELETE, "/v1/events/{id}",	API_WRITES,
	    api_events_remove },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/agenda",	0, api_events_agenda },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/outbox",	0, api_outbox_list },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/outbox/{id}",	API_WRITES,
	    api_outbox_retry },
	/* a shelter's details name who reserved it and claimed its alerts:
	 * viewers see the shelters' state in /v1/status */
	{ COORD,  EVHTTP_REQ_GET,    "/v1/shelters",	0, api_shelters_list },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/shelters/{name}", 0,
	    api_shelters_show },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/shelters/{name}/vacate", API_WRITES,
	    api_shelters_vacate },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/shelters/{name}/occupy", API_WRITES,
	    api_shelters_occupy },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/shelters/{name}/unavailable",
	    API_WRITES, api_shelters_unavailable },
	{ VIEWER, EVHTTP_REQ_GET,    "/v1/shelters/{name}/report", 0,
	    api_shelters_report },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/alerts",	0, api_alerts_list },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/alerts/ack",	API_WRITES | API_BODY,
	    api_alerts_ack },
	{ COORD,  EVHTTP_REQ_GET,    "/v1/oncall",	0, api_oncall_show },
	{ COORD,  EVHTTP_REQ_POST,   "/v1/oncall",	API_WRITES | API_BODY,
	    api_oncall_set },
	{ COORD,  EVHTTP_REQ_DELETE, "/v1/oncall/{id}",	API_WRITES,
	    api_oncall_remove },
	{ ADMIN,  EVHTTP_REQ_GET,    "/v1/web/users",	0,
	    api_web_users_list },
	{ ADMIN,  EVHTTP_REQ_POST,   "/v1/web/users",	API_WRITES | API_BODY,
	    api_web_users_add },
	{ ADMIN,  EVHTTP_REQ_DELETE, "/v1/web/users/{name}", API_WRITES,
	    api_web_users_remove },
};
#define NROUTES	(sizeof api_routes / sizeof api_routes[0])

/* The bytes a {name} segment may hold. */
#define API_NAME_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."

/*
 * Whether the n bytes of path fit the segment pattern opens: "{id}" takes a
 * number (into r->id), "{name}" a name of API_NAME_CHARS (into r->name).
 */
static int
api_match_segment(const char *pattern, const char *path, size_t n,
    struct api_req *r)
{
	char	 seg[24];

	if (strncmp(pattern, "{id}", 4) == 0) {
		if (n == 0 || n >= sizeof seg)
			return 0;
		memcpy(seg, path, n);
		seg[n] = '\0';
		return util_parse_int(seg, 1, INT64_MAX, &r->id) == 0;
	}
	if (n == 0 || n >= sizeof r->name || strspn(path, API_NAME_CHARS) != n)
		return 0;
	memcpy(r->name, path, n);
	r->name[n] = '\0';
	return 1;
}

/* Match path against a route pattern, segment by segment. */
static int
api_match(const char *pattern, const char *path, struct api_req *r)
{
	size_t	 n;

	while (*pattern != '\0') {
		if (*pattern != '{') {
			if (*pattern++ != *path++)
				return 0;
			continue;
		}
		n = strcspn(path, "/");
		if (!api_match_segment(pattern, path, n, r))
			return 0;
		pattern = strchr(pattern, '}') + 1;
		path += n;
	}
	return *path == '\0';
}

/*
 * The route for method and path, or NULL; *path_found says whether a route
 * has that path at all (with another method).
 */
static const struct api_route *
api_route(struct api_req *r, int method, const char *path, int *path_found)
{
	size_t	 i;

	*path_found = 0;
	for (i = 0; i < NROUTES; i++) {
		if (!api_match(api_routes[i].path, path, r))
			continue;
		*path_found = 1;
		if ((int)api_routes[i].method == method)
			return &api_routes[i];
	}
	return NULL;
}

/* No route for the request: an unknown path, or a method it does not take. */
static int
api_unrouted(struct api_req *r, const char *path, int path_found)
{
	error_set(&r->err, ERR_NOT_FOUND, NULL, path_found ?
	    "méthode non permise sur %s" : "chemin inconnu %s",
	    UTF8_CUT(path, 64));
	return -1;
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

/*
 * A caller whose role is below need, the role of route rt (NULL: a path
 * no route has): logged, and refused naming the role needed.  A route's
 * pattern is logged, never the caller's path.
 */
static int
api_refuse(struct api_req *r, enum api_role need, const struct api_route *rt,
    const struct api_caller *who, const struct api_grant *g)
{
	log_warnx("api refused uid=%u gid=%u pid=%d role=%s need=%s "
	    "route=\"%s %s\"", (unsigned)who->uid, (unsigned)who->gid,
	    (int)who->pid, api_role_name(g->role), api_role_name(need),
	    rt != NULL ? api_method_name(rt->method) : "-",
	    rt != NULL ? rt->path : "-");
	api_role_refuse(&r->err, need, who, g);
	r->detail = json_pack("{ss ss}", "role", api_role_name(g->role),
	    "need", api_role_name(need));
	return -1;
}

/*
 * GET /v1/routes: every route with the role it needs and whether the
 * caller has it, so that a client (and the tests) can tell what a role
 * may do without a copy of this table.
 */
static int
api_routes_list(struct api_req *r)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < NROUTES; i++)
		json_array_append_new(arr, json_pack("{ss ss ss sb}",
		    "method", api_method_name(api_routes[i].method),
		    "path", api_routes[i].path,
		    "role", api_role_name(api_routes[i].role),
		    "allowed", r->role >= api_routes[i].role));
	r->result = json_pack("{ss so}", "role", api_role_name(r->role),
	    "routes", arr);
	return 0;
}

/* A route without a role, or with an unknown method, is a broken table:
 * the daemon does not start on it. */
static void
api_routes_check(void)
{
	size_t	 i;

	for (i = 0; i < NROUTES; i++) {
		if (api_routes[i].role <= API_ROLE_NONE ||
		    api_routes[i].role > API_ROLE_MAX)
			fatalx("api bad_route method=%s path=%s reason=no_role",
			    api_method_name(api_routes[i].method),
			    api_routes[i].path);
		if (strcmp(api_method_name(api_routes[i].method), "other") == 0)
			fatalx("api bad_route path=%s reason=unknown_method",
			    api_routes[i].path);
	}
}

/* After a transaction, committed or not: the timers follow the store. */
static void
api_rearm(struct api_env *env)
{
	sched_arm(env->sched);
	shelter_arm(env->shelters);
}

/* A transaction the store refused, as an internal error. */
static int
api_txn_error(struct api_req *r, char *cause)
{
	log_warnx("api transaction_failed error=\"%s\"", LOG_QUOTE(cause));
	return error_take(&r->err, ERR_INTERNAL, NULL, cause);
}

/*
 * Run a writing handler in one store transaction with its audit entry;
 * after a commit the dispatcher looks at the outbox, and the WAL is
 * checkpointed when the handler asked for it.
 */
static int
api_run_txn(struct api_req *r, api_handler fn)
{
	struct api_env	*env = r->env;
	char		*cause = NULL;

	if (store_begin(env->store, &cause) == -1)
		return api_txn_error(r, cause);
	if (fn(r) == -1) {
		store_rollback(env->store);
		api_rearm(env);
		return -1;
	}
	if (store_commit(env->store, &cause) == -1)
		return api_txn_error(r, cause);
	api_rearm(env);
	dispatch_kick(env->dispatch);
	if (r->checkpoint && store_checkpoint(env->store, &cause) == -1) {
		log_warnx("api checkpoint_failed error=\"%s\"",
		    LOG_QUOTE(cause));
		free(cause);
	}
	return 0;
}

/* Parse the request and run its route's handler: 0, or -1 with r->err. */
static int
api_run(struct api_req *r, const struct api_route *rt,
    const struct api_call *call)
{
	int64_t	 max = (*r->env->conf)->max_body;

	/* an import takes at least API_IMPORT_MAX, more if max_body says so */
	if ((rt->flags & API_LARGE) && max < API_IMPORT_MAX)
		max = API_IMPORT_MAX;

	if ((int64_t)call->len > max) {
		error_set(&r->err, ERR_TOO_LARGE, NULL, "requête trop grande : "
		    "%lld octets au plus", (long long)max);
		return -1;
	}
	if (api_req_query(r, call->query) == -1 ||
	    api_req_body(r, call->body, call->len) == -1)
		return -1;
	if ((rt->flags & API_BODY) && r->body == NULL) {
		error_set(&r->err, ERR_INVALID, NULL, "corps JSON "
		    "attendu");
		return -1;
	}
	if (!(rt->flags & API_WRITES))
		return rt->fn(r);
	return api_run_txn(r, rt->fn);
}

/*
 * The request in the debug log.  A path no route knows is the caller's
 * text: not logged.
 */
static void
api_log_request(int method, const char *path, int path_found, uid_t uid,
    int status)
{
	char	 esc[128];

	if (log_getlevel() < LOG_LEVEL_DEBUG)
		return;
	log_debug("api request method=%s path=\"%s\" uid=%u status=%d",
	    api_method_name((enum evhttp_cmd_type)method),
	    path_found ? log_escape(esc, sizeof esc, path) : "(unknown)",
	    (unsigned)uid, status);
}

int
api_handle(struct api_env *env, const struct api_call *call,
    const struct api_caller *who, json_t **reply)
{
	struct api_req		 r;
	struct api_grant	 grant;
	const struct api_route	*rt;
	const char		*path = call->path != NULL ? call->path : "/";
	int			 path_found, rc, status;

	api_req_init(&r, env, who);
	r.role = api_role_of(*env->conf, who, &grant);
	rt = api_route(&r, call->method, path, &path_found);
	if (r.role == API_ROLE_NONE)	/* before the table: it learns nothing */
		rc = api_refuse(&r, rt != NULL ? rt->role : API_ROLE_VIEWER,
		    rt, who, &grant);
	else if (rt == NULL)
		rc = api_unrouted(&r, path, path_found);
	else if (r.role < rt->role)
		rc = api_refuse(&r, rt->role, rt, who, &grant);
	else
		rc = api_run(&r, rt, call);
	if (rt == NULL && path_found && r.err.kind == ERR_NOT_FOUND)
		status = HTTP_BADMETHOD;	/* the path exists, not the method */
	else
		status = api_req_status(&r, rc);
	api_log_request(call->method, path, path_found, who->uid, status);
	*reply = api_req_reply(&r, rc);
	api_req_free(&r);
	return status;
}

/*
 * Send a JSON reply and free it.  A reply that cannot be encoded (it never
 * should: every message is valid UTF-8) becomes a fixed internal error: no
 * request may stop the daemon.
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
		fatalx("api out_of_memory");
	if (text == NULL) {
		log_warnx("api reply_unencodable status=%d", status);
		status = api_http_status(ERR_INTERNAL);
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

	api_routes_check();
	if ((fd = util_listen_unix(conf->socket, 0660, cause)) == -1)
		return NULL;

	api = xcalloc(1, sizeof *api);
	api->env = env;
	api->path = xstrdup(conf->socket);
	if ((api->http = evhttp_new(base)) == NULL)
		fatalx("api start_failed step=evhttp");
	/* the largest a route takes; each route checks its own (api_run) */
	evhttp_set_max_body_size(api->http, (ev_ssize_t)(conf->max_body >
	    API_IMPORT_MAX ? conf->max_body : API_IMPORT_MAX));
	evhttp_set_max_headers_size(api->http, 16384);
	evhttp_set_timeout(api->http, 30);
	evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(api->http, api_dispatch, api);
	lev = evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (lev == NULL || evhttp_bind_listener(api->http, lev) == NULL)
		fatalx("api listen_failed socket=%s", conf->socket);
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
