/*
 * test_mailcrypt.c: the S/MIME side of lib/mailcrypt in process, with a
 * certificate made here by OpenSSL: what a file given for a person must
 * be, what the wrapped message holds inside (decrypted with CMS_decrypt)
 * and outside, the neutral subject's encoding, and every refusal of a
 * malformed message, subject or Message-ID.  The OpenPGP side and the
 * command-line decryptors are in tests/e2e/test_mailcrypt.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mailcrypt.h"
#include "utf8.h"
#include "util.h"

#define ADDR		"chloe@esneux.example.be"
#define DAY		86400

/* A person's certificate, its key, and the files they could give. */
struct material {
	EVP_PKEY	*pk;
	X509		*x;
	char		*pem;		/* the certificate */
	size_t		 pemlen;
	uint8_t		*der;
	size_t		 derlen;
	char		*both;		/* certificate and private key */
	size_t		 bothlen;
	int64_t		 not_after;
};

static struct material	 m;

/* The message the smtp plugin writes today, LF line ends as a person
 * would type it: the module makes them CRLF. */
static const char message[] =
    "From: Coordination <noreply@stoppvif.example.be>\n"
    "To: =?UTF-8?Q?Chlo=C3=A9?= <" ADDR ">\n"
    "Subject: =?UTF-8?Q?Alerte_=3A_place_=C3=A0_Esneux?=\n"
    "Date: Wed, 07 Jan 2026 13:00:00 +0000\n"
    "Message-ID: <alert.12.2026-01-07T14%3A00@stoppvif.example.be>\n"
    "MIME-Version: 1.0\n"
    "Auto-Submitted: auto-generated\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Bonjour,\n"
    "Code de prise en charge 4821 : https://claim.example.be/c/Zx81q\n"
    "Merci\n";

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* PEM of what write() writes, as a new string. */
static char *
pem_of(int (*write)(BIO *, const void *), const void *obj, size_t *len)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*p, *s;
	long	 n;

	assert_int_equal(write(b, obj), 1);
	n = BIO_get_mem_data(b, &p);
	s = xmalloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	*len = (size_t)n;
	BIO_free(b);
	return s;
}

static int
write_cert(BIO *b, const void *x)
{
	return PEM_write_bio_X509(b, (X509 *)(uintptr_t)x);
}

static int
write_key(BIO *b, const void *pk)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)(uintptr_t)pk, NULL,
	    NULL, 0, NULL, NULL);
}

