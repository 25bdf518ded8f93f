/*
 * test_config.c: the configuration key table, every key type and every
 * error message, with file and line.
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
#include "log.h"
#include "util.h"

static char	 tmpdir[] = "/tmp/test_config.XXXXXX";

/* Write text to a config file in the temp folder; returns its path. */
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

/* Load text expecting failure; returns the cause (free it). */
static char *
load_bad(const char *text)
{
	char		*path = write_conf(text), *cause = NULL;
	struct config	*conf;

	conf = config_load(path, &cause);
	assert_null(conf);
	assert_non_null(cause);
	free(path);
	return cause;
}

/* Assert that cause holds needle. */
static void
has(const char *cause, const char *needle)
{
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" not found in:\n%s", needle, cause);
}

static void
test_defaults(void **state)
{
	char		*path = write_conf("; empty\n"), *cause = NULL, *exp;
	struct config	*conf = config_load(path, &cause);

	assert_non_null(conf);
	xasprintf(&exp, "%s/../var", tmpdir);
	/* relative paths resolve against the file's folder */
	assert_non_null(strstr(conf->state_dir, "/var"));
	assert_true(conf->state_dir[0] == '/');
	assert_string_equal(conf->timezone, "Europe/Brussels");
	assert_string_equal(conf->language, "fr");
	assert_int_equal(conf->log_level, LOG_LEVEL_INFO);
	assert_string_equal(conf->inbound_listen, "");
	assert_int_equal(conf->max_body, 1024 * 1024);
	assert_int_equal(conf->n_allow_uids, 0);
	assert_int_equal(conf->n_allow_gids, 0);
	config_free(conf);
	free(exp);
	free(path);
}

