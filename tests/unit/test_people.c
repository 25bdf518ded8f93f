/*
 * test_people.c: the directory over a real database and a real master key:
 * add, read, edit, list by role and erase a person; every field refused
 * with the right error kind and field name; names and contact details
 * sealed at rest (the raw rows and the database files never hold them in
 * clear); erasing destroys the data key.
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
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sodium.h>
#include <sqlite3.h>

#include "crypt.h"
#include "error.h"
#include "people.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

#define ALICE	"{\"name\": \"Alice Dumoulin\", \"roles\": [\"referent\"]," \
		" \"commune\": \"Namur\", \"org\": \"CPAS\"," \
		" \"email\": \"alice.dumoulin@example.be\"," \
		" \"phone\": \"0470 12 34 56\", \"lang\": \"nl\"}"

struct env {
	char			*dir;
	char			*db;
	struct store		*st;
	struct crypt_key	*master;
};

/*
 * The test's world, in *state at once: a failure on the way still gets
 * it torn down (a failing setup would leave its folder behind).
 */
static struct env *
env_open(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);

	*state = e;
	e->dir = unit_tmpdir("test_people");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	xasprintf(&e->db, "%s/stoppvif.db", e->dir);
	return e;
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

/* A field of o as a string, "" when it is not one. */
static const char *
str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* people_add of json inside a transaction: 0 or -1 with *err set. */
static int
try_add(struct env *e, const char *json, int64_t *id, struct error *err)
{
	json_t	*req = json_loads(json, 0, NULL);
	char	*cause = NULL;
	int	 rc;

	assert_non_null(req);
	assert_int_equal(store_begin(e->st, &cause), 0);
	rc = people_add(e->st, e->master, req, "fr", id, err);
	if (rc == 0)
		assert_int_equal(store_commit(e->st, &cause), 0);
	else
		store_rollback(e->st);
	json_decref(req);
	return rc;
}

static int
try_edit(struct env *e, int64_t id, const char *json, struct error *err)
{
	json_t	*req = json_loads(json, 0, NULL);
	char	*cause = NULL;
	int	 rc;

	assert_non_null(req);
	assert_int_equal(store_begin(e->st, &cause), 0);
	rc = people_edit(e->st, e->master, id, req, err);
	if (rc == 0)
		assert_int_equal(store_commit(e->st, &cause), 0);
	else
		store_rollback(e->st);
	json_decref(req);
	return rc;
}

static int
try_remove(struct env *e, int64_t id, struct error *err)
{
	char	*cause = NULL;
	int	 rc;

	assert_int_equal(store_begin(e->st, &cause), 0);
	rc = people_remove(e->st, id, err);
	if (rc == 0)
		assert_int_equal(store_commit(e->st, &cause), 0);
	else
		store_rollback(e->st);
	return rc;
}

/* Added and read back: normalised, every field there. */
static void
test_add_get(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { 0 };
	int64_t		 id = unit_person(e->st, e->master, ALICE);
	json_t		*o;

	assert_int_equal(people_count(e->st), 1);
	assert_true(people_exists(e->st, id));
	assert_false(people_exists(e->st, id + 1));
	o = people_get(e->st, e->master, id, &err);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), id);
	assert_string_equal(str(o, "name"), "Alice Dumoulin");
	assert_string_equal(str(o, "email"), "alice.dumoulin@example.be");
	assert_string_equal(str(o, "phone"), "+32470123456");	/* E.164 */
	assert_string_equal(str(o, "commune"), "Namur");
	assert_string_equal(str(o, "org"), "CPAS");
	assert_string_equal(str(o, "lang"), "nl");
	assert_int_equal(json_array_size(json_object_get(o, "roles")), 1);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "roles"), 0)), "referent");
	json_decref(o);

	/* lang defaults to the daemon's */
	id = unit_person(e->st, e->master, "{\"name\": \"Bob\","
	    " \"roles\": \"platform, oncall\"}");
	o = people_get(e->st, e->master, id, &err);
	assert_non_null(o);
	assert_string_equal(str(o, "lang"), "fr");
	assert_true(json_is_null(json_object_get(o, "email")));
	assert_true(json_is_null(json_object_get(o, "phone")));
	assert_int_equal(json_array_size(json_object_get(o, "roles")), 2);
	json_decref(o);

	assert_null(people_get(e->st, e->master, 999, &err));
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);
}

