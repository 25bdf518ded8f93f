/*
 * mailcrypt_pgp.c: OpenPGP public keys and encryption with librnp, in
 * process (mailcrypt_int.h).
 *
 * Each call makes its own librnp context and imports the key from memory:
 * no keyring file, no agent, nothing left behind.  The context's clock is
 * set to the caller's now, so that validity (expiry, revocation, binding
 * signatures) is judged at that time.  A file holds exactly one primary
 * key (with its user IDs and subkeys), armored or binary; a secret key
 * refuses the whole file.
 *
 * The key encrypted to is the newest valid key allowed to encrypt, the
 * primary or a subkey, as GnuPG chooses.  The message is AES-256, no AEAD
 * (GnuPG 2.2 and Thunderbird read it), uncompressed, armored.
 *
 * Debian's librnp is built with its console log on, which no call turns
 * off: a key that does not parse makes it print lines such as
 * "[armored_src_read() ...] premature end of armored input" on standard
 * error: source locations, offsets, at most an armor header name of the
 * file (which comes from the person editing, not from a message).  The
 * encryption itself prints nothing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rnp/rnp.h>

#include "mailcrypt.h"
#include "mailcrypt_int.h"
#include "util.h"

#define PGP_FPR_SHOWN		4	/* groups of 4 hex digits shown */

/* A key imported into its own librnp context. */
struct pgp {
	rnp_ffi_t		 ffi;
	rnp_key_handle_t	 primary;
	rnp_key_handle_t	 enc;		/* the key encrypted to */
	int64_t			 not_after;	/* 0: never */
};

static const char pgp_fix[] = "donnez la clé publique OpenPGP de la "
    "personne (gpg --export --armor ADRESSE)";

static void
pgp_close(struct pgp *p)
{
	if (p->enc != p->primary)
		rnp_key_handle_destroy(p->enc);
	rnp_key_handle_destroy(p->primary);
	if (p->ffi != NULL)
		rnp_ffi_destroy(p->ffi);
	memset(p, 0, sizeof *p);
}

/* Refuse, before parsing, what the armor says is not a public key. */
static int
pgp_armor_kind(const uint8_t *in, size_t len, char **cause)
{
	if (memmem(in, len, "-----BEGIN PGP PRIVATE KEY", 26) != NULL ||
	    memmem(in, len, "-----BEGIN PGP SECRET KEY", 25) != NULL) {
		util_cause(cause, "ce fichier contient une clé secrète OpenPGP "
		    ": il n'a pas été gardé.  Ne transmettez jamais une clé "
		    "secrète ; exportez seulement la clé publique (gpg --export "
		    "--armor ADRESSE, sans --export-secret-keys)");
		return -1;
	}
	if (memmem(in, len, "-----BEGIN CERTIFICATE", 22) != NULL ||
	    memmem(in, len, "-----BEGIN PKCS7", 16) != NULL) {
		util_cause(cause, "ce fichier est un certificat S/MIME, pas une "
		    "clé OpenPGP : donnez-le avec --smime-cert");
		return -1;
	}
	if (memmem(in, len, "-----BEGIN PGP MESSAGE", 22) != NULL ||
	    memmem(in, len, "-----BEGIN PGP SIGNATURE", 24) != NULL ||
	    memmem(in, len, "-----BEGIN PGP SIGNED", 21) != NULL) {
		util_cause(cause, "ce fichier est un message ou une signature "
		    "OpenPGP, pas une clé : %s", pgp_fix);
		return -1;
	}
	return 0;
}

/* The one primary key of the context; NULL with *cause. */
static rnp_key_handle_t
pgp_primary(rnp_ffi_t ffi, char **cause)
{
	rnp_identifier_iterator_t	 it;
	rnp_key_handle_t		 k, found = NULL;
	const char			*fpr;
	bool				 primary;
	int				 n = 0;

	if (rnp_identifier_iterator_create(ffi, &it, "fingerprint") != 0)
		return NULL;
	while (rnp_identifier_iterator_next(it, &fpr) == 0 && fpr != NULL) {
		k = NULL;
		if (rnp_locate_key(ffi, "fingerprint", fpr, &k) != 0 ||
		    k == NULL)
			continue;
		if (rnp_key_is_primary(k, &primary) == 0 && primary &&
		    n++ == 0)
			found = k;
		else
			rnp_key_handle_destroy(k);
	}
	rnp_identifier_iterator_destroy(it);
	if (n == 1)
		return found;
	rnp_key_handle_destroy(found);
	if (n == 0)
		util_cause(cause, "ce fichier ne contient pas de clé publique "
		    "OpenPGP complète (seulement une sous-clé ou des "
		    "signatures) : %s", pgp_fix);
	else
		util_cause(cause, "ce fichier contient %d clés OpenPGP : "
		    "exportez seulement celle de la personne (gpg --export "
		    "--armor EMPREINTE)", n);
	return NULL;
}

