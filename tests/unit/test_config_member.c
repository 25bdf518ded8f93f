/*
 * test_config_member.c: the [api] role keys (admins, coordinators,
 * viewers): users and @groups looked up when the file is read, and every
 * mistake an administrator may make in them refused with its line.  Uses
 * the accounts every Debian system has: root (0), daemon (1), nobody
 * (65534), and the groups users (100) and nogroup (65534).
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

#include "config.h"
#include "util.h"

static char	 tmpdir[] = "/tmp/test_config_member.XXXXXX";

/* Write text to the config file of the temp folder; returns its path. */
static char *
write_conf(const char *text)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/stoppvif.ini", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load text, which must be accepted. */
static struct config *
load_good(const char *text)
{
	char		*path = write_conf(text), *cause = NULL;
	struct config	*conf;

	conf = config_load(path, &cause);
	if (conf == NULL)
		fail_msg("refused:\n%s", cause);
	free(path);
	return conf;
}

/* Load text expecting failure; returns the cause (free it). */
static char *
load_bad(const char *text)
{
	char		*path = write_conf(text), *cause = NULL;
	struct config	*conf;

	conf = config_load(path, &cause);
	if (conf != NULL)
		fail_msg("accepted:\n%s", text);
	assert_non_null(cause);
	free(path);
	return cause;
}

static void
has(const char *cause, const char *needle)
{
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" not found in:\n%s", needle, cause);
}

/* One member: its spelling, whether a group, its id. */
static void
member_is(const struct config_members *l, size_t i, const char *name,
    int group, unsigned id)
{
	assert_true(i < l->n);
	assert_string_equal(l->v[i].name, name);
	assert_int_equal(l->v[i].group, group);
	assert_int_equal(l->v[i].id, id);
}

static void
test_empty_by_default(void **state)
{
	struct config	*conf = load_good("[api]\n");

	assert_int_equal(conf->admins.n, 0);
	assert_int_equal(conf->coordinators.n, 0);
	assert_int_equal(conf->viewers.n, 0);
	config_free(conf);
}

/* Names, numbers, groups, separated by commas, blanks or both; the same
 * number as a user and as a group is two members. */
static void
test_parsed(void **state)
{
	struct config	*conf;

	conf = load_good("[api]\n"
	    "admins = root,daemon\n"
	    "coordinators = @nogroup ,  1234\n"
	    "viewers = nobody @users\t@4321\n");
	assert_int_equal(conf->admins.n, 2);
	member_is(&conf->admins, 0, "root", 0, 0);
	member_is(&conf->admins, 1, "daemon", 0, 1);
	assert_int_equal(conf->coordinators.n, 2);
	member_is(&conf->coordinators, 0, "@nogroup", 1, 65534);
	member_is(&conf->coordinators, 1, "1234", 0, 1234);
	assert_int_equal(conf->viewers.n, 3);
	member_is(&conf->viewers, 0, "nobody", 0, 65534);
	member_is(&conf->viewers, 1, "@users", 1, 100);
	member_is(&conf->viewers, 2, "@4321", 1, 4321);
	config_free(conf);
}