static const struct {
	const char	*json;
	enum error_kind	 kind;
	const char	*field;
} refusals[] = {
	{ "{\"name\": \"A\", \"roles\": [\"referent\"], \"phone\": \"12\"}",
	    ERR_INVALID, "phone" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"],"
	    " \"phone\": \"0470 12 34 5x\"}", ERR_INVALID, "phone" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"],"
	    " \"email\": \"not an address\"}", ERR_INVALID, "email" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"],"
	    " \"email\": \"a@b@c.be\"}", ERR_INVALID, "email" },
	{ "{\"name\": \"A\", \"roles\": [\"wizard\"]}", ERR_INVALID, "roles" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\", \"wizard\"]}",
	    ERR_INVALID, "roles" },
	{ "{\"name\": \"A\", \"roles\": []}", ERR_INVALID, "roles" },
	{ "{\"name\": \"A\", \"roles\": 3}", ERR_INVALID, "roles" },
	{ "{\"name\": \"A\"}", ERR_INVALID, "roles" },
	{ "{\"roles\": [\"referent\"]}", ERR_INVALID, "name" },
	{ "{\"name\": \"\", \"roles\": [\"referent\"]}", ERR_INVALID, "name" },
	{ "{\"name\": 12, \"roles\": [\"referent\"]}", ERR_INVALID, "name" },
	{ "{\"name\": \"A\\u0007B\", \"roles\": [\"referent\"]}", ERR_INVALID,
	    "name" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"], \"lang\": \"xx\"}",
	    ERR_INVALID, "lang" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"],"
	    " \"quiet_hours\": \"late\"}", ERR_INVALID, "quiet_hours" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"], \"pubkey\": \"abc\"}",
	    ERR_INVALID, "pubkey" },
	{ "{\"name\": \"A\", \"roles\": [\"referent\"], \"shoe\": \"42\"}",
	    ERR_INVALID, "shoe" },
	{ "[\"name\", \"A\"]", ERR_INVALID, NULL },
};

/* Every bad field: refused with its kind and name, and nothing written. */
static void
test_add_refused(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { 0 };
	int64_t		 id;
	size_t		 i;

	for (i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		id = 0;
		if (try_add(e, refusals[i].json, &id, &err) != -1)
			fail_msg("accepted: %s", refusals[i].json);
		unit_error_is(&err, refusals[i].kind, refusals[i].field);
		error_clear(&err);
		assert_null(err.message);
	}
	assert_int_equal(people_count(e->st), 0);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM people", 0), 0);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM person_keys",
	    0), 0);
}

/* The name, email and phone never lie in clear in the database. */
static void
test_sealed_at_rest(void **state)
{
	struct env	*e = env_open(state);
	const char	*cols[] = { "name", "email", "phone" };
	const char	*clear[] = { "Alice Dumoulin",
			    "alice.dumoulin@example.be", "+32470123456" };
	int64_t		 id = unit_person(e->st, e->master, ALICE);
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	const void	*blob;
	uint8_t		*pt;
	size_t		 ptlen, i;
	int		 n;
	struct crypt_key *dk;
	char		*cause = NULL;

	/* the data key opens the raw column, bound to its column and row */
	dk = people_data_key(e->st, e->master, id, &cause);
	assert_non_null(dk);

	/* the daemon holds its database exclusively: close, then read raw */
	store_close(e->st);
	e->st = NULL;
	assert_int_equal(sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, email, phone,"
	    " commune FROM people WHERE id = ?", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sqlite3_column_type(stmt, (int)i),
		    SQLITE_BLOB);
		blob = sqlite3_column_blob(stmt, (int)i);
		n = sqlite3_column_bytes(stmt, (int)i);
		assert_int_equal(n, strlen(clear[i]) + CRYPT_OVERHEAD);
		assert_int_equal(((const uint8_t *)blob)[0], CRYPT_V1);
		assert_null(memmem(blob, (size_t)n, clear[i],
		    strlen(clear[i])));
		assert_int_equal(crypt_open(dk, "people", cols[i], id, blob,
		    (size_t)n, &pt, &ptlen, &cause), 0);
		assert_int_equal(ptlen, strlen(clear[i]));
		assert_memory_equal(pt, clear[i], ptlen);
		free(pt);
		/* bound to the column: the email's ciphertext is no phone */
		assert_int_equal(crypt_open(dk, "people", cols[(i + 1) % 3], id,
		    blob, (size_t)n, &pt, &ptlen, &cause), -1);
		free(cause);
		cause = NULL;
	}
	/* the commune is sealed too, under its own column name */
	assert_int_equal(sqlite3_column_type(stmt, 3), SQLITE_BLOB);
	assert_int_equal(crypt_open(dk, "people", "commune", id,
	    sqlite3_column_blob(stmt, 3), (size_t)sqlite3_column_bytes(stmt,
	    3), &pt, &ptlen, &cause), 0);
	assert_memory_equal(pt, "Namur", ptlen);
	free(pt);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	crypt_key_free(dk);

	/* nowhere in the files either, in any form the user typed */
	assert_false(unit_db_has(e->db, "alice.dumoulin@example.be"));
	assert_false(unit_db_has(e->db, "+32470123456"));
	assert_false(unit_db_has(e->db, "470 12 34 56"));
	assert_false(unit_db_has(e->db, "Dumoulin"));
	assert_false(unit_db_has(e->db, "Namur"));
	assert_true(unit_db_has(e->db, "referent"));	/* the check can see */
	e->st = unit_store(e->dir, "stoppvif.db");
}

