/*
 * mailcrypt_smime.c: S/MIME certificates and CMS EnvelopedData, with
 * OpenSSL (mailcrypt_int.h).
 *
 * A file may be PEM (any number of blocks, text around them ignored) or
 * DER, and hold one certificate, a chain or a PKCS #7 "certs-only" bundle
 * (.p7b, as Outlook exports): the certificate used is the one that carries
 * the person's address, and there must be exactly one.  A private key
 * anywhere in the file (PEM, PKCS #8, PKCS #12) refuses the whole file.
 * The issuer is not verified: whoever gives the file vouches for it, as
 * for an OpenPGP key; the checks are those that decide whether a mail
 * client can open what we send.
 *
 * Encryption is AES-256-CBC with the key transported by RSA (PKCS #1
 * v1.5) or agreed by ECDH, OpenSSL's defaults, which Outlook and Apple
 * Mail open; AuthEnvelopedData (AES-GCM) is not used because Outlook does
 * not open it.  OpenSSL's error queue is emptied before returning, so that
 * nothing stale reaches libcurl's TLS, which shares it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mailcrypt.h"
#include "mailcrypt_int.h"
#include "util.h"

#define SMIME_CERTS_MAX		16	/* certificates read from one file */
#define SMIME_FPR_SHOWN		16	/* hex digits in the description */

/* What a file holds. */
struct smime_file {
	X509		*certs[SMIME_CERTS_MAX];
	int		 ncerts;
	int		 toomany;	/* more than SMIME_CERTS_MAX */
	char		*private;	/* kind of private key found, or NULL */
	char		*other;		/* first PEM block of another kind */
	int		 broken;	/* a certificate did not decode */
};

static const char smime_fix[] = "donnez le certificat S/MIME de la "
    "personne (fichier .pem, .crt ou .cer)";

static void
smime_file_free(struct smime_file *f)
{
	int	 i;

	for (i = 0; i < f->ncerts; i++)
		X509_free(f->certs[i]);
	free(f->private);
	free(f->other);
	memset(f, 0, sizeof *f);
}

static void
smime_file_add(struct smime_file *f, X509 *x)
{
	if (f->ncerts == SMIME_CERTS_MAX) {
		f->toomany = 1;
		X509_free(x);
		return;
	}
	f->certs[f->ncerts++] = x;
}

/* Add the certificates of a DER PKCS #7 structure; -1 when it is none. */
static int
smime_add_p7(struct smime_file *f, const uint8_t *der, size_t len)
{
	const unsigned char	*p = der;
	STACK_OF(X509)		*certs = NULL;
	PKCS7			*p7;
	int			 i;

	if ((p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		PKCS7_free(p7);
		return -1;
	}
	if (PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		certs = p7->d.sign->cert;
	for (i = 0; certs != NULL && i < sk_X509_num(certs); i++) {
		X509_up_ref(sk_X509_value(certs, i));
		smime_file_add(f, sk_X509_value(certs, i));
	}
	PKCS7_free(p7);
	return 0;
}

/* Add one DER certificate (trusted: OpenSSL's "TRUSTED CERTIFICATE"). */
static int
smime_add_der(struct smime_file *f, const uint8_t *der, size_t len,
    int trusted)
{
	const unsigned char	*p = der;
	X509			*x;

	x = trusted ? d2i_X509_AUX(NULL, &p, (long)len) :
	    d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		X509_free(x);
		return -1;
	}
	smime_file_add(f, x);
	return 0;
}

/* Sort one PEM block into f. */
static void
smime_pem_block(struct smime_file *f, const char *name, const uint8_t *data,
    size_t len)
{
	if (strstr(name, "PRIVATE KEY") != NULL) {
		if (f->private == NULL)
			f->private = xstrdup(name);
	} else if (strcmp(name, PEM_STRING_X509) == 0 ||
	    strcmp(name, PEM_STRING_X509_OLD) == 0) {
		if (smime_add_der(f, data, len, 0) == -1)
			f->broken = 1;
	} else if (strcmp(name, PEM_STRING_X509_TRUSTED) == 0) {
		if (smime_add_der(f, data, len, 1) == -1)
			f->broken = 1;
	} else if (strcmp(name, PEM_STRING_PKCS7) == 0) {
		if (smime_add_p7(f, data, len) == -1)
			f->broken = 1;
	} else if (f->other == NULL)
		f->other = xstrdup(name);
}

/* Read every PEM block of the file.  -1 when one is cut or garbled. */
static int
smime_read_pem(struct smime_file *f, const uint8_t *in, size_t len)
{
	BIO		*bio;
	char		*name, *header;
	unsigned char	*data;
	long		 dlen;
	unsigned long	 e;
	int		 rc = 0;

	if ((bio = BIO_new_mem_buf(in, (int)len)) == NULL)
		return -1;
	for (;;) {
		name = header = NULL;
		data = NULL;
		if (!PEM_read_bio(bio, &name, &header, &data, &dlen))
			break;
		smime_pem_block(f, name, data, (size_t)dlen);
		OPENSSL_clear_free(data, (size_t)dlen);
		OPENSSL_free(name);
		OPENSSL_free(header);
	}
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
		rc = -1;
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* Whether the DER at in is a PKCS #12 file or a private key. */
static const char *
smime_der_private(const uint8_t *in, size_t len)
{
	const unsigned char	*p = in;
	PKCS12			*p12;
	EVP_PKEY		*pk;

	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) != NULL) {
		PKCS12_free(p12);
		return "PKCS12";
	}
	p = in;
	if ((pk = d2i_AutoPrivateKey(NULL, &p, (long)len)) != NULL) {
		EVP_PKEY_free(pk);
		return "PRIVATE KEY";
	}
	return NULL;
}