/*
 * The armored key blocks of the file, from the first BEGIN line to the
 * end of the last END line, without the text around them (a key pasted
 * in a message, a blank line at the end); the whole file when it is not
 * armored.
 */
static void
pgp_armor_span(const uint8_t **in, size_t *len)
{
	static const char	 begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	static const char	 end[] = "-----END PGP PUBLIC KEY BLOCK-----";
	const uint8_t		*b, *e, *last = NULL, *p = *in;
	size_t			 n = *len;

	if ((b = memmem(p, n, begin, sizeof begin - 1)) == NULL)
		return;
	for (e = b; (e = memmem(e, n - (size_t)(e - p), end,
	    sizeof end - 1)) != NULL; e += sizeof end - 1)
		last = e + sizeof end - 1;
	if (last == NULL)
		return;
	/* one line end: librnp 0.16 fails on blank lines after the block */
	if (last < p + n && *last == '\r')
		last++;
	if (last < p + n && *last == '\n')
		last++;
	*in = b;
	*len = (size_t)(last - b);
}

/* Import the file into a new context; p->primary is its one key. */
static int
pgp_import(struct pgp *p, const uint8_t *in, size_t len, int64_t now,
    char **cause)
{
	rnp_input_t	 input = NULL;
	size_t		 nsec = 0;
	int		 rc;

	if (rnp_ffi_create(&p->ffi, "GPG", "GPG") != 0) {
		p->ffi = NULL;
		util_cause(cause, "librnp ne démarre pas");
		return -1;
	}
	if (now > 0)
		rnp_set_timestamp(p->ffi, (uint64_t)now);
	pgp_armor_span(&in, &len);
	if (rnp_input_from_memory(&input, in, len, false) != 0) {
		util_cause(cause, "librnp ne peut pas lire la clé");
		return -1;
	}
	rc = rnp_import_keys(p->ffi, input, RNP_LOAD_SAVE_PUBLIC_KEYS |
	    RNP_LOAD_SAVE_SECRET_KEYS, NULL);
	rnp_input_destroy(input);
	if (rc != 0) {
		util_cause(cause, "ce fichier n'est pas une clé OpenPGP lisible "
		    "(coupé, abîmé ou d'un autre format) : %s", pgp_fix);
		return -1;
	}
	if (rnp_get_secret_key_count(p->ffi, &nsec) != 0 || nsec > 0) {
		util_cause(cause, "ce fichier contient une clé secrète OpenPGP "
		    ": il n'a pas été gardé.  Ne transmettez jamais une clé "
		    "secrète ; exportez seulement la clé publique (gpg --export "
		    "--armor ADRESSE)");
		return -1;
	}
	if ((p->primary = pgp_primary(p->ffi, cause)) == NULL)
		return -1;
	return 0;
}

/* Until when k is valid, 0 when never, INT64_MAX when forever. */
static int64_t
pgp_till(rnp_key_handle_t k)
{
	uint64_t	 t = 0;

	if (rnp_key_valid_till64(k, &t) != 0)
		return 0;
	return t > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)t;
}

/* Whether k may be encrypted to at now. */
static int
pgp_usable(rnp_key_handle_t k, int64_t now)
{
	bool	 enc = false, valid = false, revoked = true;

	rnp_key_allows_usage(k, "encrypt", &enc);
	rnp_key_is_valid(k, &valid);
	rnp_key_is_revoked(k, &revoked);
	return enc && valid && !revoked && pgp_till(k) > now;
}