/* Another master key opens nothing. */
static void
test_wrong_master(void **state)
{
	struct env		*e = env_open(state);
	struct error		 err = { 0 };
	struct crypt_key	*other = crypt_key_random();
	int64_t			 id = unit_person(e->st, e->master, ALICE);
	char			*cause = NULL;

	assert_null(people_get(e->st, other, id, &err));
	unit_error_is(&err, ERR_INTERNAL, NULL);
	error_clear(&err);
	assert_null(people_data_key(e->st, other, id, &cause));
	assert_non_null(cause);
	free(cause);
	crypt_key_free(other);
}

/* Edit changes what is given, clears "" and null, refuses bad values. */
static void
test_edit(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { 0 };
	int64_t		 id = unit_person(e->st, e->master, ALICE);
	json_t		*o;

	assert_int_equal(try_edit(e, id, "{\"phone\": \"+32 471 00 00 01\","
	    " \"org\": \"\", \"commune\": null, \"roles\": [\"oncall\","
	    " \"coordinator\"], \"quiet_hours\": \"22:00 - 7:30\"}", &err), 0);
	o = people_get(e->st, e->master, id, &err);
	assert_non_null(o);
	assert_string_equal(str(o, "phone"), "+32471000001");
	assert_string_equal(str(o, "email"), "alice.dumoulin@example.be");
	assert_string_equal(str(o, "name"), "Alice Dumoulin");
	assert_true(json_is_null(json_object_get(o, "org")));
	assert_true(json_is_null(json_object_get(o, "commune")));
	assert_string_equal(str(o, "quiet_hours"), "22:00-07:30");
	assert_int_equal(json_array_size(json_object_get(o, "roles")), 2);
	json_decref(o);
	assert_false(unit_db_has(e->db, "+32471000001"));

	/* a bad phone on edit: refused, the old one kept */
	assert_int_equal(try_edit(e, id, "{\"phone\": \"call me\"}", &err), -1);
	unit_error_is(&err, ERR_INVALID, "phone");
	error_clear(&err);
	assert_int_equal(try_edit(e, id, "{\"roles\": [\"boss\"]}", &err), -1);
	unit_error_is(&err, ERR_INVALID, "roles");
	error_clear(&err);
	/* the name cannot be cleared */
	assert_int_equal(try_edit(e, id, "{\"name\": \"\"}", &err), -1);
	unit_error_is(&err, ERR_INVALID, "name");
	error_clear(&err);
	o = people_get(e->st, e->master, id, &err);
	assert_string_equal(str(o, "phone"), "+32471000001");
	assert_int_equal(json_array_size(json_object_get(o, "roles")), 2);
	json_decref(o);

	assert_int_equal(try_edit(e, 4242, "{\"org\": \"X\"}", &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);
}

/* Everyone, or only those with a role, by id. */
static void
test_list_by_role(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { 0 };
	int64_t		 a, b, c;
	json_t		*l;

	a = unit_person(e->st, e->master, "{\"name\": \"A\","
	    " \"roles\": [\"referent\", \"oncall\"]}");
	b = unit_person(e->st, e->master, "{\"name\": \"B\","
	    " \"roles\": [\"platform\"]}");
	c = unit_person(e->st, e->master, "{\"name\": \"C\","
	    " \"roles\": [\"oncall\"], \"email\": \"c@example.be\"}");

	l = people_list(e->st, e->master, NULL, &err);
	assert_int_equal(json_array_size(l), 3);
	json_decref(l);

	l = people_list(e->st, e->master, "oncall", &err);
	assert_non_null(l);
	assert_int_equal(json_array_size(l), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
	    0), "id")), a);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
	    1), "id")), c);
	assert_string_equal(str(json_array_get(l, 1), "email"),
	    "c@example.be");
	json_decref(l);

	l = people_list(e->st, e->master, "platform", &err);
	assert_int_equal(json_array_size(l), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
	    0), "id")), b);
	json_decref(l);

	l = people_list(e->st, e->master, "animator", &err);
	assert_non_null(l);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);

	assert_null(people_list(e->st, e->master, "wizard", &err));
	unit_error_is(&err, ERR_INVALID, "role");
	error_clear(&err);
}

