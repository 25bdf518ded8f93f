/*
 * fuzz_mailcrypt.c: the email encryption engine on arbitrary input.  The
 * first byte chooses: 's' a file given as an S/MIME certificate, 'p' as an
 * OpenPGP key, anything else a message wrapped to a certificate made here
 * once.  A refusal comes with a one-line message; an accepted file gives
 * a fingerprint, a description and material that is accepted again; a
 * wrapped message is 7-bit with CRLF line ends and never holds the
 * original Subject field in clear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mailcrypt.h"
#include "utf8.h"
#include "util.h"

#define FUZZ_ADDR	"chloe@esneux.example.be"
#define FUZZ_NOW	1767790800	/* 2026-01-07, inside the validity */
#define FUZZ_YEARS	(100L * 365 * 86400)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	*fuzz_cert;
static size_t	 fuzz_certlen;

/* A certificate for FUZZ_ADDR, made once (its key is thrown away). */
static void
fuzz_make_cert(void)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;
	EVP_PKEY	*pk;
	X509		*x;
	unsigned char	*der = NULL;
	int		 n;

	if ((pk = EVP_RSA_gen(2048)) == NULL || (x = X509_new()) == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_TIME_set(X509_getm_notBefore(x), FUZZ_NOW - 86400);
	ASN1_TIME_set(X509_getm_notAfter(x), FUZZ_NOW + FUZZ_YEARS);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)"Fuzz", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
	    "email:" FUZZ_ADDR);
	if (e == NULL || !X509_add_ext(x, e, -1) ||
	    !X509_sign(x, pk, EVP_sha256()) || (n = i2d_X509(x, &der)) <= 0)
		abort();
	fuzz_cert = xmalloc((size_t)n);
	memcpy(fuzz_cert, der, (size_t)n);
	fuzz_certlen = (size_t)n;
	OPENSSL_free(der);
	X509_EXTENSION_free(e);
	X509_free(x);
	EVP_PKEY_free(pk);
}

/* A refusal's message: one line of valid UTF-8. */
static void
fuzz_cause(char *cause)
{
	if (cause == NULL || strchr(cause, '\n') != NULL ||
	    !utf8_valid(cause, strlen(cause)))
		abort();
	free(cause);
}

static void
fuzz_check(enum mailcrypt_kind kind, const uint8_t *data, size_t size)
{
	struct mailcrypt_key	 key;
	char			*cause = NULL;

	if (mailcrypt_check(kind, data, size, FUZZ_ADDR, FUZZ_NOW, &key,
	    &cause) == -1) {
		fuzz_cause(cause);
		return;
	}
	if (cause != NULL || key.data == NULL || key.len == 0 ||
	    strlen(key.fingerprint) < 32 || strchr(key.desc, '\n') != NULL ||
	    !utf8_valid(key.desc, strlen(key.desc)) ||
	    mailcrypt_check(kind, key.data, key.len, FUZZ_ADDR, FUZZ_NOW, NULL,
	    &cause) == -1)
		abort();
	mailcrypt_key_clear(&key);
}

static void
fuzz_wrap(const uint8_t *data, size_t size)
{
	struct mailcrypt_wrap	 w;
	char			*out, *cause = NULL;
	size_t			 outlen, i;

	memset(&w, 0, sizeof w);
	w.kind = MAILCRYPT_SMIME;
	w.key = fuzz_cert;
	w.keylen = fuzz_certlen;
	w.address = FUZZ_ADDR;
	w.now = FUZZ_NOW;
	w.subject = "Message du réseau";
	if (mailcrypt_wrap(&w, (const char *)data, size, &out, &outlen,
	    &cause) == -1) {
		fuzz_cause(cause);
		return;
	}
	for (i = 0; i < outlen; i++)
		if ((unsigned char)out[i] >= 0x80 || out[i] == '\0' ||
		    (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')))
			abort();
	if (strstr(out, "\r\nSubject: =?UTF-8?B?TWVzc2FnZSBkdSByw6lzZWF1?="
	    "\r\n") == NULL)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_cert == NULL)
		fuzz_make_cert();
	if (size == 0 || size > 2 * MAILCRYPT_KEY_MAX)
		return 0;
	if (data[0] == 's')
		fuzz_check(MAILCRYPT_SMIME, data + 1, size - 1);
	else if (data[0] == 'p')
		fuzz_check(MAILCRYPT_PGP, data + 1, size - 1);
	else
		fuzz_wrap(data + 1, size - 1);
	return 0;
}
