/*
 * test_crypt.c: unit tests for crypt.c: sealing and opening fields, the
 * binding to table, column and row, key wrapping, the key check value and
 * the master key file checks.  Files go to a private mkdtemp folder.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypt.h"

static char	 tmpdir[] = "/tmp/test_crypt.XXXXXX";

/* A path inside the test folder, as a new string. */
static char *
tpath(const char *name)
{
	char	*p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, name) > 0);
	return p;
}

/* Write len bytes of fill to path with mode. */
static void
write_file(const char *path, size_t len, mode_t mode)
{
	uint8_t	 buf[64];
	int	 fd;

	assert_true(len <= sizeof buf);
	memset(buf, 0xa5, sizeof buf);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd != -1);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Seal pt for people.name row 7, check the open gives it back. */
static void
roundtrip(const struct crypt_key *key, const char *pt, size_t ptlen)
{
	uint8_t	*ct, *out = NULL;
	size_t	 ctlen, outlen = 0;
	char	*cause = NULL;

	crypt_seal(key, "people", "name", 7, pt, ptlen, &ct, &ctlen);
	assert_int_equal(ctlen, ptlen + CRYPT_OVERHEAD);
	assert_int_equal(ct[0], CRYPT_V1);
	assert_int_equal(crypt_open(key, "people", "name", 7, ct, ctlen, &out,
	    &outlen, &cause), 0);
	assert_null(cause);
	assert_int_equal(outlen, ptlen);
	if (ptlen > 0)
		assert_memory_equal(out, pt, ptlen);
	assert_int_equal(out[ptlen], '\0');
	free(out);
	free(ct);
}

/* Assert that opening fails, sets a cause, and leaves *pt alone. */
static void
refused(const struct crypt_key *key, const char *table, const char *column,
    int64_t rowid, const uint8_t *ct, size_t ctlen, const char *expect)
{
	uint8_t	*out = NULL;
	size_t	 outlen = 0;
	char	*cause = NULL;

	assert_int_equal(crypt_open(key, table, column, rowid, ct, ctlen, &out,
	    &outlen, &cause), -1);
	assert_null(out);
	assert_non_null(cause);
	if (expect != NULL && strstr(cause, expect) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, expect);
	free(cause);
}

static void
test_roundtrip(void **state)
{
	struct crypt_key	*key = crypt_key_random();
	char			*big;
	size_t			 i, n = 100000;

	roundtrip(key, "", 0);
	roundtrip(key, NULL, 0);
	roundtrip(key, "Ada Lovelace", 12);
	roundtrip(key, "a\0b", 3);	/* binary, with an inner NUL */
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 31 + 7);
	roundtrip(key, big, n);
	free(big);
	crypt_key_free(key);
}

static void
test_nonce_fresh(void **state)
{
	struct crypt_key	*key = crypt_key_random();
	uint8_t			*a, *b;
	size_t			 alen, blen;

	crypt_seal(key, "people", "name", 1, "same", 4, &a, &alen);
	crypt_seal(key, "people", "name", 1, "same", 4, &b, &blen);
	assert_int_equal(alen, blen);
	assert_memory_not_equal(a + 1, b + 1, 24);	/* nonces differ */
	assert_memory_not_equal(a, b, alen);
	free(a);
	free(b);
	crypt_key_free(key);
}

static void
test_bitflip(void **state)
{
	struct crypt_key	*key = crypt_key_random();
	uint8_t			*ct;
	size_t			 ctlen, i;
	int			 bit;

	crypt_seal(key, "people", "email", 3, "a@b.c", 5, &ct, &ctlen);
	for (i = 0; i < ctlen; i++) {
		for (bit = 0; bit < 8; bit++) {
			ct[i] ^= (uint8_t)(1 << bit);
			refused(key, "people", "email", 3, ct, ctlen,
			    i == 0 ? "version" : "does not open");
			ct[i] ^= (uint8_t)(1 << bit);
		}
	}
	roundtrip(key, "a@b.c", 5);	/* the key still works */
	free(ct);
	crypt_key_free(key);
}