/* The primary key is neither revoked, nor expired, nor invalid. */
static int
pgp_judge_primary(rnp_key_handle_t k, int64_t now, char **cause)
{
	bool		 revoked = false, valid = false;
	int64_t		 till = pgp_till(k);
	uint32_t	 created = 0;
	char		 d[16];

	rnp_key_is_revoked(k, &revoked);
	rnp_key_is_valid(k, &valid);
	if (rnp_key_get_creation(k, &created) == 0 && created > now) {
		util_cause(cause, "la clé OpenPGP n'est valable qu'à partir du "
		    "%s (l'horloge de l'ordinateur qui l'a créée avance ?) : "
		    "réessayez ce jour-là, ou demandez une clé déjà valable",
		    mailcrypt_date(created, d, sizeof d));
		return -1;
	}
	if (revoked) {
		util_cause(cause, "la clé OpenPGP a été révoquée par la personne "
		    ": demandez-lui sa nouvelle clé");
		return -1;
	}
	if (till > 0 && till <= now) {
		util_cause(cause, "la clé OpenPGP a expiré le %s : demandez à la "
		    "personne de la prolonger (gpg --quick-set-expire) et de "
		    "vous la renvoyer", mailcrypt_date(till, d, sizeof d));
		return -1;
	}
	if (!valid) {
		util_cause(cause, "la clé OpenPGP n'est pas valide (pas "
		    "d'auto-signature correcte) : %s", pgp_fix);
		return -1;
	}
	return 0;
}

/* The user IDs of k, quoted, for a message (new string, maybe ""). */
static char *
pgp_uids(rnp_key_handle_t k)
{
	struct mailcrypt_buf	 b = { NULL, 0, 0 };
	size_t			 i, n = 0;
	char			*uid, *q;

	mailcrypt_buf_str(&b, "");
	rnp_key_get_uid_count(k, &n);
	for (i = 0; i < n && i < MAILCRYPT_ADDRS_SHOWN; i++) {
		if (rnp_key_get_uid_at(k, i, &uid) != 0)
			continue;
		q = mailcrypt_quote(uid, strlen(uid));
		mailcrypt_buf_str(&b, b.len > 0 ? " ; « " : "« ");
		mailcrypt_buf_str(&b, q);
		mailcrypt_buf_str(&b, " »");
		free(q);
		rnp_buffer_destroy(uid);
	}
	if (n > MAILCRYPT_ADDRS_SHOWN)
		mailcrypt_buf_str(&b, " ; …");
	return b.s;
}

/* The first valid user ID of k with addr (new string); NULL with *cause. */
static char *
pgp_judge_uid(rnp_key_handle_t k, const char *addr, char **cause)
{
	rnp_uid_handle_t	 h;
	size_t			 i, n = 0;
	bool			 revoked, valid;
	char			*uid, *found = NULL, *all;

	rnp_key_get_uid_count(k, &n);
	for (i = 0; i < n && found == NULL; i++) {
		if (rnp_key_get_uid_handle_at(k, i, &h) != 0)
			continue;
		revoked = true;
		valid = false;
		rnp_uid_is_revoked(h, &revoked);
		rnp_uid_is_valid(h, &valid);
		rnp_uid_handle_destroy(h);
		if (revoked || !valid || rnp_key_get_uid_at(k, i, &uid) != 0)
			continue;
		if (mailcrypt_uid_has(uid, addr))
			found = mailcrypt_quote(uid, strlen(uid));
		rnp_buffer_destroy(uid);
	}
	if (found != NULL)
		return found;
	all = pgp_uids(k);
	util_cause(cause, "l'adresse %s n'est dans aucune identité valable de "
	    "la clé OpenPGP (elle porte : %s) : vérifiez l'adresse de la "
	    "personne, ou demandez-lui d'ajouter cette adresse à sa clé (gpg "
	    "--quick-add-uid)", addr, *all != '\0' ? all : "aucune");
	free(all);
	return NULL;
}

/* Why no key of p can encrypt, as a message. */
static void
pgp_no_enc(rnp_key_handle_t *keys, size_t n, int64_t now, char **cause)
{
	size_t		 i, capable = 0;
	int64_t		 last = 0, till;
	bool		 enc, revoked;
	char		 d[16];

	for (i = 0; i < n; i++) {
		enc = revoked = false;
		rnp_key_allows_usage(keys[i], "encrypt", &enc);
		rnp_key_is_revoked(keys[i], &revoked);
		if (!enc)
			continue;
		capable++;
		till = pgp_till(keys[i]);
		if (!revoked && till > last && till <= now)
			last = till;
	}
	if (capable == 0)
		util_cause(cause, "la clé OpenPGP ne sert qu'à signer : elle n'a "
		    "pas de sous-clé de chiffrement ; demandez à la personne "
		    "d'en ajouter une (gpg --quick-add-key EMPREINTE default "
		    "encr) et de vous renvoyer sa clé publique");
	else if (last > 0)
		util_cause(cause, "la sous-clé de chiffrement de la clé OpenPGP "
		    "a expiré le %s : demandez à la personne de la prolonger "
		    "(gpg --quick-set-expire) et de vous renvoyer sa clé "
		    "publique", mailcrypt_date(last, d, sizeof d));
	else
		util_cause(cause, "la sous-clé de chiffrement de la clé OpenPGP "
		    "est révoquée ou invalide : demandez à la personne sa "
		    "nouvelle clé publique");
}