static int
setup(void **state)
{
	X509_NAME	*name;
	unsigned char	*der = NULL;
	char		*key;
	size_t		 keylen;
	int		 n;

	m.pk = EVP_RSA_gen(2048);
	assert_non_null(m.pk);
	m.x = X509_new();
	X509_set_version(m.x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(m.x), 7);
	X509_gmtime_adj(X509_getm_notBefore(m.x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(m.x), 30 * DAY);
	m.not_after = (int64_t)time(NULL) + 30 * DAY;
	X509_set_pubkey(m.x, m.pk);
	name = X509_get_subject_name(m.x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"Chloé Lefèbvre", -1, -1, 0);
	X509_set_issuer_name(m.x, name);
	add_ext(m.x, NID_subject_alt_name, "email:" ADDR);
	add_ext(m.x, NID_key_usage, "digitalSignature,keyEncipherment");
	add_ext(m.x, NID_ext_key_usage, "emailProtection");
	assert_true(X509_sign(m.x, m.pk, EVP_sha256()) > 0);
	m.pem = pem_of(write_cert, m.x, &m.pemlen);
	n = i2d_X509(m.x, &der);
	assert_true(n > 0);
	m.der = xmalloc((size_t)n);
	memcpy(m.der, der, (size_t)n);
	m.derlen = (size_t)n;
	OPENSSL_free(der);
	key = pem_of(write_key, m.pk, &keylen);
	xasprintf(&m.both, "%s%s", m.pem, key);
	m.bothlen = strlen(m.both);
	free(key);
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(m.pk);
	X509_free(m.x);
	free(m.pem);
	free(m.der);
	free(m.both);
	(void)state;
	return 0;
}

/* The cause of a refusal holds part; it is freed and set to NULL. */
static void
refused(int rc, char **cause, const char *part)
{
	assert_int_equal(rc, -1);
	assert_non_null(*cause);
	if (strstr(*cause, part) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", *cause, part);
	assert_true(utf8_valid(*cause, strlen(*cause)));
	free(*cause);
	*cause = NULL;
}

static void
test_check_certificate(void **state)
{
	struct mailcrypt_key	 key;
	char			*cause = NULL;
	int64_t			 now = time(NULL);
	size_t			 i;

	assert_int_equal(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen,
	    ADDR, now, &key, &cause), 0);
	assert_null(cause);
	assert_int_equal(key.kind, MAILCRYPT_SMIME);
	assert_true(key.not_after >= m.not_after - 60 &&
	    key.not_after <= m.not_after + 60);
	assert_int_equal(strlen(key.fingerprint), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789ABCDEF", key.fingerprint[i]));
	/* what is kept is the DER of the certificate, nothing else */
	assert_int_equal(key.len, m.derlen);
	assert_memory_equal(key.data, m.der, m.derlen);
	assert_non_null(strstr(key.desc, "RSA 2048 bits"));
	assert_non_null(strstr(key.desc, "« Chloé Lefèbvre »"));
	assert_non_null(strstr(key.desc, "auto-signé"));
	assert_null(strchr(key.desc, '\n'));
	mailcrypt_key_clear(&key);
	assert_null(key.data);
	mailcrypt_key_clear(NULL);

	/* DER as given, and an address in other case; no key: usable? */
	assert_int_equal(mailcrypt_check(MAILCRYPT_SMIME, m.der, m.derlen,
	    "Chloe@ESNEUX.example.be", now, NULL, &cause), 0);
	(void)state;
}

static void
test_check_refusals(void **state)
{
	struct mailcrypt_key	 key;
	char			*cause = NULL, *big;
	int64_t			 now = time(NULL);

	refused(mailcrypt_check(MAILCRYPT_SMIME, m.both, m.bothlen, ADDR, now,
	    &key, &cause), &cause, "clé privée");
	assert_null(key.data);
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen,
	    "autre@esneux.example.be", now, &key, &cause), &cause,
	    "n'est pas dans le certificat (il porte : " ADDR ")");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen, ADDR,
	    now + 60 * DAY, NULL, &cause), &cause, "a expiré le");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen, ADDR,
	    now - 2 * DAY, NULL, &cause), &cause, "qu'à partir du");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, 0, ADDR, now, NULL,
	    &cause), &cause, "vide");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen / 2, ADDR,
	    now, NULL, &cause), &cause, "coupé");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.der, m.derlen - 9, ADDR,
	    now, NULL, &cause), &cause, "ni PEM ni DER");
	refused(mailcrypt_check(MAILCRYPT_SMIME, m.pem, m.pemlen,
	    ADDR "\r\nBcc: x@y", now, NULL, &cause), &cause,
	    "pas une adresse");
	refused(mailcrypt_check(MAILCRYPT_PGP, m.pem, m.pemlen, ADDR, now,
	    NULL, &cause), &cause, "--smime-cert");
	big = xcalloc(MAILCRYPT_KEY_MAX + 1, 1);
	memcpy(big, m.pem, m.pemlen);
	refused(mailcrypt_check(MAILCRYPT_SMIME, big, MAILCRYPT_KEY_MAX + 1,
	    ADDR, now, NULL, &cause), &cause, "64 Kio");
	free(big);
	(void)state;
}

/* Wrap msg for ADDR with subject and msgid; the output, or NULL. */
static char *
wrap(const char *msg, size_t len, const char *subject, const char *msgid,
    char **cause)
{
	struct mailcrypt_wrap	 w;
	char			*out = NULL;
	size_t			 outlen = 0;

	memset(&w, 0, sizeof w);
	w.kind = MAILCRYPT_SMIME;
	w.key = m.der;
	w.keylen = m.derlen;
	w.address = ADDR;
	w.now = time(NULL);
	w.subject = subject;
	w.msgid = msgid;
	if (mailcrypt_wrap(&w, msg, len, &out, &outlen, cause) == -1) {
		assert_null(out);
		assert_int_equal(outlen, 0);
		return NULL;
	}
	assert_int_equal(strlen(out), outlen);
	return out;
}