static void
test_every_type(void **state)
{
	char		*path, *cause = NULL, *db;
	struct config	*conf;

	path = write_conf(
	    "[daemon]\n"
	    "state_dir = st\n"			/* path, relative */
	    "socket = /run/x/s.sock\n"		/* path, absolute */
	    "timezone = Europe/Paris\n"		/* tz */
	    "language = nl\n"			/* enum */
	    "log_level = debug\n"		/* log level */
	    "inbound_listen = \"[::1]:8480\"\n"	/* listen, quoted */
	    "public_url = https://a.example/x\n"	/* url */
	    "[crypto]\n"
	    "key_file = ./k/../master.key\n"
	    "[api]\n"
	    "allow_uids = 0, 1000 root\n"	/* ids and names */
	    "allow_gids = 0\n"
	    "max_body = 64K\n");		/* size */
	conf = config_load(path, &cause);
	if (conf == NULL)
		fail_msg("%s", cause);
	assert_int_equal(strncmp(conf->state_dir, "/tmp/test_config.", 17), 0);
	assert_non_null(strstr(conf->state_dir, "/st"));
	assert_string_equal(conf->socket, "/run/x/s.sock");
	assert_string_equal(conf->timezone, "Europe/Paris");
	assert_string_equal(conf->language, "nl");
	assert_int_equal(conf->log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(conf->inbound_listen, "[::1]:8480");
	assert_string_equal(conf->public_url, "https://a.example/x");
	assert_null(strstr(conf->key_file, ".."));
	assert_non_null(strstr(conf->key_file, "/master.key"));
	assert_int_equal(conf->n_allow_uids, 3);
	assert_int_equal(conf->allow_uids[1], 1000);
	assert_int_equal(conf->allow_uids[2], 0);
	assert_int_equal(conf->n_allow_gids, 1);
	assert_int_equal(conf->max_body, 64 * 1024);
	db = config_db_path(conf);
	assert_non_null(strstr(db, "/st/stoppvif.db"));
	free(db);
	config_free(conf);
	free(path);
}

static void
test_each_error(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "[daemon]\nbogus = 1\n", ":2: bogus: unknown key in [daemon]" },
		{ "[nope]\nx = 1\n", ":1: unknown section [nope]" },
		{ "[daemon\n", ":1: section header without a closing ]" },
		{ "[daemon]\njust words\n", ":2: expected \"key = value\"" },
		{ "language = fr\n", ":1: key outside any section" },
		{ "[daemon]\nlanguage = it\n",
		    ":2: language: \"it\" is not one of fr, nl, de, en" },
		{ "[daemon]\nlog_level = loud\n",
		    ":2: log_level: \"loud\" is not one of warn, info, debug" },
		{ "[daemon]\ntimezone = Mars/Olympus\n",
		    ":2: timezone: unknown time zone \"Mars/Olympus\"" },
		{ "[daemon]\ntimezone = ../etc/passwd\n",
		    ":2: timezone: not a time zone name" },
		{ "[daemon]\ninbound_listen = 8480\n",
		    ":2: inbound_listen: expected address:port" },
		{ "[daemon]\ninbound_listen = 127.0.0.1:99999\n",
		    ":2: inbound_listen: port must be a number from 1 to 65535" },
		{ "[daemon]\npublic_url = ftp://x\n",
		    ":2: public_url: expected an http:// or https:// URL" },
		{ "[daemon]\nstate_dir =\n", ":2: state_dir: a path is needed" },
		{ "[api]\nallow_uids = nosuchuser_xyz\n",
		    ":2: allow_uids: no user named \"nosuchuser_xyz\"" },
		{ "[api]\nallow_gids = nosuchgroup_xyz\n",
		    ":2: allow_gids: no group named \"nosuchgroup_xyz\"" },
		{ "[api]\nmax_body = 12\n",
		    ":2: max_body: expected a size from 1024 to" },
		{ "[api]\nmax_body = 1G\n", ":2: max_body: expected a size" },
		{ "[api]\nmax_body = 99999999999999M\n",
		    ":2: max_body: expected a size" },
		{ "[daemon]\ninbound_listen = foo:80\n",
		    ":2: inbound_listen: expected an IPv4 address" },
		{ "[daemon]\npublic_url = https://"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "\nlanguage = xx\n",
		    ":2: line longer than 198 characters" },
		{ "[daemon]\nlanguage = fr\nlanguage = nl\n",
		    ":3: language: set twice (first on line 2)" },
		{ "[delivery]\nquiet_hours = 25:00-08:00\n",
		    ":2: quiet_hours: expected HH:MM-HH:MM, such as 21:00-08:00" },
		{ "[delivery]\nmax_attempts = 0\n",
		    ":2: max_attempts: expected a number from 1 to 1000" },
		{ "[delivery]\nmax_age = 10s\n",
		    ":2: max_age: expected a duration from 60s to 2592000s" },
		{ "[inbound]\nsms_listen = 10.0.0.1:8481\n",
		    ":2: sms_listen: the SMS gateway must reach it" },
		{ "[daemon]\nsender_name = "
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		    ":2: sender_name: at most 40 characters" },
		{ "[channel.email]\nfrom = a\nfrom = b\n",
		    ":3: from: set twice (first on line 2)" },
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

/*
 * [daemon] user and [crypto] key_file: the built-in key outside the state
 * folder, a credential name kept as written; a user that does not exist,
 * root, and credential names that would leave the folder are refused.
 */
static void
test_user_and_key_file(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} bad[] = {
		{ "[daemon]\nuser = nosuchuser_xyz\n",
		    ":2: user: aucun utilisateur « nosuchuser_xyz »" },
		{ "[daemon]\nuser = root\n", ":2: user: « root » a l'uid 0" },
		{ "[crypto]\nkey_file = credential:\n",
		    ":2: key_file: credential: doit être suivi" },
		{ "[crypto]\nkey_file = credential:../master.key\n",
		    ":2: key_file: credential: doit être suivi" },
		{ "[crypto]\nkey_file = credential:..\n",
		    ":2: key_file: credential: doit être suivi" },
	};
	char		*path, *cause = NULL;
	struct config	*conf;
	size_t		 i;

	path = write_conf("; empty\n");
	conf = config_load(path, &cause);
	assert_non_null(conf);
	assert_string_equal(conf->user, "");
	assert_string_equal(conf->key_file, "/var/lib/stoppvif-key/master.key");
	config_free(conf);
	free(path);
	path = write_conf("[daemon]\nuser = nobody\n"
	    "[crypto]\nkey_file = credential:master.key\n");
	if ((conf = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_string_equal(conf->user, "nobody");
	assert_string_equal(conf->key_file, "credential:master.key");
	config_free(conf);
	free(path);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = load_bad(bad[i].text);
		has(cause, bad[i].want);
		free(cause);
	}
}

static void
test_all_errors_reported(void **state)
{
	char	*cause = load_bad(
	    "[daemon]\n"
	    "language = xx\n"
	    "bogus = 1\n"
	    "; fine\n"
	    "log_level = loud\n");
	size_t	 lines = 1;
	char	*p;

	has(cause, ":2: language:");
	has(cause, ":3: bogus:");
	has(cause, ":5: log_level:");
	for (p = cause; *p != '\0'; p++)
		if (*p == '\n')
			lines++;
	assert_int_equal(lines, 3);
	free(cause);
}

static void
test_bom_and_long_line_numbers(void **state)
{
	char	*cause;

	/* a byte order mark is skipped; a long line keeps later numbers */
	cause = load_bad("\xef\xbb\xbf[daemon]\n; "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "\nlanguage = xx\n");
	has(cause, ":2: line longer");
	has(cause, ":3: language:");
	assert_null(strstr(cause, ":1:"));
	free(cause);
}

static void
test_missing_file(void **state)
{
	char		*cause = NULL;
	struct config	*conf = config_load("/nonexistent/x.ini", &cause);

	assert_null(conf);
	has(cause, "/nonexistent/x.ini: cannot read");
	free(cause);
}

static void
test_reloadable(void **state)
{
	char		*path, *cause = NULL;
	struct config	*a, *b;

	path = write_conf("[daemon]\nlanguage = fr\n");
	a = config_load(path, &cause);
	free(path);
	path = write_conf("[daemon]\nlanguage = de\nlog_level = debug\n"
	    "[api]\nallow_uids = 0\n");
	b = config_load(path, &cause);
	assert_int_equal(config_reloadable(a, b, &cause), 0);
	config_free(b);
	free(path);
	path = write_conf("[daemon]\nstate_dir = /elsewhere\n"
	    "socket = /x.sock\n[api]\nmax_body = 2M\n");
	b = config_load(path, &cause);
	assert_int_equal(config_reloadable(a, b, &cause), -1);
	has(cause, "[daemon] state_dir");
	has(cause, "[daemon] socket");
	has(cause, "[api] max_body");
	has(cause, "cannot change without a restart");
	free(cause);
	config_free(a);
	config_free(b);
	free(path);
}

/* The same file twice: every kind of value compares equal to itself. */
static void
test_reload_same(void **state)
{
	char		*path, *cause = NULL;
	struct config	*a, *b;

	path = write_conf("[daemon]\nstate_dir = /s\nlog_level = warn\n"
	    "inbound_listen = 127.0.0.1:8480\n"
	    "[delivery]\nquiet_hours = 21:00-08:00\nmax_age = 1d\n"
	    "[api]\nallow_uids = 0\nallow_gids = 0\nmax_body = 2M\n"
	    "[channel.email]\nfrom = x <a@b.example>\n"
	    "[shelter.north]\nbeds = 4\n");
	a = config_load(path, &cause);
	if (a == NULL)
		fail_msg("%s", cause);
	b = config_load(path, &cause);
	assert_non_null(b);
	assert_int_equal(config_reloadable(a, b, &cause), 0);
	assert_string_equal(a->quiet_hours, "21:00-08:00");
	assert_int_equal(a->max_age, 86400);
	assert_int_equal(a->log_level, LOG_LEVEL_WARN);
	assert_string_equal(config_kv(config_channel(a, "email"), "from",
	    NULL), "x <a@b.example>");
	assert_int_equal(a->nshelters, 1);
	assert_string_equal(config_kv(&a->shelters[0], "beds", NULL), "4");
	config_free(a);
	config_free(b);
	free(path);
}

static int
teardown(void **state)
{
	char	*path;

	xasprintf(&path, "%s/stoppvif.ini", tmpdir);
	unlink(path);
	free(path);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_each_error),
		cmocka_unit_test(test_user_and_key_file),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_bom_and_long_line_numbers),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_reloadable),
		cmocka_unit_test(test_reload_same),
	};

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, teardown);
}