/* The bits of k when it is RSA or ElGamal and too short; else 0. */
static uint32_t
pgp_weak(rnp_key_handle_t k)
{
	uint32_t	 bits = 0;
	char		*alg = NULL;
	int		 factoring;

	if (rnp_key_get_alg(k, &alg) != 0 || alg == NULL)
		return 0;
	factoring = strcmp(alg, "RSA") == 0 || strcmp(alg, "ELGAMAL") == 0;
	rnp_buffer_destroy(alg);
	if (!factoring || rnp_key_get_bits(k, &bits) != 0 ||
	    bits >= MAILCRYPT_RSA_MIN)
		return 0;
	return bits;
}

/* Choose p->enc: the newest usable key, primary or subkey. */
static int
pgp_judge_enc(struct pgp *p, int64_t now, char **cause)
{
	rnp_key_handle_t	 keys[64];
	size_t			 i, n = 1, nsub = 0;
	uint32_t		 created, best = 0, bits;
	int			 rc = -1;

	keys[0] = p->primary;
	rnp_key_get_subkey_count(p->primary, &nsub);
	for (i = 0; i < nsub && n < sizeof keys / sizeof keys[0]; i++)
		if (rnp_key_get_subkey_at(p->primary, i, &keys[n]) == 0)
			n++;
	for (i = 0; i < n; i++) {
		created = 0;
		rnp_key_get_creation(keys[i], &created);
		if (pgp_usable(keys[i], now) && (p->enc == NULL ||
		    created >= best)) {
			p->enc = keys[i];
			best = created;
		}
	}
	if (p->enc == NULL)
		pgp_no_enc(keys, n, now, cause);
	else if ((bits = pgp_weak(p->enc)) > 0)
		util_cause(cause, "la clé de chiffrement OpenPGP n'a que %u bits, "
		    "trop peu pour protéger un message (%d au moins) : "
		    "demandez à la personne une nouvelle clé", bits,
		    MAILCRYPT_RSA_MIN);
	else {
		p->not_after = pgp_till(p->enc) == INT64_MAX ? 0 :
		    pgp_till(p->enc);
		rc = 0;
	}
	/* keys[0] is p->primary; keep p->enc, drop the other subkeys */
	for (i = 1; i < n; i++)
		if (keys[i] != p->enc)
			rnp_key_handle_destroy(keys[i]);
	if (rc == -1) {
		if (p->enc != NULL && p->enc != p->primary)
			rnp_key_handle_destroy(p->enc);
		p->enc = NULL;
	}
	return rc;
}

/* Import the file and judge it for addr at now; *uid the user ID found. */
static int
pgp_load(struct pgp *p, const uint8_t *in, size_t len, const char *addr,
    int64_t now, char **uid, char **cause)
{
	memset(p, 0, sizeof *p);
	*uid = NULL;
	if (pgp_armor_kind(in, len, cause) == -1 ||
	    pgp_import(p, in, len, now, cause) == -1 ||
	    pgp_judge_primary(p->primary, now, cause) == -1 ||
	    (*uid = pgp_judge_uid(p->primary, addr, cause)) == NULL ||
	    pgp_judge_enc(p, now, cause) == -1) {
		free(*uid);
		*uid = NULL;
		pgp_close(p);
		return -1;
	}
	return 0;
}

/* The primary key, public part and subkeys, in binary into key. */
static int
pgp_export(struct pgp *p, struct mailcrypt_key *key)
{
	rnp_output_t	 out = NULL;
	uint8_t		*buf;
	size_t		 len;
	int		 rc = -1;

	if (rnp_output_to_memory(&out, 0) != 0)
		return -1;
	if (rnp_key_export(p->primary, out, RNP_KEY_EXPORT_PUBLIC |
	    RNP_KEY_EXPORT_SUBKEYS) == 0 &&
	    rnp_output_memory_get_buf(out, &buf, &len, false) == 0 &&
	    len > 0) {
		key->data = xmalloc(len);
		memcpy(key->data, buf, len);
		key->len = len;
		rc = 0;
	}
	rnp_output_destroy(out);
	return rc;
}