/* What the dispatcher gets for one channel: only that channel's field. */
static void
test_contact(void **state)
{
	struct env		*e = env_open(state);
	struct people_contact	 pc;
	int64_t			 id = unit_person(e->st, e->master, ALICE);
	char			*cause = NULL;

	assert_int_equal(people_contact(e->st, e->master, id, "email", &pc,
	    &cause), 0);
	assert_string_equal(pc.addr, "alice.dumoulin@example.be");
	assert_string_equal(pc.name, "Alice Dumoulin");
	assert_string_equal(pc.lang, "nl");
	assert_non_null(pc.dk);
	people_contact_clear(&pc);
	assert_null(pc.addr);

	assert_int_equal(people_contact(e->st, e->master, id, "sms", &pc,
	    &cause), 0);
	assert_string_equal(pc.addr, "+32470123456");
	assert_null(pc.name);
	people_contact_clear(&pc);
}

/*
 * An EC certificate for address, valid from yesterday for days, in DER
 * (*len bytes, a new buffer).
 */
static uint8_t *
ec_cert(const char *address, long days, size_t *len)
{
	EVP_PKEY	*pk = EVP_EC_gen("P-256");
	X509		*x = X509_new();
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	unsigned char	*der = NULL;
	uint8_t		*out;
	char		*san;
	int		 n;

	assert_non_null(pk);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 3);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)"Alice", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	xasprintf(&san, "email:%s", address);
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	free(san);
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	out = xmalloc((size_t)n);
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(pk);
	return out;
}

/* {"smime_cert": base64 of der} as JSON text (new string). */
static char *
cert_req(const uint8_t *der, size_t len)
{
	size_t	 blen = sodium_base64_ENCODED_LEN(len,
		    sodium_base64_VARIANT_ORIGINAL);
	char	*b64 = xmalloc(blen), *json;

	sodium_bin2base64(b64, blen, der, len, sodium_base64_VARIANT_ORIGINAL);
	xasprintf(&json, "{\"smime_cert\": \"%s\"}", b64);
	free(b64);
	return json;
}

/*
 * The mail key: given by people_edit, handed to the dispatcher by
 * people_contact for email only, shown without material, erased.
 */
