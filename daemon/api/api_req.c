/*
 * api_req.c: one control API request from start to reply: its caller, its
 * query and JSON body, the audit entry its handler records, and the reply,
 * with the one table that turns a domain error kind into an HTTP status.
 * Calls the store's audit log and nothing else of the daemon: the handler
 * files and api.c build on it.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "api.h"
#include "api_req.h"
#include "audit.h"
#include "error.h"

#define API_CREATED	201	/* the success of a creation */

void
api_req_init(struct api_req *r, struct api_env *env,
    const struct api_caller *who)
{
	memset(r, 0, sizeof *r);
	TAILQ_INIT(&r->query);
	r->env = env;
	r->status = HTTP_OK;
	r->uid = who->uid;
	r->gid = who->gid;
	r->pid = who->pid;
	r->web = who->actor != NULL;
	if (r->web)
		snprintf(r->actor, sizeof r->actor, "%s", who->actor);
	else
		snprintf(r->actor, sizeof r->actor, "uid:%u",
		    (unsigned)who->uid);
}

void
api_req_free(struct api_req *r)
{
	evhttp_clear_headers(&r->query);
	json_decref(r->body);
	json_decref(r->result);
	json_decref(r->detail);
	error_clear(&r->err);
}

int
api_req_query(struct api_req *r, const char *query)
{
	if (query == NULL || evhttp_parse_query_str(query, &r->query) == 0)
		return 0;
	error_set(&r->err, ERR_INVALID, NULL, "paramètres invalides");
	return -1;
}

int
api_req_body(struct api_req *r, const char *body, size_t len)
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

const char *
api_query(struct api_req *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

int
api_audit_record(struct api_req *r, const char *action, const char *object,
    int64_t id)
{
	char	*cause = NULL;

	if ((r->web ? audit_record_as(r->env->store, r->actor, action, object,
	    id, &cause) : audit_record(r->env->store, r->uid, action, object,
	    id, &cause)) == -1) {
		return error_take(&r->err, ERR_INTERNAL, NULL, cause);
	}
	return 0;
}

void
api_req_created(struct api_req *r, int64_t id)
{
	r->status = API_CREATED;
	r->result = json_pack("{sI}", "id", (json_int_t)id);
}

/*
 * The one place where a domain error kind becomes an HTTP status: the
 * modules behind the API know kinds (error.h), never statuses.
 */
int
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

int
api_req_status(const struct api_req *r, int rc)
{
	return rc == 0 ? r->status : api_http_status(r->err.kind);
}

/* An error as {"error": message, "field": field} (never NULL). */
static json_t *
api_req_error_json(const struct error *err)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "error", json_string(err->message ?
	    err->message : "erreur interne"));
	if (err->field != NULL)
		json_object_set_new(o, "field", json_string(err->field));
	return o;
}

json_t *
api_req_reply(struct api_req *r, int rc)
{
	json_t	*reply;

	if (rc == 0)
		reply = r->result != NULL ? r->result : json_object();
	else {
		json_decref(r->result);
		reply = api_req_error_json(&r->err);
		if (r->detail != NULL)
			json_object_update_missing(reply, r->detail);
	}
	r->result = NULL;
	return reply;
}
