/*
 * test_api_role.c: the role of a control API caller, from its credentials
 * and the [api] keys, and the routing table walked through api_handle()
 * itself: every route names a role, and a caller below it is refused with
 * 403, naming the role needed and its own, before anything else is read.
 * The refusals touch nothing but the configuration, so the environment
 * here holds nothing else: a route that got past the check would crash on
 * its NULL store, which is a failure too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/http.h>
#include <jansson.h>

#include "api.h"
#include "api_role.h"
#include "config.h"
#include "util.h"

static char	 tmpdir[] = "/tmp/test_api_role.XXXXXX";

/* A configuration from text (which must be accepted). */
static struct config *
conf_of(const char *text)
{
	struct config	*conf;
	char		*path, *cause = NULL;
	FILE		*fp;

	xasprintf(&path, "%s/stoppvif.ini", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	if ((conf = config_load(path, &cause)) == NULL)
		fail_msg("refused:\n%s", cause);
	unlink(path);
	free(path);
	return conf;
}

/* A caller: uid, primary group, supplementary groups (0-terminated). */
static struct api_caller
caller(uid_t uid, gid_t gid, const gid_t *groups)
{
	struct api_caller	 who;

	memset(&who, 0, sizeof who);
	who.uid = uid;
	who.gid = gid;
	who.pid = 4242;
	while (groups != NULL && groups[who.ngroups] != 0)
		who.groups[who.ngroups] = groups[who.ngroups], who.ngroups++;
	return who;
}

static const char *const roles_ini = "[api]\n"
    "admins = 2001\n"
    "coordinators = 2002, @3002\n"
    "viewers = 2003, @3003\n"
    "allow_uids = 2004\n"
    "allow_gids = 3004\n";

static void
test_role_of(void **state)
{
	struct config		*conf = conf_of(roles_ini);
	struct api_caller	 who;
	struct api_grant	 g;
	static const gid_t	 g3002[] = { 3002, 0 }, g3003[] = { 3003, 0 };
	static const gid_t	 both[] = { 3003, 3002, 0 };

	who = caller(0, 0, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_ADMIN);
	assert_string_equal(g.item, "root");
	who = caller(2001, 5000, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_ADMIN);
	assert_string_equal(g.key, "admins");
	assert_string_equal(g.item, "2001");
	who = caller(2003, 5000, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_VIEWER);
	/* by primary group, by a supplementary one */
	who = caller(5000, 3002, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_COORDINATOR);
	assert_string_equal(g.item, "@3002");
	who = caller(5000, 5000, g3003);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_VIEWER);
	/* a viewer by name in a coordinators' group: the higher role */
	who = caller(2003, 5000, g3002);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_COORDINATOR);
	who = caller(5000, 5000, both);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_COORDINATOR);
	/* the older keys mean coordinators */
	who = caller(2004, 5000, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_COORDINATOR);
	assert_string_equal(g.key, "allow_uids");
	assert_string_equal(g.item, "2004");
	who = caller(5000, 5000, (const gid_t[]){ 7, 3004, 0 });
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_COORDINATOR);
	assert_string_equal(g.key, "allow_gids");
	/* nobody else; a socket that said nothing reads (uid_t)-1 */
	who = caller(5000, 5000, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_NONE);
	who = caller((uid_t)-1, (gid_t)-1, NULL);
	assert_int_equal(api_role_of(conf, &who, &g), API_ROLE_NONE);
	config_free(conf);
}

/* Run one request as who; its status, and its reply in *reply. */
static int
handle(struct api_env *env, int method, const char *path,
    const struct api_caller *who, json_t **reply)
{
	struct api_call	 call;

	memset(&call, 0, sizeof call);
	call.method = method;
	call.path = path;
	call.body = "{}";
	call.len = 2;
	return api_handle(env, &call, who, reply);
}

/* The method of a /v1/routes entry. */
static int
method_of(const char *name)
{
	if (strcmp(name, "GET") == 0)
		return EVHTTP_REQ_GET;
	if (strcmp(name, "POST") == 0)
		return EVHTTP_REQ_POST;
	if (strcmp(name, "PATCH") == 0)
		return EVHTTP_REQ_PATCH;
	if (strcmp(name, "DELETE") == 0)
		return EVHTTP_REQ_DELETE;
	fail_msg("unknown method %s", name);
	return -1;
}