/* Read the file, PEM or DER, into f.  -1 with *cause when unreadable. */
static int
smime_read(struct smime_file *f, const uint8_t *in, size_t len, char **cause)
{
	const char	*priv;

	memset(f, 0, sizeof *f);
	if (memmem(in, len, "-----BEGIN PGP ", 15) != NULL) {
		util_cause(cause, "ce fichier est une clé OpenPGP, pas un "
		    "certificat S/MIME : donnez-le avec --openpgp-key");
		return -1;
	}
	if (memmem(in, len, "-----BEGIN ", 11) != NULL) {
		if (smime_read_pem(f, in, len) == -1 && f->private == NULL) {
			util_cause(cause, "le fichier PEM est coupé ou abîmé "
			    "(une ligne -----BEGIN sans sa ligne -----END, ou "
			    "du base64 invalide) : %s", smime_fix);
			return -1;
		}
		return 0;
	}
	if (smime_add_der(f, in, len, 0) == 0 || smime_add_p7(f, in, len) == 0)
		return 0;
	if ((priv = smime_der_private(in, len)) != NULL)
		f->private = xstrdup(priv);
	ERR_clear_error();
	if (f->private == NULL) {
		util_cause(cause, "ce fichier n'est pas un certificat lisible "
		    "(ni PEM ni DER) : %s", smime_fix);
		return -1;
	}
	return 0;
}

/* Why a file without a certificate was given, as a message. */
static void
smime_none(const struct smime_file *f, char **cause)
{
	if (f->other != NULL && strstr(f->other, "REQUEST") != NULL)
		util_cause(cause, "ce fichier est une demande de certificat "
		    "(%s), pas un certificat : donnez le certificat que "
		    "l'autorité a émis", f->other);
	else if (f->other != NULL)
		util_cause(cause, "ce fichier contient un bloc « %s » et aucun "
		    "certificat : %s", f->other, smime_fix);
	else
		util_cause(cause, "ce fichier ne contient aucun certificat : "
		    "%s", smime_fix);
}

/* Whether addr is one of the certificate's addresses. */
static int
smime_has_addr(X509 *x, const char *addr)
{
	STACK_OF(OPENSSL_STRING)	*emails;
	const char			*e;
	int				 i, found = 0;

	if ((emails = X509_get1_email(x)) == NULL)
		return 0;
	for (i = 0; i < sk_OPENSSL_STRING_num(emails) && !found; i++) {
		e = sk_OPENSSL_STRING_value(emails, i);
		found = mailcrypt_addr_eq(e, strlen(e), addr);
	}
	X509_email_free(emails);
	return found;
}

