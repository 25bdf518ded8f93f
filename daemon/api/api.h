/*
 * api.h: the control API, HTTP/1.1 + JSON served by evhttp on a Unix socket,
 * versioned under /v1/.  Callers are identified with SO_PEERCRED and get a
 * role from [api] admins, coordinators, viewers (root and the daemon's own
 * user are admins; api_role.h); each route names the lowest role it takes.
 * Each route says whether it writes; a writing route runs in one store
 * transaction together with its audit entry.
 */
#ifndef STOPPVIF_API_H
#define STOPPVIF_API_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct event_base;
struct store;
struct crypt_key;
struct config;
struct calendar;
struct sched;
struct dispatch;
struct shelters;
struct backup;

/* What the API works on; owned by the caller and outliving the API.  Every
 * member is set (shelters may be NULL: no shelter configured). */
struct api_env {
	struct store		 *store;
	const struct crypt_key	 *master;
	struct config		**conf;		/* current, swapped on reload */
	struct calendar		 *cal;
	struct sched		 *sched;	/* re-armed after each write */
	struct dispatch		 *dispatch;	/* kicked after each write */
	struct shelters		 *shelters;	/* re-armed after each write */
	struct backup		 *backup;	/* NULL: no backups (fuzz_api) */
	time_t			  started;
	/* Reload the configuration; 0 or -1 with *cause. */
	int			(*reload)(void *arg, char **cause);
	void			 *reload_arg;
};

struct api;

/* One request, as the transport received it. */
struct api_call {
	int		 method;	/* enum evhttp_cmd_type */
	const char	*path;		/* NULL: "/" */
	const char	*query;		/* after '?', NULL when none */
	const char	*body;		/* len bytes, not NUL-terminated */
	size_t		 len;
};

/* Who sent it, as SO_PEERCRED and SO_PEERGROUPS tell. */
struct api_caller {
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	gid_t		 groups[64];	/* supplementary */
	size_t		 ngroups;
	/*
	 * A caller the daemon authenticated itself, a web console account
	 * (web.h): its role (API_ROLE_NONE: found from the credentials above)
	 * and the name its changes are audited under ("web:marie"; NULL: the
	 * user of uid).
	 */
	int		 role;		/* enum api_role */
	const char	*actor;
};

/*
 * Handle one request without any transport: route it, check the caller, run
 * the handler (in a transaction when it writes) and set *reply to the JSON
 * answer (a new reference, never NULL: the result, or {"error", "field"}).
 * Returns the HTTP status.  Whatever the bytes of call, this answers: no
 * request stops the daemon (the fuzz target tests/fuzz/fuzz_api.c drives
 * it with arbitrary methods, paths, queries and bodies).
 */
int		 api_handle(struct api_env *, const struct api_call *,
		    const struct api_caller *, json_t **reply);

/*
 * Check the socket's folder (owner, not writable by group or others), remove
 * a stale socket, bind, chmod 0660 and serve.  A socket that still answers
 * means another daemon runs: refused.  NULL with *cause set on failure.
 */
struct api	*api_new(struct event_base *, struct api_env *, char **cause);
/*
 * Whether another daemon answers on the socket at path (1, with *cause
 * saying so), checked before the database is opened: that daemon holds it.
 */
int		 api_running(const char *path, char **cause);
/* Stop serving, close connections and remove the socket file. */
void		 api_free(struct api *);

#endif
