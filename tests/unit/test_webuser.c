/*
 * test_webuser.c: the web console's accounts over a real database: names
 * folded and refused, passwords refused (short, long, not UTF-8, the
 * name), roles and the person rules, replace, checks right, wrong and
 * unknown, the hash being Argon2id, the password nowhere in the database
 * files, and an erased person leaving no id behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "crypt.h"
#include "error.h"
#include "people.h"
#include "store.h"
#include "util.h"
#include "webuser.h"

#include "unit_env.h"

#define PASS	"correct horse battery"

struct env {
	char			*dir;
	char			*db;
	struct store		*st;
	struct crypt_key	*master;
	int64_t			 person;
};

static int
setup(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);

	*state = e;
	e->dir = unit_tmpdir("test_webuser");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	xasprintf(&e->db, "%s/stoppvif.db", e->dir);
	e->person = unit_person(e->st, e->master, "{\"name\": \"Alice\","
	    " \"roles\": [\"oncall\"], \"email\": \"alice@example.be\"}");
	return 0;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->dir);
	free(e->db);
	free(e);
	return 0;
}

/* webuser_add of the JSON text req in a transaction; 0 or -1 with *err
 * (cleared first). */
static int
add(struct env *e, const char *req, int64_t *id, struct error *err)
{
	json_t	*o = json_loads(req, JSON_ALLOW_NUL, NULL);
	char	*cause = NULL;
	int64_t	 dummy;
	int	 rc;

	if (o == NULL)
		fail_msg("bad JSON in the test: %s", req);
	error_clear(err);
	assert_int_equal(store_begin(e->st, &cause), 0);
	rc = webuser_add(e->st, o, id != NULL ? id : &dummy, err);
	if (rc == 0)
		assert_int_equal(store_commit(e->st, &cause), 0);
	else
		store_rollback(e->st);
	json_decref(o);
	return rc;
}

/* Refused with kind and field, the message holding want (NULL: any). */
static void
refused(struct env *e, const char *req, enum error_kind kind,
    const char *field, const char *want)
{
	struct error	 err = { ERR_NONE, NULL, NULL };

	if (add(e, req, NULL, &err) == 0)
		fail_msg("accepted: %s", req);
	unit_error_is(&err, kind, field);
	if (want != NULL && strstr(err.message, want) == NULL)
		fail_msg("%s: message « %s » lacks « %s »", req, err.message,
		    want);
	/* no message repeats a password of the request */
	assert_null(strstr(err.message, "horse"));
	error_clear(&err);
}

static int64_t
accounts(struct env *e)
{
	return unit_int(e->st, "SELECT count(*) FROM web_users", 0);
}

/* Clumsy user: names that are not names are refused; case is folded. */
static void
test_names(void **state)
{
	struct env	*e = *state;
	struct error	 err = { ERR_NONE, NULL, NULL };
	const char	*bad[] = {
		"", ".x", "..", "-a", "_a", "<script>", "\\u00e9",
		"marie dupont", "a/b", "a\\u0000b", "é",
		"abcdefghijabcdefghijabcdefghijabc",	/* 33 */
	};
	char		 req[256], *name;
	size_t		 i;
	int64_t		 id;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(req, sizeof req, "{\"name\": \"%s\", \"role\": "
		    "\"viewer\", \"password\": \"" PASS "\"}", bad[i]);
		refused(e, req, ERR_INVALID, "name", "lettres a-z, chiffres, "
		    ". _ - (32 au plus), sans espace ni accent");
	}
	refused(e, "{\"role\": \"viewer\", \"password\": \"" PASS "\"}",
	    ERR_INVALID, "name", "manquant");
	refused(e, "{\"name\": 12, \"role\": \"viewer\", \"password\": \""
	    PASS "\"}", ERR_INVALID, "name", NULL);
	assert_int_equal(accounts(e), 0);

	/* 32 bytes, and the allowed punctuation after the first */
	assert_int_equal(add(e, "{\"name\": \"abcdefghijabcdefghijabcdefghij"
	    "ab\", \"role\": \"viewer\", \"password\": \"" PASS "\"}", &id,
	    &err), 0);
	assert_int_equal(add(e, "{\"name\": \"Marie.Du_Pont-2\", \"role\": "
	    "\"viewer\", \"password\": \"" PASS "\"}", &id, &err), 0);
	name = unit_text(e->st, "SELECT name FROM web_users WHERE id = ?", id);
	assert_string_equal(name, "marie.du_pont-2");
	free(name);
	/* the folded name is the same account */
	refused(e, "{\"name\": \"MARIE.DU_PONT-2\", \"role\": \"viewer\", "
	    "\"password\": \"" PASS "\"}", ERR_CONFLICT, "name",
	    "le compte marie.du_pont-2 existe déjà : stoppvifctl web user "
	    "passwd marie.du_pont-2 pour changer son mot de passe");
	refused(e, "{\"name\": \"zoe\", \"role\": \"viewer\", \"password\": \""
	    PASS "\", \"admin\": true}", ERR_INVALID, "admin", "inconnu");
	error_clear(&err);
}