static void
test_wrong_binding(void **state)
{
	struct crypt_key	*key = crypt_key_random(), *other;
	uint8_t			*ct;
	size_t			 ctlen;

	other = crypt_key_random();
	crypt_seal(key, "people", "phone", 42, "+4712345678", 11, &ct, &ctlen);
	refused(key, "people", "phone", 43, ct, ctlen, "does not open");
	refused(key, "people", "phone", -42, ct, ctlen, "does not open");
	refused(key, "people", "phone", 42 + (1LL << 32), ct, ctlen, NULL);
	refused(key, "people", "email", 42, ct, ctlen, "does not open");
	refused(key, "peoples", "phone", 42, ct, ctlen, "does not open");
	/* the NUL separators keep "people"+"phone" apart from "peopl"+"ephone" */
	refused(key, "peopl", "ephone", 42, ct, ctlen, "does not open");
	refused(other, "people", "phone", 42, ct, ctlen, "does not open");
	free(ct);
	crypt_key_free(other);
	crypt_key_free(key);
}

static void
test_version_and_length(void **state)
{
	struct crypt_key	*key = crypt_key_random();
	uint8_t			*ct;
	size_t			 ctlen, n;

	crypt_seal(key, "people", "name", 5, "Grace", 5, &ct, &ctlen);
	for (n = 0; n < ctlen; n++)
		refused(key, "people", "name", 5, ct, n,
		    n < CRYPT_OVERHEAD ? "too short" : "does not open");
	ct[0] = 0x02;
	refused(key, "people", "name", 5, ct, ctlen, "unknown version 2");
	ct[0] = 0x00;
	refused(key, "people", "name", 5, ct, ctlen, "unknown version 0");
	refused(key, "people", "name", 5, NULL, 0, "too short");
	free(ct);
	crypt_key_free(key);
}

/* Associated data exactly as documented in crypt.h. */
static size_t
doc_ad(uint8_t *ad, const char *table, const char *column, int64_t rowid)
{
	size_t	 n = 0;
	int	 i;

	memcpy(ad, "stoppvif", 8);
	n = 8;
	ad[n++] = 0x01;
	memcpy(ad + n, table, strlen(table) + 1);
	n += strlen(table) + 1;
	memcpy(ad + n, column, strlen(column) + 1);
	n += strlen(column) + 1;
	for (i = 7; i >= 0; i--)
		ad[n++] = (uint8_t)((uint64_t)rowid >> (8 * i));
	return n;
}

static void
test_documented_format(void **state)
{
	uint8_t			 raw[32], ad[64], ct[64], m[64], *out, *mine;
	struct crypt_key	*key;
	unsigned long long	 clen, mlen;
	size_t			 adlen, outlen, minelen;
	char			*cause = NULL;

	memset(raw, 0x11, sizeof raw);
	key = crypt_key_from_bytes(raw);
	adlen = doc_ad(ad, "people", "name", 0x0102030405060708LL);

	/* A ciphertext built by hand from crypt.h opens. */
	ct[0] = 0x01;
	randombytes_buf(ct + 1, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct + 25, &clen,
	    (const uint8_t *)"Mary", 4, ad, adlen, NULL, ct + 1, raw);
	assert_int_equal(crypt_open(key, "people", "name",
	    0x0102030405060708LL, ct, 25 + clen, &out, &outlen, &cause), 0);
	assert_int_equal(outlen, 4);
	assert_string_equal((char *)out, "Mary");
	free(out);

	/* And ours opens by hand. */
	crypt_seal(key, "people", "name", 0x0102030405060708LL, "Anne", 4,
	    &mine, &minelen);
	assert_int_equal(minelen, 4 + 41);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen,
	    NULL, mine + 25, minelen - 25, ad, adlen, mine + 1, raw), 0);
	assert_int_equal(mlen, 4);
	assert_memory_equal(m, "Anne", 4);
	free(mine);
	crypt_key_free(key);
}

/* Two keys are the same when one opens what the other sealed. */
static int
same_key(const struct crypt_key *a, const struct crypt_key *b)
{
	uint8_t	*ct, *out = NULL;
	size_t	 ctlen, outlen;
	char	*cause = NULL;
	int	 rc;

	crypt_seal(a, "people", "name", 1, "x", 1, &ct, &ctlen);
	rc = crypt_open(b, "people", "name", 1, ct, ctlen, &out, &outlen,
	    &cause);
	free(ct);
	free(out);
	free(cause);
	return rc == 0;
}

