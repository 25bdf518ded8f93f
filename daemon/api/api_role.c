/*
 * api_role.c: the role of a control API caller, from its credentials
 * (SO_PEERCRED, SO_PEERGROUPS) and the [api] role keys the configuration
 * looked up when it was read, and the French refusal of a route whose role
 * the caller lacks.  Nothing here calls the user database: a request never
 * waits on it.
 */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "api.h"
#include "api_role.h"
#include "config.h"
#include "error.h"

/* The roles: their names, their key, and the field of that key. */
static const struct role_def {
	const char	*name;		/* JSON, logs */
	const char	*key;		/* [api] key */
	const char	*one;		/* French: "vous êtes lecteur" */
	const char	*all;		/* French: "réservé aux lecteurs" */
	size_t		 off;
} role_defs[] = {
	[API_ROLE_NONE] = { "none", NULL, "sans rôle", NULL, 0 },
	[API_ROLE_VIEWER] = { "viewer", "viewers", "lecteur", "lecteurs",
	    offsetof(struct config, viewers) },
	[API_ROLE_COORDINATOR] = { "coordinator", "coordinators",
	    "coordinateur", "coordinateurs",
	    offsetof(struct config, coordinators) },
	[API_ROLE_ADMIN] = { "admin", "admins", "administrateur",
	    "administrateurs", offsetof(struct config, admins) },
};

/* Whether who is in group gid, as its primary or a supplementary group. */
static int
role_in_group(const struct api_caller *who, unsigned gid)
{
	size_t	 i;

	if (who->gid == gid)
		return 1;
	for (i = 0; i < who->ngroups; i++)
		if (who->groups[i] == gid)
			return 1;
	return 0;
}

/* The item of list that names who (a user first, then a group), or NULL. */
static const struct config_member *
role_member(const struct config_members *list, const struct api_caller *who)
{
	size_t	 i;

	for (i = 0; i < list->n; i++)
		if (!list->v[i].group && list->v[i].id == who->uid)
			return &list->v[i];
	for (i = 0; i < list->n; i++)
		if (list->v[i].group && role_in_group(who, list->v[i].id))
			return &list->v[i];
	return NULL;
}

/* Whether allow_uids or allow_gids names who: then a coordinator. */
static int
role_legacy(const struct config *conf, const struct api_caller *who,
    struct api_grant *g)
{
	size_t	 i;

	for (i = 0; i < conf->n_allow_uids; i++)
		if (conf->allow_uids[i] == who->uid) {
			g->key = "allow_uids";
			snprintf(g->num, sizeof g->num, "%u",
			    (unsigned)who->uid);
			g->item = g->num;
			return 1;
		}
	for (i = 0; i < conf->n_allow_gids; i++)
		if (role_in_group(who, conf->allow_gids[i])) {
			g->key = "allow_gids";
			snprintf(g->num, sizeof g->num, "%u",
			    (unsigned)conf->allow_gids[i]);
			g->item = g->num;
			return 1;
		}
	return 0;
}

enum api_role
api_role_of(const struct config *conf, const struct api_caller *who,
    struct api_grant *g)
{
	const struct config_members	*list;
	const struct config_member	*m;
	int				 r;

	if (who->role > API_ROLE_NONE && who->role <= API_ROLE_MAX) {
		g->key = NULL;		/* a web account: its own role */
		g->item = who->actor;
		return g->role = (enum api_role)who->role;
	}
	g->role = API_ROLE_ADMIN;
	g->key = NULL;
	g->item = who->uid == 0 ? "root" : "l'utilisateur du démon";
	if (who->uid == 0 || who->uid == geteuid())
		return g->role;
	/* the highest role that names who, by user or by group */
	for (r = API_ROLE_MAX; r > API_ROLE_NONE; r--) {
		list = (const struct config_members *)((const char *)conf +
		    role_defs[r].off);
		if ((m = role_member(list, who)) != NULL) {
			g->key = role_defs[r].key;
			g->item = m->name;
			return g->role = (enum api_role)r;
		}
		if (r == API_ROLE_COORDINATOR && role_legacy(conf, who, g))
			return g->role = API_ROLE_COORDINATOR;
	}
	g->item = NULL;
	return g->role = API_ROLE_NONE;
}

const char *
api_role_name(enum api_role r)
{
	if ((unsigned)r > API_ROLE_MAX)
		r = API_ROLE_NONE;
	return role_defs[r].name;
}

void
api_role_refuse(struct error *err, enum api_role need,
    const struct api_caller *who, const struct api_grant *g)
{
	if (g->role == API_ROLE_NONE) {
		error_set(err, ERR_FORBIDDEN, NULL, "accès refusé : "
		    "l'utilisateur %u n'est pas autorisé (aucun rôle dans "
		    "[api] admins, coordinators ou viewers)",
		    (unsigned)who->uid);
		return;
	}
	if (who->actor != NULL) {	/* a web account (stoppvifctl web) */
		error_set(err, ERR_FORBIDDEN, NULL, "accès refusé : réservé "
		    "aux %s ; le compte %s est %s", role_defs[need].all,
		    who->actor, role_defs[g->role].one);
		return;
	}
	error_set(err, ERR_FORBIDDEN, NULL, "accès refusé : réservé aux %s "
	    "([api] %s) ; vous (uid %u) êtes %s ([api] %s : %s)",
	    role_defs[need].all, role_defs[need].key, (unsigned)who->uid,
	    role_defs[g->role].one, g->key != NULL ? g->key : "?",
	    g->item != NULL ? g->item : "?");
}