/* Clumsy user and attacker: passwords refused, never echoed. */
static void
test_passwords(void **state)
{
	struct env	*e = *state;
	struct error	 err = { ERR_NONE, NULL, NULL };
	json_t		*o;
	int64_t		 id;
	char		*cause = NULL;

	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\"}", ERR_INVALID,
	    "password", "manquant");
	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\", \"password\": "
	    "\"\"}", ERR_INVALID, "password", "manquant");
	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\", \"password\": "
	    "\"123456789\"}", ERR_INVALID, "password", "10 caractères");
	/* nine characters of two bytes: 18 bytes, still too short */
	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\", \"password\": "
	    "\"ééééééééé\"}", ERR_INVALID, "password", "10 caractères");
	/* ten such characters are enough */
	assert_int_equal(add(e, "{\"name\": \"marie\", \"role\": \"viewer\", "
	    "\"password\": \"éééééééééé\"}", &id, &err), 0);
	/* bytes that are not UTF-8 (a caller building JSON without checks) */
	o = json_pack("{ss ss}", "name", "zoe", "role", "viewer");
	json_object_set_new(o, "password",
	    json_string_nocheck("abcdefghij\xff\xfe"));
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(webuser_add(e->st, o, &id, &err), -1);
	store_rollback(e->st);
	unit_error_is(&err, ERR_INVALID, "password");
	assert_non_null(strstr(err.message, "UTF-8"));
	json_decref(o);
	assert_int_equal(accounts(e), 1);
	error_clear(&err);
}

/* A password equal to the name (any case) is refused, not a NUL inside. */
static void
test_password_rules(void **state)
{
	struct env	*e = *state;
	char		 req[1024], big[WEBUSER_PASS_MAX + 2];

	refused(e, "{\"name\": \"marie.dupont\", \"role\": \"viewer\", "
	    "\"password\": \"Marie.Dupont\"}", ERR_INVALID, "password",
	    "nom du compte");
	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\", \"password\": "
	    "\"abcdefghij\\u0000klm\"}", ERR_INVALID, "password", NULL);
	refused(e, "{\"name\": \"marie\", \"role\": \"viewer\", \"password\": "
	    "42}", ERR_INVALID, "password", NULL);
	memset(big, 'x', WEBUSER_PASS_MAX + 1);
	big[WEBUSER_PASS_MAX + 1] = '\0';
	snprintf(req, sizeof req, "{\"name\": \"marie\", \"role\": \"viewer\","
	    " \"password\": \"%s\"}", big);
	refused(e, req, ERR_INVALID, "password", "256 octets");
	/* exactly the maximum is taken */
	big[WEBUSER_PASS_MAX] = '\0';
	snprintf(req, sizeof req, "{\"name\": \"marie\", \"role\": \"viewer\","
	    " \"password\": \"%s\"}", big);
	{
		struct error	 err = { ERR_NONE, NULL, NULL };

		assert_int_equal(add(e, req, NULL, &err), 0);
	}
	assert_int_equal(accounts(e), 1);
}