/* The certificate's addresses, quoted, for a message (new string). */
static char *
smime_addrs(X509 *x)
{
	STACK_OF(OPENSSL_STRING)	*emails;
	struct mailcrypt_buf		 b = { NULL, 0, 0 };
	const char			*e;
	char				*q;
	int				 i, n;

	emails = X509_get1_email(x);
	n = emails != NULL ? sk_OPENSSL_STRING_num(emails) : 0;
	for (i = 0; i < n && i < MAILCRYPT_ADDRS_SHOWN; i++) {
		e = sk_OPENSSL_STRING_value(emails, i);
		q = mailcrypt_quote(e, strlen(e));
		mailcrypt_buf_str(&b, i > 0 ? ", " : "");
		mailcrypt_buf_str(&b, q);
		free(q);
	}
	if (n > MAILCRYPT_ADDRS_SHOWN)
		mailcrypt_buf_str(&b, ", …");
	X509_email_free(emails);
	return b.s;
}

/* Pick the one certificate of f that carries addr; NULL with *cause. */
static X509 *
smime_pick(const struct smime_file *f, const char *addr, char **cause)
{
	X509	*found = NULL;
	char	*addrs;
	int	 i, n = 0;

	if (f->ncerts == 1 && !smime_has_addr(f->certs[0], addr)) {
		if ((addrs = smime_addrs(f->certs[0])) == NULL)
			util_cause(cause, "le certificat ne porte aucune "
			    "adresse électronique : il ne peut pas servir au "
			    "courriel ; demandez le certificat S/MIME de %s",
			    addr);
		else
			util_cause(cause, "l'adresse %s n'est pas dans le "
			    "certificat (il porte : %s) : vérifiez l'adresse "
			    "de la personne, ou demandez le certificat de "
			    "cette adresse", addr, addrs);
		free(addrs);
		return NULL;
	}
	for (i = 0; i < f->ncerts; i++)
		if (smime_has_addr(f->certs[i], addr)) {
			found = f->certs[i];
			n++;
		}
	if (n == 0)
		util_cause(cause, "aucun des %d certificats du fichier ne porte "
		    "l'adresse %s : vérifiez l'adresse de la personne, ou "
		    "demandez le certificat de cette adresse", f->ncerts, addr);
	else if (n > 1)
		util_cause(cause, "%d certificats du fichier portent l'adresse "
		    "%s : gardez-en un seul dans le fichier (le plus récent)",
		    n, addr);
	return n == 1 ? found : NULL;
}

/* An ASN.1 time as UTC seconds; -1 when unreadable. */
static int
smime_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof tm);
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* The validity period holds now; sets *not_after. */
static int
smime_judge_time(X509 *x, int64_t now, int64_t *not_after, char **cause)
{
	int64_t		 nb, na;
	char		 d[16];

	if (smime_time(X509_get0_notBefore(x), &nb) == -1 ||
	    smime_time(X509_get0_notAfter(x), &na) == -1) {
		util_cause(cause, "les dates de validité du certificat sont "
		    "illisibles : %s", smime_fix);
		return -1;
	}
	if (now < nb) {
		util_cause(cause, "le certificat n'est valable qu'à partir du "
		    "%s : réessayez ce jour-là, ou demandez un certificat déjà "
		    "valable", mailcrypt_date(nb, d, sizeof d));
		return -1;
	}
	if (now > na) {
		util_cause(cause, "le certificat a expiré le %s : demandez à "
		    "la personne son nouveau certificat",
		    mailcrypt_date(na, d, sizeof d));
		return -1;
	}
	*not_after = na;
	return 0;
}

/* The key is one CMS encrypts to and mail clients decrypt with. */
static int
smime_judge_key(X509 *x, int *id, char **cause)
{
	EVP_PKEY	*pk;
	int		 bits;

	if ((pk = X509_get0_pubkey(x)) == NULL) {
		util_cause(cause, "la clé publique du certificat est illisible "
		    ": %s", smime_fix);
		return -1;
	}
	*id = EVP_PKEY_get_base_id(pk);
	bits = EVP_PKEY_get_bits(pk);
	if (*id == EVP_PKEY_RSA && bits < MAILCRYPT_RSA_MIN) {
		util_cause(cause, "la clé RSA du certificat n'a que %d bits, "
		    "trop peu pour protéger un message (%d au moins) : "
		    "demandez un nouveau certificat", bits, MAILCRYPT_RSA_MIN);
		return -1;
	}
	if (*id != EVP_PKEY_RSA && *id != EVP_PKEY_EC) {
		util_cause(cause, "la clé du certificat est de type %s, qui ne "
		    "sert pas au chiffrement S/MIME d'Outlook et d'Apple Mail "
		    ": demandez un certificat à clé RSA ou à courbe "
		    "elliptique", OBJ_nid2sn(*id));
		return -1;
	}
	return 0;
}