static void
test_wrap(void **state)
{
	struct crypt_key	*master = crypt_key_random(), *dk, *back;
	struct crypt_key	*other = crypt_key_random();
	uint8_t			*w;
	size_t			 wlen, i;
	char			*cause = NULL;

	dk = crypt_key_random();
	crypt_key_wrap(master, 9, dk, &w, &wlen);
	assert_int_equal(wlen, CRYPT_WRAPPED_BYTES);
	assert_int_equal(w[0], CRYPT_V1);

	back = crypt_key_unwrap(master, 9, w, wlen, &cause);
	assert_non_null(back);
	assert_null(cause);
	assert_true(same_key(dk, back));
	assert_true(same_key(back, dk));
	assert_false(same_key(dk, master));
	crypt_key_free(back);

	assert_null(crypt_key_unwrap(master, 10, w, wlen, &cause));
	assert_non_null(cause);
	assert_null(crypt_key_unwrap(other, 9, w, wlen, &cause));
	assert_null(crypt_key_unwrap(master, 9, w, wlen - 1, &cause));
	assert_non_null(strstr(cause, "wrapped key"));
	for (i = 0; i < wlen; i++) {
		w[i] ^= 0x80;
		assert_null(crypt_key_unwrap(master, 9, w, wlen, &cause));
		w[i] ^= 0x80;
	}
	free(cause);

	/* A wrapped key is not a field of the person's row. */
	refused(master, "people", "name", 9, w, wlen, "does not open");
	free(w);
	crypt_key_free(dk);
	crypt_key_free(other);
	crypt_key_free(master);
}

static void
test_kcv(void **state)
{
	uint8_t			 raw[32], a[CRYPT_KCV_BYTES];
	uint8_t			 b[CRYPT_KCV_BYTES], c[CRYPT_KCV_BYTES];
	struct crypt_key	*k1, *k2, *k3;

	randombytes_buf(raw, sizeof raw);
	k1 = crypt_key_from_bytes(raw);
	k2 = crypt_key_from_bytes(raw);
	raw[31] ^= 1;
	k3 = crypt_key_from_bytes(raw);
	crypt_key_check_value(k1, a);
	crypt_key_check_value(k2, b);
	assert_memory_equal(a, b, sizeof a);
	crypt_key_check_value(k1, b);
	assert_memory_equal(a, b, sizeof a);
	crypt_key_check_value(k3, c);
	assert_memory_not_equal(a, c, sizeof a);
	crypt_key_free(k1);
	crypt_key_free(k2);
	crypt_key_free(k3);
	crypt_key_free(NULL);
}

/* MACs: checked under the same key and purpose only, any bit counts. */
static void
test_mac(void **state)
{
	struct crypt_key	*k = crypt_key_random(), *other;
	uint8_t			 msg[25], mac[CRYPT_MAC_BYTES];
	size_t			 i;

	other = crypt_key_random();
	randombytes_buf(msg, sizeof msg);
	crypt_mac(k, "ack-link", msg, sizeof msg, mac);
	assert_int_equal(crypt_mac_check(k, "ack-link", msg, sizeof msg,
	    mac), 0);
	assert_int_equal(crypt_mac_check(other, "ack-link", msg, sizeof msg,
	    mac), -1);
	assert_int_equal(crypt_mac_check(k, "ack-lin2", msg, sizeof msg,
	    mac), -1);
	for (i = 0; i < sizeof msg; i++) {
		msg[i] ^= 0x40;
		assert_int_equal(crypt_mac_check(k, "ack-link", msg,
		    sizeof msg, mac), -1);
		msg[i] ^= 0x40;
	}
	mac[CRYPT_MAC_BYTES - 1] ^= 1;
	assert_int_equal(crypt_mac_check(k, "ack-link", msg, sizeof msg,
	    mac), -1);
	crypt_key_free(k);
	crypt_key_free(other);
}

/* Many data keys at once: the pool, then regions of their own beyond it;
 * each keeps its own bytes, and a freed slot is wiped and reused. */