/* The inner entity of an S/MIME message, decrypted (new string). */
static char *
decrypt(const char *out)
{
	BIO		*in = BIO_new_mem_buf(out, -1), *plain;
	CMS_ContentInfo	*cms;
	char		*p, *s;
	long		 n;

	cms = SMIME_read_CMS(in, NULL);
	assert_non_null(cms);
	plain = BIO_new(BIO_s_mem());
	assert_int_equal(CMS_decrypt(cms, m.pk, m.x, NULL, plain, CMS_BINARY),
	    1);
	n = BIO_get_mem_data(plain, &p);
	s = xmalloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(plain);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return s;
}

/* The outer header of out (new string), up to its empty line. */
static char *
outer_header(const char *out)
{
	const char	*end = strstr(out, "\r\n\r\n");

	assert_non_null(end);
	return xstrndup(out, (size_t)(end - out) + 2);
}

static void
test_wrap_inside_and_outside(void **state)
{
	const char	*words[] = { "Bonjour", "4821", "claim.example.be",
			    "Zx81q", "Merci", "Alerte", "Esneux?=", "alert.12",
			    "quoted-printable" };
	char		*cause = NULL, *out, *inner, *head;
	const char	*p;
	size_t		 i;

	out = wrap(message, strlen(message), "Message du réseau", NULL,
	    &cause);
	assert_non_null(out);
	/* outside: CRLF only, 7-bit, the fields kept, nothing of the body */
	for (p = out; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\n')
			assert_true(p > out && p[-1] == '\r');
	}
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(out, words[i]) != NULL)
			fail_msg("\"%s\" is outside", words[i]);
	head = outer_header(out);
	assert_non_null(strstr(head, "From: Coordination "
	    "<noreply@stoppvif.example.be>\r\n"));
	assert_non_null(strstr(head, "To: =?UTF-8?Q?Chlo=C3=A9?= <" ADDR
	    ">\r\n"));
	assert_non_null(strstr(head,
	    "Subject: =?UTF-8?B?TWVzc2FnZSBkdSByw6lzZWF1?=\r\n"));
	assert_non_null(strstr(head, "Date: Wed, 07 Jan 2026 13:00:00 "
	    "+0000\r\n"));
	assert_non_null(strstr(head, "@stoppvif.example.be>\r\n"));
	assert_non_null(strstr(head, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(head, "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data;\r\n name=\"smime.p7m\"\r\n"));
	assert_non_null(strstr(head, "Content-Transfer-Encoding: base64"));

	/* inside: every original field, HP-Outer, then the body as sent */
	inner = decrypt(out);
	assert_non_null(strstr(inner, "Subject: =?UTF-8?Q?Alerte_=3A_place_"
	    "=C3=A0_Esneux?=\r\n"));
	assert_non_null(strstr(inner, "Message-ID: <alert.12.2026-01-07T14"
	    "%3A00@stoppvif.example.be>\r\n"));
	assert_non_null(strstr(inner, "HP-Outer: Subject: =?UTF-8?B?"));
	assert_non_null(strstr(inner, "Content-Type: text/plain; "
	    "charset=UTF-8;\r\n protected-headers=\"v1\"; hp=\"cipher\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"));
	assert_null(strstr(inner, "MIME-Version"));
	p = strstr(inner, "\r\n\r\n");
	assert_string_equal(p + 4, "Bonjour,\r\nCode de prise en charge 4821 "
	    ": https://claim.example.be/c/Zx81q\r\nMerci\r\n");
	free(inner);
	free(head);
	free(out);
	(void)state;
}

static void
test_message_ids(void **state)
{
	char	*cause = NULL, *a, *b, *ha, *hb;

	a = wrap(message, strlen(message), "Message", NULL, &cause);
	b = wrap(message, strlen(message), "Message", NULL, &cause);
	assert_non_null(a);
	assert_non_null(b);
	ha = outer_header(a);
	hb = outer_header(b);
	assert_string_not_equal(strstr(ha, "Message-ID:"),
	    strstr(hb, "Message-ID:"));
	free(ha);
	free(hb);
	free(a);
	free(b);
	a = wrap(message, strlen(message), "Message", "<r.1@example.be>",
	    &cause);
	assert_non_null(a);
	assert_non_null(strstr(a, "\r\nMessage-ID: <r.1@example.be>\r\n"));
	free(a);
	(void)state;
}

