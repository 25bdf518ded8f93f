/*
 * api_int.h: what api.c shares with the handlers kept in other files
 * (api_shelter.c): the request being handled and two helpers.  Not a module
 * contract: see api.h.
 */
#ifndef STOPPVIF_API_INT_H
#define STOPPVIF_API_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "error.h"

struct api_env;

/* One request being handled. */
struct api_req {
	struct api_env		*env;
	uid_t			 uid;		/* the caller */
	gid_t			 gid;
	pid_t			 pid;
	int64_t			 id;		/* the {id} path segment */
	char			 name[64];	/* the {name} path segment */
	struct evkeyvalq	 query;
	json_t			*body;		/* NULL when none */
	json_t			*result;	/* set by the handler */
	int			 status;	/* 200 unless set */
	int			 checkpoint;	/* checkpoint after commit */
	struct error	 err;
};

/* A query parameter, or NULL. */
const char	*api_query(struct api_req *, const char *name);
/* Record the change in the audit log; the handler's transaction commits it.
 * 0, or -1 with r->err set. */
int		 api_audit_record(struct api_req *, const char *action,
		    const char *object, int64_t id);

/* api_shelter.c */
int	api_shelters_list(struct api_req *);
int	api_shelters_show(struct api_req *);
int	api_shelters_vacate(struct api_req *);
int	api_shelters_occupy(struct api_req *);
int	api_shelters_unavailable(struct api_req *);
int	api_shelters_report(struct api_req *);
int	api_alerts_list(struct api_req *);
int	api_alerts_ack(struct api_req *);
int	api_oncall_show(struct api_req *);
int	api_oncall_set(struct api_req *);
int	api_oncall_remove(struct api_req *);

#endif