/* Roles and persons: oncall needs an existing person. */
static void
test_roles_person(void **state)
{
	struct env	*e = *state;
	struct error	 err = { ERR_NONE, NULL, NULL };
	struct webuser	 u;
	char		 req[512], *cause = NULL;
	int64_t		 id, id2, bob;

	assert_int_equal(webuser_role_parse("viewer"), WEB_ROLE_VIEWER);
	assert_int_equal(webuser_role_parse("oncall"), WEB_ROLE_ONCALL);
	assert_int_equal(webuser_role_parse("coordinator"),
	    WEB_ROLE_COORDINATOR);
	assert_int_equal(webuser_role_parse("admin"), -1);
	assert_int_equal(webuser_role_parse("none"), -1);
	assert_int_equal(webuser_role_parse("Viewer"), -1);
	assert_string_equal(webuser_role_name(WEB_ROLE_ONCALL), "oncall");
	assert_string_equal(webuser_role_name((enum web_role)99), "none");

	refused(e, "{\"name\": \"bob\", \"role\": \"admin\", \"password\": \""
	    PASS "\"}", ERR_INVALID, "role", "coordinator, oncall ou viewer");
	refused(e, "{\"name\": \"bob\", \"password\": \"" PASS "\"}",
	    ERR_INVALID, "role", "manquant");
	refused(e, "{\"name\": \"bob\", \"role\": \"oncall\", \"password\": \""
	    PASS "\"}", ERR_INVALID, "person", "--person");
	refused(e, "{\"name\": \"bob\", \"role\": \"oncall\", \"person\": 999,"
	    " \"password\": \"" PASS "\"}", ERR_NOT_FOUND, "person", "999");
	refused(e, "{\"name\": \"bob\", \"role\": \"oncall\", \"person\": "
	    "\"1\", \"password\": \"" PASS "\"}", ERR_INVALID, "person", NULL);
	refused(e, "{\"name\": \"bob\", \"role\": \"oncall\", \"person\": -1,"
	    " \"password\": \"" PASS "\"}", ERR_INVALID, "person", NULL);
	refused(e, "{\"name\": \"bob\", \"role\": \"viewer\", \"lang\": "
	    "\"xx\", \"password\": \"" PASS "\"}", ERR_INVALID, "lang",
	    "fr, nl, de");
	refused(e, "{\"name\": \"bob\", \"role\": \"viewer\", \"replace\": 1,"
	    " \"password\": \"" PASS "\"}", ERR_INVALID, "replace", NULL);
	assert_int_equal(accounts(e), 0);

	snprintf(req, sizeof req, "{\"name\": \"bob\", \"role\": \"oncall\", "
	    "\"person\": %lld, \"lang\": \"nl\", \"password\": \"" PASS "\"}",
	    (long long)e->person);
	assert_int_equal(add(e, req, &id, &err), 0);
	bob = id;
	assert_int_equal(webuser_get(e->st, id, &u, &cause), 1);
	assert_string_equal(u.name, "bob");
	assert_int_equal(u.role, WEB_ROLE_ONCALL);
	assert_int_equal(u.person, e->person);
	assert_string_equal(u.lang, "nl");
	assert_int_equal(webuser_get(e->st, id + 100, &u, &cause), 0);

	/* the default language is French */
	assert_int_equal(add(e, "{\"name\": \"cleo\", \"role\": \"viewer\", "
	    "\"password\": \"" PASS "\"}", &id, &err), 0);
	assert_int_equal(webuser_get(e->st, id, &u, &cause), 1);
	assert_string_equal(u.lang, "fr");
	assert_int_equal(u.person, 0);

	/* a coordinator acting as the same person */
	snprintf(req, sizeof req, "{\"name\": \"dan\", \"role\": "
	    "\"coordinator\", \"person\": %lld, \"password\": \"" PASS "\"}",
	    (long long)e->person);
	assert_int_equal(add(e, req, &id2, &err), 0);

	/* erasing the person leaves no dangling id, and no oncall account
	 * without its person */
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(people_remove(e->st, e->person, &err), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM web_users"
	    " WHERE person IS NOT NULL", 0), 0);
	assert_int_equal(webuser_get(e->st, bob, &u, &cause), 1);
	assert_int_equal(u.role, WEB_ROLE_VIEWER);
	assert_int_equal(u.person, 0);
	assert_int_equal(webuser_get(e->st, id2, &u, &cause), 1);
	assert_int_equal(u.role, WEB_ROLE_COORDINATOR);
	error_clear(&err);
}