static void
test_key_pool(void **state)
{
	struct crypt_key	*keys[600];
	uint8_t			*ct, *pt;
	size_t			 ctlen, ptlen, i;

	for (i = 0; i < 600; i++)
		keys[i] = crypt_key_random();
	for (i = 0; i < 600; i += 7) {
		crypt_seal(keys[i], "t", "c", (int64_t)i, "x", 1, &ct, &ctlen);
		assert_int_equal(crypt_open(keys[i], "t", "c", (int64_t)i, ct,
		    ctlen, &pt, &ptlen, NULL), 0);
		free(pt);
		if (i + 1 < 600)
			assert_int_equal(crypt_open(keys[i + 1], "t", "c",
			    (int64_t)i, ct, ctlen, &pt, &ptlen, NULL) == 0, 0);
		free(ct);
	}
	for (i = 0; i < 600; i++)
		crypt_key_free(keys[i]);
}

/* Load path expecting refusal with a cause naming it and holding expect. */
static void
master_refused(const char *path, int create, const char *expect)
{
	char	*cause = NULL;
	int	 created = -1;

	assert_null(crypt_master_load(path, create, &created, &cause));
	assert_int_equal(created, 0);
	assert_non_null(cause);
	if (strstr(cause, path) == NULL)
		fail_msg("cause \"%s\" does not name %s", cause, path);
	if (expect != NULL && strstr(cause, expect) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, expect);
	free(cause);
}

static void
test_master_create(void **state)
{
	char			*path = tpath("master.key"), *cause = NULL;
	struct crypt_key	*k1, *k2;
	uint8_t			 a[CRYPT_KCV_BYTES], b[CRYPT_KCV_BYTES];
	struct stat		 sb;
	int			 created = -1;
	mode_t			 old;

	unlink(path);
	master_refused(path, 0, "not found");
	assert_int_equal(access(path, F_OK), -1);	/* create=0 made none */

	old = umask(0);		/* the mode must not depend on the umask */
	k1 = crypt_master_load(path, 1, &created, &cause);
	umask(old);
	assert_non_null(k1);
	assert_null(cause);
	assert_int_equal(created, 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, 32);
	assert_int_equal(sb.st_uid, geteuid());

	k2 = crypt_master_load(path, 1, &created, &cause);
	assert_non_null(k2);
	assert_int_equal(created, 0);
	crypt_key_check_value(k1, a);
	crypt_key_check_value(k2, b);
	assert_memory_equal(a, b, sizeof a);
	crypt_key_free(k2);

	k2 = crypt_master_load(path, 0, NULL, &cause);
	assert_non_null(k2);
	assert_true(same_key(k1, k2));
	crypt_key_free(k2);
	crypt_key_free(k1);
	unlink(path);
	free(path);
}

static void
test_master_refusals(void **state)
{
	char	*path = tpath("bad.key"), *link = tpath("link.key");
	char	*nodir = tpath("nodir/master.key");

	write_file(path, 32, 0644);
	master_refused(path, 1, "chmod 600");
	write_file(path, 32, 0640);
	master_refused(path, 0, "chmod 600");
	write_file(path, 32, 0604);
	master_refused(path, 0, "chmod 600");
	write_file(path, 32, 0400);	/* read-only for the owner is fine */
	crypt_key_free(crypt_master_load(path, 0, NULL, NULL));

	write_file(path, 31, 0600);
	master_refused(path, 1, "31 bytes");
	write_file(path, 33, 0600);
	master_refused(path, 0, "33 bytes");
	write_file(path, 0, 0600);
	master_refused(path, 1, "0 bytes");

	write_file(path, 32, 0600);
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	master_refused(link, 1, "symbolic link");
	unlink(link);

	master_refused(tmpdir, 0, "not a regular file");
	master_refused(nodir, 1, "cannot create");

	if (geteuid() == 0) {
		assert_int_equal(chown(path, 4242, 4242), 0);
		master_refused(path, 0, "chown 0");
	}
	unlink(path);
	free(nodir);
	free(link);
	free(path);
}

static int
group_setup(void **state)
{
	if (crypt_init() != 0 || crypt_init() != 0)
		return -1;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_nonce_fresh),
		cmocka_unit_test(test_bitflip),
		cmocka_unit_test(test_wrong_binding),
		cmocka_unit_test(test_version_and_length),
		cmocka_unit_test(test_documented_format),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_kcv),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_key_pool),
		cmocka_unit_test(test_master_create),
		cmocka_unit_test(test_master_refusals),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