/* keyUsage and extendedKeyUsage, when present, allow encrypting mail. */
static int
smime_judge_usage(X509 *x, int id, char **cause)
{
	uint32_t	 flags = X509_get_extension_flags(x), need;

	if (flags & EXFLAG_INVALID) {
		util_cause(cause, "les extensions du certificat sont invalides "
		    ": %s", smime_fix);
		return -1;
	}
	need = id == EVP_PKEY_RSA ? KU_KEY_ENCIPHERMENT : KU_KEY_AGREEMENT;
	if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & need)) {
		util_cause(cause, "le certificat ne permet pas de chiffrer "
		    "(keyUsage sans %s) : c'est sans doute un certificat de "
		    "signature seule ; demandez le certificat de chiffrement "
		    "de la personne", id == EVP_PKEY_RSA ? "keyEncipherment" :
		    "keyAgreement");
		return -1;
	}
	if ((flags & EXFLAG_XKUSAGE) &&
	    !(X509_get_extended_key_usage(x) & (XKU_SMIME | XKU_ANYEKU))) {
		util_cause(cause, "le certificat n'est pas prévu pour le "
		    "courriel (extendedKeyUsage sans emailProtection) : "
		    "demandez un certificat S/MIME");
		return -1;
	}
	return 0;
}

/* Read the file and pick the certificate for addr, usable at now. */
static X509 *
smime_load(const uint8_t *in, size_t len, const char *addr, int64_t now,
    int64_t *not_after, int *id, char **cause)
{
	struct smime_file	 f;
	X509			*x = NULL;

	if (smime_read(&f, in, len, cause) == -1)
		goto out;
	if (f.private != NULL && strcmp(f.private, "PKCS12") == 0) {
		util_cause(cause, "ce fichier est un PKCS #12 (.p12 ou .pfx), qui "
		    "contient la clé privée : il n'a pas été gardé.  Ne "
		    "transmettez jamais une clé privée ; exportez seulement le "
		    "certificat (la partie publique, sans la clé), en .cer ou "
		    ".pem");
		goto out;
	}
	if (f.private != NULL) {
		util_cause(cause, "ce fichier contient une clé privée (%s) : il "
		    "n'a pas été gardé.  Ne transmettez jamais une clé privée "
		    "; exportez seulement le certificat (la partie publique, "
		    "sans la clé), en .pem, .crt ou .cer", f.private);
		goto out;
	}
	if (f.broken) {
		util_cause(cause, "un certificat du fichier est illisible "
		    "(fichier coupé ?) : %s", smime_fix);
		goto out;
	}
	if (f.toomany) {
		util_cause(cause, "le fichier contient plus de %d certificats "
		    ": %s", SMIME_CERTS_MAX, smime_fix);
		goto out;
	}
	if (f.ncerts == 0) {
		smime_none(&f, cause);
		goto out;
	}
	if ((x = smime_pick(&f, addr, cause)) == NULL)
		goto out;
	if (smime_judge_time(x, now, not_after, cause) == -1 ||
	    smime_judge_key(x, id, cause) == -1 ||
	    smime_judge_usage(x, *id, cause) == -1)
		x = NULL;
	else
		X509_up_ref(x);
out:
	smime_file_free(&f);
	ERR_clear_error();
	return x;
}

