/*
 * config_member.c: the [api] role keys, admins, coordinators and viewers:
 * lists of users and groups ("alice, 1001, @stoppvif, @1002") looked up
 * when the file is read, so that a request never waits on the user
 * database and a name that no longer exists is caught by -t or a reload,
 * with its line.
 *
 * A caller has one role: a user or a group named by two role keys, or by
 * a role key and the older allow_uids / allow_gids (which mean
 * coordinators), is refused rather than guessed at, since the usual cause
 * is a demotion half done.  A user and a group of theirs in two keys is
 * not a clash: the higher role counts (api_role.c).
 */
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

#define MEMBER_GROUP	'@'	/* "@stoppvif": a group */

/* The role keys, by their field. */
static const struct member_key {
	const char	*name;
	size_t		 off;
} member_keys[] = {
	{ "admins",		offsetof(struct config, admins) },
	{ "coordinators",	offsetof(struct config, coordinators) },
	{ "viewers",		offsetof(struct config, viewers) },
};
#define NMEMBER_KEYS	(sizeof member_keys / sizeof member_keys[0])

/* The list of the role key at off in conf. */
#define MEMBERS_AT(conf, off) \
	((const struct config_members *)((const char *)(conf) + (off)))

/* The uid of user name, or the gid of group name; -1 with *cause. */
static int
member_lookup(const char *name, int group, unsigned *id, char **cause)
{
	struct passwd	*pw;
	struct group	*gr;
	int64_t		 num;

	if (util_parse_int(name, 0, UINT32_MAX - 1, &num) == 0) {
		*id = (unsigned)num;
		return 0;
	}
	if (group && (gr = getgrnam(name)) != NULL) {
		*id = gr->gr_gid;
		return 0;
	}
	if (!group && (pw = getpwnam(name)) != NULL) {
		*id = pw->pw_uid;
		return 0;
	}
	if (group)
		util_cause(cause, "no group named \"%s\" on this system",
		    name);
	else if (getgrnam(name) != NULL)
		util_cause(cause, "no user named \"%s\" on this system, but a "
		    "group: write it @%s", name, name);
	else
		util_cause(cause, "no user named \"%s\" on this system (a "
		    "group is written @name)", name);
	return -1;
}

/* One item of a role key: a user, or a group after '@'; -1 with *cause. */
static int
member_parse(const char *tok, struct config_member *m, char **cause)
{
	const char	*name = tok;

	memset(m, 0, sizeof *m);
	if (strncmp(tok, "group:", 6) == 0 || tok[0] == '%') {
		util_cause(cause, "\"%s\": write a group as @name, such as "
		    "@stoppvif", tok);
		return -1;
	}
	if ((m->group = tok[0] == MEMBER_GROUP))
		name++;
	if (*name == '\0') {
		util_cause(cause, "a group name is expected after @");
		return -1;
	}
	if (member_lookup(name, m->group, &m->id, cause) == -1)
		return -1;
	m->name = xstrdup(tok);
	return 0;
}

/* The member of list that is the same user or group as m, or NULL. */
static const struct config_member *
member_find(const struct config_members *list, int group, unsigned id)
{
	size_t	 i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].group == group && list->v[i].id == id)
			return &list->v[i];
	return NULL;
}

/* Whether the legacy lists name m too. */
static int
member_in_legacy(const struct config *conf, const struct config_member *m)
{
	size_t	 i;

	if (m->group) {
		for (i = 0; i < conf->n_allow_gids; i++)
			if (conf->allow_gids[i] == m->id)
				return 1;
	} else {
		for (i = 0; i < conf->n_allow_uids; i++)
			if (conf->allow_uids[i] == m->id)
				return 1;
	}
	return 0;
}

/*
 * Refuse m, about to join list of key k: twice in it, already in another
 * role key or in the legacy lists, or root outside admins.
 */
static int
member_check(const struct config *conf, const struct ckey *k,
    const struct config_members *list, const struct config_member *m,
    char **cause)
{
	const struct config_member	*o;
	size_t				 i;

	if (!m->group && m->id == 0 && strcmp(k->name, "admins") != 0) {
		util_cause(cause, "\"%s\" is root, always an admin: remove it "
		    "from %s", m->name, k->name);
		return -1;
	}
	if ((o = member_find(list, m->group, m->id)) != NULL) {
		util_cause(cause, "\"%s\" is listed twice (as \"%s\" too)",
		    m->name, o->name);
		return -1;
	}
	for (i = 0; i < NMEMBER_KEYS; i++) {
		if (member_keys[i].off == k->off || (o = member_find(
		    MEMBERS_AT(conf, member_keys[i].off), m->group,
		    m->id)) == NULL)
			continue;
		util_cause(cause, "\"%s\" is in %s already (as \"%s\"): a "
		    "caller has one role, keep it in one key", m->name,
		    member_keys[i].name, o->name);
		return -1;
	}
	if (member_in_legacy(conf, m)) {
		util_cause(cause, "\"%s\" is in %s too, the older spelling of "
		    "coordinators: keep it in one key", m->name,
		    m->group ? "allow_gids" : "allow_uids");
		return -1;
	}
	return 0;
}

int
config_members_set(struct config *conf, const struct ckey *k,
    const char *value, char **cause)
{
	struct config_members	*list = (struct config_members *)
				    ((char *)conf + k->off);
	struct config_member	 m;
	char			*copy, *tok, *save = NULL;

	config_members_free(list);
	copy = xstrdup(value);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (member_parse(tok, &m, cause) == -1)
			goto fail;
		if (member_check(conf, k, list, &m, cause) == -1) {
			free(m.name);
			goto fail;
		}
		list->v = xreallocarray(list->v, list->n + 1, sizeof *list->v);
		list->v[list->n++] = m;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	config_members_free(list);
	return -1;
}

int
config_members_legacy(const struct config *conf, int groups, char **cause)
{
	const struct config_member	*o;
	size_t				 i, j, n;
	unsigned			 id;

	n = groups ? conf->n_allow_gids : conf->n_allow_uids;
	for (i = 0; i < n; i++) {
		id = groups ? conf->allow_gids[i] : conf->allow_uids[i];
		for (j = 0; j < NMEMBER_KEYS; j++) {
			if ((o = member_find(MEMBERS_AT(conf,
			    member_keys[j].off), groups, id)) == NULL)
				continue;
			util_cause(cause, "%s %u is in %s too (as \"%s\"): "
			    "%s is the older spelling of coordinators, keep "
			    "it in one key", groups ? "group" : "user", id,
			    member_keys[j].name, o->name, groups ?
			    "allow_gids" : "allow_uids");
			return -1;
		}
	}
	return 0;
}

void
config_members_free(struct config_members *list)
{
	size_t	 i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].name);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int
config_members_same(const struct config_members *a,
    const struct config_members *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].group != b->v[i].group || a->v[i].id != b->v[i].id)
			return 0;
	return 1;
}