/* Check the Subject field of out: words of at most 75 characters, lines
 * of at most 78, each word whole UTF-8, together the subject. */
static void
check_subject(const char *out, const char *subject)
{
	char		*head = outer_header(out), *s, *line, *save = NULL;
	char		 got[1024] = "", *w, *e;
	unsigned char	 dec[128];
	int		 n;

	s = strstr(head, "Subject: ");
	assert_non_null(s);
	e = strstr(s, "\r\nDate:");
	assert_non_null(e);
	*e = '\0';
	for (line = strtok_r(s, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		assert_true(strlen(line) <= 78);
		if ((w = strstr(line, "=?UTF-8?B?")) == NULL) {
			util_strlcat(got, line + strlen("Subject: "),
			    sizeof got);
			continue;
		}
		assert_true(strlen(w) <= 75);
		w += strlen("=?UTF-8?B?");
		*strstr(w, "?=") = '\0';
		n = EVP_DecodeBlock(dec, (unsigned char *)w, (int)strlen(w));
		assert_true(n >= 0);
		while (n > 0 && strlen(w) > 0 && w[strlen(w) - 1] == '=') {
			n--;
			w[strlen(w) - 1] = '\0';
		}
		dec[n] = '\0';
		assert_true(utf8_valid((char *)dec, (size_t)n));
		util_strlcat(got, (char *)dec, sizeof got);
	}
	assert_string_equal(got, subject);
	free(head);
}

static void
test_subject_encoding(void **state)
{
	const char	*subjects[] = { "Message", "Message du réseau",
			    "=?UTF-8?Q?not_a_word?=", "🏠 éèàçë ß € — " };
	char		 longest[MAILCRYPT_SUBJECT_MAX * 4 + 8] = "";
	char		*cause = NULL, *out;
	size_t		 i;

	for (i = 0; i < MAILCRYPT_SUBJECT_MAX; i++)
		util_strlcat(longest, i % 3 ? "é" : "🏠", sizeof longest);
	for (i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		out = wrap(message, strlen(message), subjects[i], NULL,
		    &cause);
		assert_non_null(out);
		check_subject(out, subjects[i]);
		free(out);
	}
	out = wrap(message, strlen(message), longest, NULL, &cause);
	assert_non_null(out);
	check_subject(out, longest);
	free(out);
	util_strlcat(longest, "e", sizeof longest);
	assert_null(wrap(message, strlen(message), longest, NULL, &cause));
	refused(-1, &cause, "1 à 200 caractères");
	(void)state;
}

/* A refusal of wrap() names part and quotes nothing of the message. */
static void
wrap_refused(const char *msg, size_t len, const char *subject,
    const char *msgid, const char *part)
{
	char	*cause = NULL;

	assert_null(wrap(msg, len, subject, msgid, &cause));
	assert_non_null(cause);
	assert_null(strstr(cause, "esneux"));
	assert_null(strstr(cause, "4821"));
	assert_null(strstr(cause, "Alerte"));
	refused(-1, &cause, part);
}

/* msg is wrapped. */
static void
wrapped(const char *msg)
{
	char	*cause = NULL, *out;

	out = wrap(msg, strlen(msg), "Message", NULL, &cause);
	if (out == NULL)
		fail_msg("refused: %s", cause);
	free(out);
}

static void
test_wrap_refusals(void **state)
{
	static const char nul[] = "From: a@b.be\nTo: " ADDR "\n\nCode\0 4821\n";
	const char	*p;
	char		*msg, *big;

	/* header injection through the caller's strings */
	wrap_refused(message, strlen(message), "Message\r\nBcc: x@y", NULL,
	    "sujet neutre");
	wrap_refused(message, strlen(message), "Message\n", NULL,
	    "sujet neutre");
	wrap_refused(message, strlen(message), "", NULL, "sujet neutre");
	wrap_refused(message, strlen(message), NULL, NULL, "sujet neutre");
	wrap_refused(message, strlen(message), "Message\xc3", NULL,
	    "sujet neutre");
	wrap_refused(message, strlen(message), "Mes\xe2\x80\xaesage", NULL,
	    "sujet neutre");
	wrap_refused(message, strlen(message), "Message",
	    "<a@b>\r\nBcc: x@y", "Message-ID");
	wrap_refused(message, strlen(message), "Message", "<a b@c>",
	    "Message-ID");
	wrap_refused(message, strlen(message), "Message", "a@b", "Message-ID");

	/* messages the module will not encrypt */
	wrap_refused(message, 20, "Message", NULL, "en-tête");
	wrap_refused("Bonjour\n\nCode 4821", 18, "Message", NULL, "en-tête");
	p = strchr(message, '\n') + 1;
	wrap_refused(p, strlen(p), "Message", NULL, "From et un champ To");
	xasprintf(&msg, "To: x@y.be\n%s", message);
	wrap_refused(msg, strlen(msg), "Message", NULL, "From et un champ To");
	free(msg);
	xasprintf(&msg, "From: a@b.be\nTo: autre@exemple.be\n\nCode 4821\n");
	wrap_refused(msg, strlen(msg), "Message", NULL, "champ To");
	free(msg);
	xasprintf(&msg, "From: a@b.be\nTo: " ADDR ", autre@exemple.be\n\n"
	    "Code 4821\n");
	wrap_refused(msg, strlen(msg), "Message", NULL, "champ To");
	free(msg);
	/* a comma inside a quoted name is one recipient; 8-bit inside is
	 * kept as it is, for it is encrypted */
	wrapped("From: a@b.be\nTo: \"X, Y\" <" ADDR ">\n\nCode 4821\n");
	wrapped("From: a@b.be\nTo: " ADDR "\nSubject: \xc3\xa9\n\nCode 4821\n");
	wrapped("From: a@b.be\r\nTo: " ADDR "\r\n\r\n");
	xasprintf(&msg, "From: \xc3\xa9 <a@b.be>\nTo: " ADDR "\n\nCode 4821\n");
	wrap_refused(msg, strlen(msg), "Message", NULL, "pas en ASCII");
	free(msg);
	xasprintf(&msg, "From: a@b.be\nTo: " ADDR "\nbad line\n\nCode 4821\n");
	wrap_refused(msg, strlen(msg), "Message", NULL, "en-tête");
	free(msg);
	xasprintf(&msg, " folded: first\nFrom: a@b.be\nTo: " ADDR "\n\nx\n");
	wrap_refused(msg, strlen(msg), "Message", NULL, "en-tête");
	free(msg);
	wrap_refused(nul, sizeof nul - 1, "Message", NULL, "octet nul");
	big = xcalloc(MAILCRYPT_MSG_MAX + 2, 1);
	memset(big, 'a', MAILCRYPT_MSG_MAX + 1);
	memcpy(big, message, strlen(message));
	wrap_refused(big, MAILCRYPT_MSG_MAX + 1, "Message", NULL, "octets");
	free(big);
	(void)state;
}

static void
test_wrap_key_checked(void **state)
{
	struct mailcrypt_wrap	 w;
	char			*out, *cause = NULL;
	size_t			 outlen;

	memset(&w, 0, sizeof w);
	w.kind = MAILCRYPT_SMIME;
	w.key = m.der;
	w.keylen = m.derlen;
	w.address = ADDR;
	w.subject = "Message";
	w.now = time(NULL) + 60 * DAY;
	refused(mailcrypt_wrap(&w, message, strlen(message), &out, &outlen,
	    &cause), &cause, "a expiré");
	assert_null(out);
	w.now = time(NULL);
	w.key = (const uint8_t *)m.both;
	w.keylen = m.bothlen;
	refused(mailcrypt_wrap(&w, message, strlen(message), &out, &outlen,
	    &cause), &cause, "clé privée");
	w.keylen = 0;
	refused(mailcrypt_wrap(&w, message, strlen(message), &out, &outlen,
	    &cause), &cause, "pas de clé");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_certificate),
		cmocka_unit_test(test_check_refusals),
		cmocka_unit_test(test_wrap_inside_and_outside),
		cmocka_unit_test(test_message_ids),
		cmocka_unit_test(test_subject_encoding),
		cmocka_unit_test(test_wrap_refusals),
		cmocka_unit_test(test_wrap_key_checked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