/* A route's pattern with its segments filled: {id} 7, {name} aisova. */
static char *
path_of(const char *pattern)
{
	char	*out = xstrdup(pattern), *p, *tmp;

	while ((p = strchr(out, '{')) != NULL) {
		*p = '\0';
		xasprintf(&tmp, "%s%s%s", out, strncmp(p + 1, "id}", 3) == 0 ?
		    "7" : "aisova", strchr(p + 1, '}') + 1);
		free(out);
		out = tmp;
	}
	return out;
}

/* The rank of a role's name. */
static int
rank_of(const char *name)
{
	if (strcmp(name, "viewer") == 0)
		return API_ROLE_VIEWER;
	if (strcmp(name, "coordinator") == 0)
		return API_ROLE_COORDINATOR;
	if (strcmp(name, "admin") == 0)
		return API_ROLE_ADMIN;
	fail_msg("route without a known role: %s", name);
	return -1;
}

/* Each route above role mine, as who, is refused with 403 naming both
 * roles; returns how many were.  routes were listed for who when own. */
static size_t
walk(struct api_env *env, const struct api_caller *who, int mine,
    const char *mine_fr, json_t *routes, int own)
{
	json_t		*rt, *reply;
	const char	*msg;
	char		*path;
	size_t		 i, refused = 0;
	int		 need;

	json_array_foreach(routes, i, rt) {
		need = rank_of(json_string_value(json_object_get(rt, "role")));
		if (own)
			assert_int_equal(json_is_true(json_object_get(rt,
			    "allowed")), mine >= need);
		if (mine >= need)
			continue;
		path = path_of(json_string_value(json_object_get(rt, "path")));
		assert_int_equal(handle(env, method_of(json_string_value(
		    json_object_get(rt, "method"))), path, who, &reply), 403);
		msg = json_string_value(json_object_get(reply, "error"));
		assert_non_null(msg);
		if (strstr(msg, need == API_ROLE_ADMIN ? "réservé aux "
		    "administrateurs ([api] admins)" : "réservé aux "
		    "coordinateurs ([api] coordinators)") == NULL ||
		    strstr(msg, mine_fr) == NULL)
			fail_msg("%s: %s", path, msg);
		assert_string_equal(json_string_value(json_object_get(reply,
		    "need")), json_string_value(json_object_get(rt, "role")));
		json_decref(reply);
		free(path);
		refused++;
	}
	return refused;
}

static void
test_walk_routes(void **state)
{
	struct config		*conf = conf_of(roles_ini);
	struct api_env		 env;
	struct api_caller	 viewer = caller(2003, 5000, NULL);
	struct api_caller	 coord = caller(2004, 5000, NULL);
	json_t			*reply, *routes;
	size_t			 n;

	memset(&env, 0, sizeof env);
	env.conf = &conf;
	assert_int_equal(handle(&env, EVHTTP_REQ_GET, "/v1/routes", &viewer,
	    &reply), 200);
	assert_string_equal(json_string_value(json_object_get(reply, "role")),
	    "viewer");
	routes = json_object_get(reply, "routes");
	assert_true(json_array_size(routes) >= 30);
	n = walk(&env, &viewer, API_ROLE_VIEWER, "vous (uid 2003) êtes "
	    "lecteur ([api] viewers : 2003)", routes, 1);
	assert_true(n >= 20);
	/* a coordinator: refused only the admins' routes, among them the
	 * erasure and the reload */
	n = walk(&env, &coord, API_ROLE_COORDINATOR, "vous (uid 2004) êtes "
	    "coordinateur ([api] allow_uids : 2004)", routes, 0);
	assert_true(n >= 3);
	json_decref(reply);
	config_free(conf);
}

/* A caller without a role is refused everywhere, even on a path no route
 * has: it learns nothing of the table. */
static void
test_no_role(void **state)
{
	struct config		*conf = conf_of(roles_ini);
	struct api_env		 env;
	struct api_caller	 who = caller(5000, 5000, NULL);
	json_t			*reply;
	const char		*paths[] = { "/v1/status", "/v1/routes",
				    "/v1/nowhere", "/v1/people/1" };
	size_t			 i;

	memset(&env, 0, sizeof env);
	env.conf = &conf;
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_int_equal(handle(&env, EVHTTP_REQ_GET, paths[i], &who,
		    &reply), 403);
		assert_non_null(strstr(json_string_value(json_object_get(reply,
		    "error")), "l'utilisateur 5000 n'est pas autorisé (aucun "
		    "rôle dans [api] admins, coordinators ou viewers)"));
		assert_string_equal(json_string_value(json_object_get(reply,
		    "role")), "none");
		json_decref(reply);
	}
	config_free(conf);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_of),
		cmocka_unit_test(test_walk_routes),
		cmocka_unit_test(test_no_role),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