static void
test_contact_mail_key(void **state)
{
	struct env		*e = env_open(state);
	struct people_contact	 pc;
	struct error		 err = { ERR_NONE, NULL, NULL };
	int64_t			 id = unit_person(e->st, e->master, ALICE);
	uint8_t			*der;
	size_t			 len;
	char			*cause = NULL, *req;
	json_t			*p, *k;

	der = ec_cert("Alice.Dumoulin@example.be", 20, &len);
	req = cert_req(der, len);
	assert_int_equal(try_edit(e, id, req, &err), 0);
	free(req);
	assert_int_equal(people_contact(e->st, e->master, id, "email", &pc,
	    &cause), 0);
	assert_int_equal(pc.key_kind, MAILCRYPT_SMIME);
	assert_int_equal(pc.keylen, len);
	assert_memory_equal(pc.key, der, len);
	people_contact_clear(&pc);
	assert_null(pc.key);
	assert_int_equal(people_contact(e->st, e->master, id, "sms", &pc,
	    &cause), 0);
	assert_int_equal(pc.key_kind, 0);
	assert_null(pc.key);
	people_contact_clear(&pc);
	/* shown: kind, expiry, days; never the material */
	p = people_get(e->st, e->master, id, &err);
	k = json_object_get(p, "mail_key");
	assert_string_equal(str(k, "kind"), "smime");
	assert_int_equal(json_integer_value(json_object_get(k, "days_left")),
	    20);
	assert_null(json_object_get(k, "data"));
	json_decref(p);
	/* in the window of the warning; a viewer gets no name */
	p = people_mk_expiring(e->st, e->master, 0);
	assert_int_equal(json_array_size(p), 1);
	assert_null(json_object_get(json_array_get(p, 0), "name"));
	json_decref(p);
	p = people_mk_expiring(e->st, e->master, 1);
	assert_string_equal(str(json_array_get(p, 0), "name"),
	    "Alice Dumoulin");
	json_decref(p);
	free(der);
	/* another address: refused, the field named */
	der = ec_cert("bob@example.be", 20, &len);
	req = cert_req(der, len);
	assert_int_equal(try_edit(e, id, req, &err), -1);
	assert_int_equal(err.kind, ERR_INVALID);
	assert_string_equal(err.field, "smime_cert");
	error_clear(&err);
	free(req);
	free(der);
	/* erased with the person */
	assert_int_equal(try_remove(e, id, &err), 0);
	p = people_mk_expiring(e->st, e->master, 1);
	assert_int_equal(json_array_size(p), 0);
	json_decref(p);
}

/* Erase: the sealed fields and the data key gone, the id kept. */
static void
test_remove(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { 0 };
	struct people_contact pc;
	int64_t		 id, other;
	json_t		*l;
	char		*cause = NULL, lang[4];

	id = unit_person(e->st, e->master, ALICE);
	other = unit_person(e->st, e->master, "{\"name\": \"Bob\","
	    " \"roles\": [\"referent\"], \"phone\": \"0470 99 88 77\"}");
	assert_int_equal(try_remove(e, id, &err), 0);

	assert_null(people_get(e->st, e->master, id, &err));
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);
	assert_false(people_exists(e->st, id));
	assert_true(people_exists(e->st, other));
	assert_int_equal(people_count(e->st), 1);
	l = people_list(e->st, e->master, "referent", &err);
	assert_int_equal(json_array_size(l), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
	    0), "id")), other);
	json_decref(l);

	/* the row stays, emptied; its key is gone */
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM people"
	    " WHERE id = ?1 AND name IS NULL AND email IS NULL"
	    " AND phone IS NULL AND removed IS NOT NULL", id), 1);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM person_keys"
	    " WHERE person_id = ?1", id), 0);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM person_roles"
	    " WHERE person_id = ?1", id), 0);
	assert_null(people_data_key(e->st, e->master, id, &cause));
	free(cause);
	cause = NULL;
	assert_int_equal(people_contact(e->st, e->master, id, "email", &pc,
	    &cause), -1);
	assert_null(pc.addr);
	free(cause);
	cause = NULL;
	people_lang(e->st, id, lang, sizeof lang);
	assert_string_equal(lang, "nl");

	/* twice, or someone unknown: not found */
	assert_int_equal(try_remove(e, id, &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);
	assert_int_equal(try_remove(e, 777, &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);
	assert_int_equal(try_edit(e, id, "{\"org\": \"X\"}", &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);

	/* after a checkpoint, the files no longer hold the erased ciphertext
	 * under a key anyone has: nothing of Alice in clear either */
	assert_int_equal(store_checkpoint(e->st, &cause), 0);
	assert_false(unit_db_has(e->db, "alice.dumoulin@example.be"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_add_get, teardown),
		cmocka_unit_test_teardown(test_add_refused, teardown),
		cmocka_unit_test_teardown(test_sealed_at_rest, teardown),
		cmocka_unit_test_teardown(test_wrong_master, teardown),
		cmocka_unit_test_teardown(test_edit, teardown),
		cmocka_unit_test_teardown(test_list_by_role, teardown),
		cmocka_unit_test_teardown(test_contact, teardown),
		cmocka_unit_test_teardown(test_contact_mail_key, teardown),
		cmocka_unit_test_teardown(test_remove, teardown),
	};

	log_init("test_people", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
