/*
 * api_req.h: one control API request being handled, and what every handler
 * shares: its query parameters, its JSON body, its audit entry and its
 * reply.  The bottom of daemon/api: the handler files (api_daemon.c,
 * api_people.c, api_events.c, api_outbox.c, api_shelter.c) call this and the
 * domain modules; api.c, on top, routes to them.  Not a contract for callers
 * outside daemon/api: see api.h.
 *
 * A handler takes the request, calls its domain module with &r->err, and
 * returns 0 with r->result set, or -1 with r->err set.  It never names an
 * HTTP status: success is 200 (201 through api_req_created) and a failure's
 * status comes from its error kind (api_http_status).
 */
#ifndef STOPPVIF_API_REQ_H
#define STOPPVIF_API_REQ_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "api_role.h"
#include "error.h"

struct api_env;
struct api_caller;

/* One request being handled. */
struct api_req {
	struct api_env		*env;
	uid_t			 uid;		/* the caller */
	gid_t			 gid;
	pid_t			 pid;
	char			 actor[64];	/* "uid:N" or a web account's */
	int			 web;		/* actor names a web account */
	enum api_role		 role;		/* the caller's (api_role.h) */
	int64_t			 id;		/* the {id} path segment */
	char			 name[64];	/* the {name} path segment */
	struct evkeyvalq	 query;
	json_t			*body;		/* NULL when none */
	json_t			*result;	/* set by the handler */
	int			 status;	/* on success: 200 unless created */
	int			 checkpoint;	/* checkpoint after commit */
	struct error		 err;
	json_t			*detail;	/* more members of an error */
};

/* A request's handler: 0, or -1 with r->err set. */
typedef int (*api_handler)(struct api_req *);

/* Start r for caller who; api_req_free releases what it then holds. */
void		 api_req_init(struct api_req *, struct api_env *,
		    const struct api_caller *who);
void		 api_req_free(struct api_req *);

/* Parse the query string (NULL: none); 0, or -1 with r->err set. */
int		 api_req_query(struct api_req *, const char *query);
/* Parse the body (len 0: none) as a JSON object; 0, or -1 with r->err. */
int		 api_req_body(struct api_req *, const char *body, size_t len);
/* A query parameter, or NULL. */
const char	*api_query(struct api_req *, const char *name);

/* Record the change in the audit log; the handler's transaction commits it.
 * 0, or -1 with r->err set. */
int		 api_audit_record(struct api_req *, const char *action,
		    const char *object, int64_t id);
/* The answer to a creation: {"id": id}, status 201. */
void		 api_req_created(struct api_req *, int64_t id);

/* The HTTP status of an error kind: the one table of them. */
int		 api_http_status(enum error_kind);
/* The status of a handled request: rc is what its handler returned. */
int		 api_req_status(const struct api_req *, int rc);
/*
 * The JSON reply of a handled request (a new reference, never NULL): its
 * result when rc is 0 (an empty object when none), else {"error": message,
 * "field": field} and the members of r->detail, if any.  The result is handed over: r no longer holds it.
 */
json_t		*api_req_reply(struct api_req *, int rc);

#endif