/* Every mistake, with its line and a way out. */
static void
test_each_error(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "[api]\nviewers = nosuchuser_xyz\n",
		    ":2: viewers: no user named \"nosuchuser_xyz\" on this "
		    "system (a group is written @name)" },
		{ "[api]\n\nadmins = nosuchuser_xyz\n",
		    ":3: admins: no user named \"nosuchuser_xyz\"" },
		{ "[api]\nviewers = @nosuchgroup_xyz\n",
		    ":2: viewers: no group named \"nosuchgroup_xyz\"" },
		{ "[api]\ncoordinators = nogroup\n",
		    ":2: coordinators: no user named \"nogroup\" on this "
		    "system, but a group: write it @nogroup" },
		{ "[api]\ncoordinators = group:nogroup\n",
		    ":2: coordinators: \"group:nogroup\": write a group as "
		    "@name, such as @stoppvif" },
		{ "[api]\ncoordinators = %nogroup\n",
		    ":2: coordinators: \"%nogroup\": write a group as @name" },
		{ "[api]\nviewers = nobody, @\n",
		    ":2: viewers: a group name is expected after @" },
		{ "[api]\nviewers = root\n",
		    ":2: viewers: \"root\" is root, always an admin: remove it "
		    "from viewers" },
		{ "[api]\ncoordinators = 0\n",
		    ":2: coordinators: \"0\" is root, always an admin" },
		{ "[api]\nviewers = nobody, 65534\n",
		    ":2: viewers: \"65534\" is listed twice (as \"nobody\" too)" },
		{ "[api]\nviewers = @users @100\n",
		    ":2: viewers: \"@100\" is listed twice (as \"@users\" too)" },
		{ "[api]\nadmins = nobody\nviewers = 65534\n",
		    ":3: viewers: \"65534\" is in admins already (as "
		    "\"nobody\"): a caller has one role, keep it in one key" },
		{ "[api]\nviewers = @nogroup\ncoordinators = @65534\n",
		    ":3: coordinators: \"@65534\" is in viewers already" },
		{ "[api]\nallow_uids = nobody\nviewers = nobody\n",
		    ":3: viewers: \"nobody\" is in allow_uids too, the older "
		    "spelling of coordinators: keep it in one key" },
		{ "[api]\nallow_gids = users\nadmins = @users\n",
		    ":3: admins: \"@users\" is in allow_gids too" },
		{ "[api]\nviewers = nobody\nallow_uids = 65534\n",
		    ":3: allow_uids: user 65534 is in viewers too (as "
		    "\"nobody\"): allow_uids is the older spelling of "
		    "coordinators, keep it in one key" },
		{ "[api]\ncoordinators = @users\nallow_gids = 100\n",
		    ":3: allow_gids: group 100 is in coordinators too" },
		{ "[api]\nviewers = nobody\nviewers = daemon\n",
		    ":3: viewers: set twice (first on line 2)" },
		{ "[api]\nreaders = nobody\n",
		    ":2: readers: unknown key in [api]" },
	};
	size_t	 i;
	char	*cause;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = load_bad(cases[i].text);
		has(cause, "stoppvif.ini");
		has(cause, cases[i].want);
		free(cause);
	}
}

/* A user and a group of theirs in two keys is no clash (the higher role
 * counts, api_role.c); nor is the same number as a user and a group. */
static void
test_user_and_group_no_clash(void **state)
{
	struct config	*conf;

	conf = load_good("[api]\nviewers = nobody\ncoordinators = @nogroup\n"
	    "allow_uids = daemon\nallow_gids = 0, root\n");
	assert_int_equal(conf->viewers.n, 1);
	assert_int_equal(conf->coordinators.n, 1);
	config_free(conf);
}

/* Every mistake of a file is reported, each on its line. */
static void
test_all_reported(void **state)
{
	char	*cause;

	cause = load_bad("[api]\nadmins = nosuchuser_xyz\n"
	    "coordinators = group:x\nviewers = root\n");
	has(cause, ":2: admins:");
	has(cause, ":3: coordinators:");
	has(cause, ":4: viewers:");
	free(cause);
}

/* The role keys may change on reload, and the client's partial load keeps
 * a refused key empty rather than half filled. */
static void
test_reload_and_partial(void **state)
{
	struct config	*a, *b;
	char		*path, *cause = NULL;

	a = load_good("[api]\nviewers = nobody\n");
	b = load_good("[api]\nviewers = daemon\nadmins = @users\n");
	assert_int_equal(config_reloadable(a, b, &cause), 0);
	assert_null(cause);
	config_free(a);
	config_free(b);

	path = write_conf("[api]\nviewers = nobody, nosuchuser_xyz\n"
	    "coordinators = daemon\n");
	a = config_load_partial(path, &cause);
	assert_non_null(a);
	has(cause, ":2: viewers: no user named");
	assert_int_equal(a->viewers.n, 0);
	assert_int_equal(a->coordinators.n, 1);
	config_free(a);
	free(cause);
	free(path);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	*path;

	xasprintf(&path, "%s/stoppvif.ini", tmpdir);
	unlink(path);
	free(path);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_by_default),
		cmocka_unit_test(test_parsed),
		cmocka_unit_test(test_each_error),
		cmocka_unit_test(test_user_and_group_no_clash),
		cmocka_unit_test(test_all_reported),
		cmocka_unit_test(test_reload_and_partial),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
