/*
 * api_role.h: who may do what on the control API.  A caller has one role,
 * found from its credentials and the [api] keys: admins, coordinators,
 * viewers (and allow_uids / allow_gids, the older spelling of
 * coordinators); root and the daemon's own user are admins.  Each role may
 * do what the roles below it may: the routing table (api.c) names the
 * lowest role of each route.
 */
#ifndef STOPPVIF_API_ROLE_H
#define STOPPVIF_API_ROLE_H

#include "error.h"

struct config;
struct api_caller;

/* The roles, lowest first: a route takes its role or any above. */
enum api_role {
	API_ROLE_NONE,		/* no role: refused whatever the route */
	API_ROLE_VIEWER,	/* the agenda, shelters' state, counts */
	API_ROLE_COORDINATOR,	/* reads contacts and bodies, edits */
	API_ROLE_ADMIN,		/* erases people, reloads */
	API_ROLE_MAX = API_ROLE_ADMIN
};

/* Why a caller has its role: the key and the item that names it. */
struct api_grant {
	enum api_role	 role;
	const char	*key;	/* "viewers", "allow_gids"; NULL: none */
	const char	*item;	/* "@benevoles", "root"; NULL: none */
	char		 num[16];	/* item of the numeric legacy lists */
};

/* The role of who under conf, and why, in *g (valid while conf is). */
enum api_role	 api_role_of(const struct config *, const struct api_caller *,
		    struct api_grant *g);
/* "viewer", "coordinator", "admin" (or "none"): for JSON and logs. */
const char	*api_role_name(enum api_role);
/*
 * Set err to the refusal of a caller, with g, on a route that needs role
 * need: the role needed, its key, and what the caller is, in French.
 */
void		 api_role_refuse(struct error *, enum api_role need,
		    const struct api_caller *, const struct api_grant *g);

#endif