/* The common name of a distinguished name, quoted (new string or NULL). */
static char *
smime_cn(const X509_NAME *name)
{
	const X509_NAME_ENTRY	*e;
	unsigned char		*utf8;
	char			*q;
	int			 i, n;

	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0)
		return NULL;
	q = mailcrypt_quote((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return q;
}

/* "auto-signé" or "émis par « CN »" (new string). */
static char *
smime_issuer(X509 *x)
{
	char	*iss, *s;

	if (X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0)
		return xstrdup("auto-signé");
	iss = smime_cn(X509_get_issuer_name(x));
	xasprintf(&s, "émis par « %s »", iss != NULL ? iss : "?");
	free(iss);
	return s;
}

/* Fill key from the chosen certificate. */
static int
smime_fill(X509 *x, int id, const char *addr, int64_t not_after,
    struct mailcrypt_key *key, char **cause)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int	 mdlen, i;
	char		*subj, *iss, *qa, d[16];
	int		 n;

	if ((n = i2d_X509(x, &der)) <= 0 ||
	    !X509_digest(x, EVP_sha256(), md, &mdlen)) {
		OPENSSL_free(der);
		util_cause(cause, "le certificat ne peut pas être réencodé");
		return -1;
	}
	key->kind = MAILCRYPT_SMIME;
	key->not_after = not_after;
	key->len = (size_t)n;
	key->data = xmalloc(key->len);
	memcpy(key->data, der, key->len);
	OPENSSL_free(der);
	for (i = 0; i < mdlen && 2 * i + 2 <= MAILCRYPT_FPR_LEN; i++)
		snprintf(key->fingerprint + 2 * i, 3, "%02X", md[i]);
	subj = smime_cn(X509_get_subject_name(x));
	iss = smime_issuer(x);
	qa = mailcrypt_quote(addr, strlen(addr));
	xasprintf(&key->desc, "certificat S/MIME %s %d bits de %s%s%s%s, %s, "
	    "valable jusqu'au %s, empreinte SHA-256 %.*s…",
	    id == EVP_PKEY_RSA ? "RSA" : "EC",
	    EVP_PKEY_get_bits(X509_get0_pubkey(x)), qa,
	    subj != NULL ? " (« " : "", subj != NULL ? subj : "",
	    subj != NULL ? " »)" : "", iss,
	    mailcrypt_date(not_after, d, sizeof d), SMIME_FPR_SHOWN,
	    key->fingerprint);
	free(subj);
	free(iss);
	free(qa);
	return 0;
}

int
mailcrypt_smime_check(const uint8_t *in, size_t len, const char *addr,
    int64_t now, struct mailcrypt_key *key, char **cause)
{
	X509		*x;
	int64_t		 not_after;
	int		 id, rc = 0;

	if ((x = smime_load(in, len, addr, now, &not_after, &id, cause)) ==
	    NULL)
		return -1;
	if (key != NULL)
		rc = smime_fill(x, id, addr, not_after, key, cause);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

int
mailcrypt_smime_encrypt(const uint8_t *key, size_t keylen, const char *addr,
    int64_t now, const char *plain, size_t plen, struct mailcrypt_buf *out,
    char **cause)
{
	STACK_OF(X509)		*to = NULL;
	CMS_ContentInfo		*cms = NULL;
	BIO			*in = NULL, *mem = NULL;
	BUF_MEM			*bm;
	X509			*x;
	int64_t			 not_after;
	int			 id, rc = -1;

	if ((x = smime_load(key, keylen, addr, now, &not_after, &id, cause)) ==
	    NULL)
		return -1;
	if ((to = sk_X509_new_null()) == NULL || !sk_X509_push(to, x) ||
	    (in = BIO_new_mem_buf(plain, (int)plen)) == NULL ||
	    (mem = BIO_new(BIO_s_mem())) == NULL)
		goto fail;
	cms = CMS_encrypt(to, in, EVP_aes_256_cbc(), CMS_BINARY);
	if (cms == NULL || !i2d_CMS_bio(mem, cms))
		goto fail;
	BIO_get_mem_ptr(mem, &bm);
	mailcrypt_buf_add(out, bm->data, bm->length);
	rc = 0;
fail:
	if (rc == -1)
		util_cause(cause, "OpenSSL n'a pas pu chiffrer le message "
		    "(CMS) : %s", ERR_reason_error_string(ERR_peek_error()) ?
		    ERR_reason_error_string(ERR_peek_error()) : "cause inconnue");
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(mem);
	if (to != NULL)
		sk_X509_free(to);
	X509_free(x);
	ERR_clear_error();
	return rc;
}