/* Check: right, wrong, unknown, malformed; replace changes it. */
static void
test_check_replace(void **state)
{
	struct env	*e = *state;
	struct error	 err = { ERR_NONE, NULL, NULL };
	struct webuser	 u;
	char		*cause = NULL, *last;
	char		 bad[4] = { 'a', (char)0xff, 'b', 0 };
	int64_t		 id, id2;
	json_t		*list;

	assert_int_equal(add(e, "{\"name\": \"Marie\", \"role\": "
	    "\"coordinator\", \"password\": \"" PASS "\"}", &id, &err), 0);
	assert_null(unit_text(e->st, "SELECT last_login FROM web_users"
	    " WHERE id = ?", id));
	assert_int_equal(webuser_check(e->st, "marie", PASS, &u, &cause), 1);
	assert_int_equal(u.id, id);
	assert_int_equal(u.role, WEB_ROLE_COORDINATOR);
	assert_string_equal(u.name, "marie");
	last = unit_text(e->st, "SELECT last_login FROM web_users"
	    " WHERE id = ?", id);
	assert_non_null(last);
	assert_int_equal(strlen(last), 20);	/* 2026-12-07T06:00:00Z */
	free(last);
	assert_int_equal(webuser_check(e->st, "MARIE", PASS, &u, &cause), 1);
	assert_int_equal(webuser_check(e->st, "marie", "Correct horse battery",
	    &u, &cause), 0);
	assert_int_equal(webuser_check(e->st, "marie", "", &u, &cause), 0);
	assert_int_equal(webuser_check(e->st, "nobody", PASS, &u, &cause), 0);
	assert_int_equal(u.id, 0);
	assert_int_equal(webuser_check(e->st, bad, PASS, &u, &cause), 0);
	assert_int_equal(webuser_check(e->st, "marie", bad, &u, &cause), 0);
	assert_int_equal(webuser_check(e->st, "", PASS, &u, &cause), 0);
	/* inside an open transaction, it writes in that one */
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(webuser_check(e->st, "marie", PASS, &u, &cause), 1);
	assert_int_equal(store_commit(e->st, &cause), 0);

	/* replace: a new password and role, the same id */
	assert_int_equal(add(e, "{\"name\": \"marie\", \"role\": \"viewer\", "
	    "\"password\": \"une autre phrase\", \"replace\": true}", &id2,
	    &err), 0);
	assert_int_equal(id2, id);
	assert_int_equal(webuser_check(e->st, "marie", PASS, &u, &cause), 0);
	assert_int_equal(webuser_check(e->st, "marie", "une autre phrase", &u,
	    &cause), 1);
	assert_int_equal(u.role, WEB_ROLE_VIEWER);
	/* replace of an account that does not exist creates nothing */
	refused(e, "{\"name\": \"ghost\", \"role\": \"viewer\", \"password\": "
	    "\"" PASS "\", \"replace\": true}", ERR_NOT_FOUND, "name", NULL);

	list = webuser_list(e->st, &err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "name")), "marie");
	assert_true(json_is_string(json_object_get(json_array_get(list, 0),
	    "last_login")));
	assert_null(json_object_get(json_array_get(list, 0), "hash"));
	json_decref(list);

	/* remove, any case; then the name no longer logs in */
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(webuser_remove(e->st, "MaRie", &err), 0);
	assert_int_equal(webuser_remove(e->st, "marie", &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "name");
	error_clear(&err);
	assert_int_equal(webuser_remove(e->st, bad, &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "name");
	assert_non_null(strstr(err.message, "« ? »"));
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_int_equal(webuser_check(e->st, "marie", "une autre phrase", &u,
	    &cause), 0);
	error_clear(&err);
}

/* Attacker: the hash is Argon2id and the password is nowhere at rest. */
static void
test_at_rest(void **state)
{
	struct env	*e = *state;
	struct error	 err = { ERR_NONE, NULL, NULL };
	char		*hash, *cause = NULL;
	int64_t		 id;

	assert_int_equal(add(e, "{\"name\": \"paul\", \"role\": \"viewer\", "
	    "\"password\": \"Zyx-secret-9431-passe\"}", &id, &err), 0);
	hash = unit_text(e->st, "SELECT hash FROM web_users WHERE id = ?", id);
	assert_non_null(hash);
	assert_memory_equal(hash, "$argon2id$", 10);
	free(hash);
	assert_false(unit_db_has(e->db, "Zyx-secret-9431-passe"));
	assert_int_equal(store_checkpoint(e->st, &cause), 0);
	assert_false(unit_db_has(e->db, "Zyx-secret-9431-passe"));
	assert_true(unit_db_has(e->db, "$argon2id$"));
	error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passwords, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_password_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roles_person, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_replace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_at_rest, setup,
		    teardown),
	};

	log_init("test_webuser", 0, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