/* Fill key from the judged p. */
static int
pgp_fill(struct pgp *p, const char *uid, struct mailcrypt_key *key,
    char **cause)
{
	char		*fpr = NULL, *alg = NULL, shown[5 * PGP_FPR_SHOWN + 1];
	char		 till[48], d[16], group[5];
	uint32_t	 bits = 0;
	size_t		 i;

	if (rnp_key_get_fprint(p->primary, &fpr) != 0 ||
	    pgp_export(p, key) == -1) {
		rnp_buffer_destroy(fpr);
		util_cause(cause, "librnp ne peut pas réexporter la clé");
		return -1;
	}
	key->kind = MAILCRYPT_PGP;
	key->not_after = p->not_after;
	util_strlcpy(key->fingerprint, fpr, sizeof key->fingerprint);
	rnp_buffer_destroy(fpr);
	shown[0] = '\0';
	for (i = 0; i < PGP_FPR_SHOWN && 4 * i + 4 <= strlen(key->fingerprint);
	    i++) {
		if (i > 0)
			util_strlcat(shown, " ", sizeof shown);
		group[0] = '\0';
		strncat(group, key->fingerprint + 4 * i, 4);
		util_strlcat(shown, group, sizeof shown);
	}
	rnp_key_get_alg(p->primary, &alg);
	rnp_key_get_bits(p->primary, &bits);
	if (p->not_after == 0)
		util_strlcpy(till, "sans date d'expiration", sizeof till);
	else
		snprintf(till, sizeof till, "valable jusqu'au %s",
		    mailcrypt_date(p->not_after, d, sizeof d));
	xasprintf(&key->desc, "clé OpenPGP %s %u bits de « %s », %s, "
	    "empreinte %s…", alg != NULL ? alg : "?", bits, uid, till, shown);
	rnp_buffer_destroy(alg);
	return 0;
}

int
mailcrypt_pgp_check(const uint8_t *in, size_t len, const char *addr,
    int64_t now, struct mailcrypt_key *key, char **cause)
{
	struct pgp	 p;
	char		*uid;
	int		 rc = 0;

	if (pgp_load(&p, in, len, addr, now, &uid, cause) == -1)
		return -1;
	if (key != NULL)
		rc = pgp_fill(&p, uid, key, cause);
	free(uid);
	pgp_close(&p);
	return rc;
}

int
mailcrypt_pgp_encrypt(const uint8_t *key, size_t keylen, const char *addr,
    int64_t now, const char *plain, size_t plen, struct mailcrypt_buf *out,
    char **cause)
{
	struct pgp		 p;
	rnp_input_t		 in = NULL;
	rnp_output_t		 mem = NULL;
	rnp_op_encrypt_t	 op = NULL;
	uint8_t			*buf;
	size_t			 len;
	char			*uid;
	int			 rc = -1;

	if (pgp_load(&p, key, keylen, addr, now, &uid, cause) == -1)
		return -1;
	free(uid);
	if (rnp_input_from_memory(&in, (const uint8_t *)plain, plen,
	    false) != 0 || rnp_output_to_memory(&mem, 0) != 0 ||
	    rnp_op_encrypt_create(&op, p.ffi, in, mem) != 0)
		goto fail;
	if (rnp_op_encrypt_set_armor(op, true) != 0 ||
	    rnp_op_encrypt_set_cipher(op, RNP_ALGNAME_AES_256) != 0 ||
	    rnp_op_encrypt_set_aead(op, "None") != 0 ||
	    rnp_op_encrypt_set_compression(op, "Uncompressed", 0) != 0 ||
	    rnp_op_encrypt_add_recipient(op, p.enc) != 0 ||
	    rnp_op_encrypt_execute(op) != 0 ||
	    rnp_output_memory_get_buf(mem, &buf, &len, false) != 0)
		goto fail;
	mailcrypt_buf_crlf(out, (const char *)buf, len);
	rc = 0;
fail:
	if (rc == -1)
		util_cause(cause, "librnp n'a pas pu chiffrer le message");
	rnp_op_encrypt_destroy(op);
	rnp_input_destroy(in);
	rnp_output_destroy(mem);
	pgp_close(&p);
	return rc;
}
