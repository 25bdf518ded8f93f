/*
 * mailcrypt.c: the contract of mailcrypt.h; the message itself.
 *
 * The message given is split into its header fields and its body.  The
 * inner entity, the one that is encrypted, is the original message's own
 * MIME entity: its Content-* fields, with protected-headers="v1" and
 * hp="cipher" added to its Content-Type, after every other field of the
 * original (From, To, Subject, Date, Message-ID, Auto-Submitted...) and
 * one HP-Outer field per field left outside (RFC 9788); then the body,
 * byte for byte.  A client that knows protected headers (Thunderbird)
 * shows the real subject; one that does not (Outlook, Apple Mail) shows
 * the body, which is the whole message, under the neutral subject.  This
 * was preferred to a message/rfc822 wrapping (RFC 8551 3.1), which Outlook
 * shows as an attachment to open.
 *
 * The outer message carries From, To, Date and Auto-Submitted as they
 * were, a random Message-ID (the original one is derived from the outbox
 * key, which names the kind and time of the event), the neutral Subject,
 * and the encrypted part: application/pkcs7-mime in base64, or
 * multipart/encrypted with a random boundary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "guard.h"
#include "mailcrypt.h"
#include "mailcrypt_int.h"
#include "utf8.h"
#include "util.h"

#define MC_FIELDS_MAX		64	/* header fields of a message */
#define MC_LINE_MAX		998	/* octets of a line, RFC 5322 2.1.1 */
#define MC_NAME_MAX		76	/* of a field name */
#define MC_MSGID_MAX		250
#define MC_B64_LINE		57	/* bytes per 76-column base64 line */
#define MC_WORD_BYTES		39	/* bytes per RFC 2047 "B" word */
#define MC_SUBJECT_PLAIN	68	/* an ASCII subject this long stays */
#define MC_RANDOM_BYTES		16	/* of a boundary, a Message-ID */

/* One header field: name and value point into the normalised message;
 * raw is the whole field, folding kept, without its last CRLF. */
struct mc_field {
	const char	*raw;
	size_t		 rawlen;
	size_t		 namelen;
};

/* The message, its line ends made CRLF, split. */
struct mc_msg {
	struct mailcrypt_buf	 norm;		/* plaintext: wiped */
	struct mc_field		 f[MC_FIELDS_MAX];
	size_t			 nf;
	const char		*body;
	size_t			 bodylen;
	const struct mc_field	*from, *to, *date, *autosub, *ctype;
};

/* The outer fields, written once and repeated as HP-Outer. */
struct mc_outer {
	struct mailcrypt_buf	 subject;	/* "Subject: ..." */
	char			 msgid[MC_MSGID_MAX + 64];
};

/* -- the message given ------------------------------------------------ */

/* Whether field f is called name. */
static int
mc_is(const struct mc_field *f, const char *name)
{
	return f->namelen == strlen(name) &&
	    strncasecmp(f->raw, name, f->namelen) == 0;
}

/* The length of a field name at the start of line, 0 when none. */
static size_t
mc_name(const char *line, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && i <= MC_NAME_MAX; i++) {
		if (line[i] == ':')
			return i;
		if ((unsigned char)line[i] <= 0x20 ||
		    (unsigned char)line[i] > 0x7e)
			return 0;
	}
	return 0;
}

/* Split the header lines of m->norm into fields; -1 with *cause. */
static int
mc_split(struct mc_msg *m, char **cause)
{
	const char	*p = m->norm.s, *end = p + m->norm.len, *eol;
	struct mc_field	*f = NULL;
	size_t		 n;

	for (; p < end; p = eol + 2) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			break;
		n = (size_t)(eol - p);
		if (n == 0) {
			m->body = eol + 2;
			m->bodylen = (size_t)(end - m->body);
			return 0;
		}
		if (n > MC_LINE_MAX)
			break;
		if (*p == ' ' || *p == '\t') {
			if (f == NULL)
				break;
			f->rawlen = (size_t)(eol - f->raw);
			continue;
		}
		if (m->nf == MC_FIELDS_MAX || mc_name(p, n) == 0)
			break;
		f = &m->f[m->nf++];
		f->raw = p;
		f->rawlen = n;
		f->namelen = mc_name(p, n);
	}
	util_cause(cause, "le message à chiffrer n'a pas un en-tête valable "
	    "(champ %zu) : il n'a pas été envoyé", m->nf + 1);
	return -1;
}

/* Set *slot to the one field called name; -1 when there are two. */
static int
mc_one(struct mc_msg *m, const char *name, const struct mc_field **slot)
{
	size_t	 i;

	*slot = NULL;
	for (i = 0; i < m->nf; i++) {
		if (!mc_is(&m->f[i], name))
			continue;
		if (*slot != NULL)
			return -1;
		*slot = &m->f[i];
	}
	return 0;
}

/* Whether f is plain printable ASCII, folding aside: it may go outside. */
static int
mc_clean(const struct mc_field *f)
{
	size_t	 i;

	for (i = 0; f != NULL && i < f->rawlen; i++)
		if (((unsigned char)f->raw[i] < 0x20 ||
		    (unsigned char)f->raw[i] > 0x7e) && f->raw[i] != '\r' &&
		    f->raw[i] != '\n' && f->raw[i] != '\t')
			return 0;
	return 1;
}

/* Whether the one mailbox of To is addr. */
static int
mc_to_is(const struct mc_field *to, const char *addr)
{
	const char	*v = to->raw + to->namelen + 1, *end = to->raw +
			    to->rawlen, *lt = NULL, *gt = NULL, *p;
	int		 quoted = 0, angle = 0;

	for (p = v; p < end; p++) {
		if (*p == '\\' && quoted && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<' && !angle)
			angle = 1, lt = p;
		else if (!quoted && *p == '>' && angle)
			angle = 0, gt = p;
		else if (!quoted && !angle && *p == ',')
			return 0;	/* several recipients */
	}
	if (lt != NULL && gt != NULL)
		return mailcrypt_addr_eq(lt + 1, (size_t)(gt - lt - 1), addr);
	while (v < end && strchr(" \t\r\n", *v) != NULL)
		v++;
	while (end > v && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	return mailcrypt_addr_eq(v, (size_t)(end - v), addr);
}

/* Read msg into m: normalised, split, its fields checked. */
static int
mc_read(struct mc_msg *m, const char *msg, size_t len, const char *addr,
    char **cause)
{
	memset(m, 0, sizeof *m);
	if (len > MAILCRYPT_MSG_MAX) {
		util_cause(cause, "le message à chiffrer fait %zu octets, plus "
		    "que les %d permis", len, MAILCRYPT_MSG_MAX);
		return -1;
	}
	if (memchr(msg, '\0', len) != NULL) {
		util_cause(cause, "le message à chiffrer contient un octet nul");
		return -1;
	}
	mailcrypt_buf_crlf(&m->norm, msg, len);
	if (mc_split(m, cause) == -1)
		return -1;
	if (mc_one(m, "From", &m->from) == -1 || mc_one(m, "To", &m->to) ==
	    -1 || mc_one(m, "Date", &m->date) == -1 ||
	    mc_one(m, "Auto-Submitted", &m->autosub) == -1 ||
	    mc_one(m, "Content-Type", &m->ctype) == -1 || m->from == NULL ||
	    m->to == NULL) {
		util_cause(cause, "le message à chiffrer doit avoir un champ "
		    "From et un champ To, et au plus un Date, un "
		    "Auto-Submitted et un Content-Type");
		return -1;
	}
	if (!mc_clean(m->from) || !mc_clean(m->to) || !mc_clean(m->date) ||
	    !mc_clean(m->autosub)) {
		util_cause(cause, "un champ From, To, Date ou Auto-Submitted du "
		    "message à chiffrer n'est pas en ASCII (RFC 2047 attendu)");
		return -1;
	}
	if (!mc_to_is(m->to, addr)) {
		util_cause(cause, "le champ To du message n'est pas la seule "
		    "adresse de la clé : rien n'a été chiffré");
		return -1;
	}
	return 0;
}

/* -- the outer fields ------------------------------------------------- */

/* Append the n bytes at p in base64, lines of 76 columns and CRLF. */
static void
mc_base64(struct mailcrypt_buf *b, const uint8_t *p, size_t n)
{
	unsigned char	 line[80];
	size_t		 i, k;
	int		 o;

	for (i = 0; i < n; i += k) {
		k = n - i < MC_B64_LINE ? n - i : MC_B64_LINE;
		o = EVP_EncodeBlock(line, p + i, (int)k);
		mailcrypt_buf_add(b, line, (size_t)o);
		mailcrypt_buf_add(b, "\r\n", 2);
	}
}

/* The byte length of at most max bytes of s that end on a character. */
static size_t
mc_chunk(const char *s, size_t n, size_t max)
{
	size_t		 i = 0, k;
	uint32_t	 cp;

	while (i < n) {
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

/* "Subject: " and the neutral subject, as is when short plain ASCII,
 * else RFC 2047 "B" words of whole characters, folded. */
static int
mc_subject(struct mailcrypt_buf *b, const char *s, char **cause)
{
	unsigned char	 word[64];
	char		*why = NULL;
	size_t		 n = strlen(s), i, k;
	int		 o;

	if (n == 0 || utf8_len(s) > MAILCRYPT_SUBJECT_MAX ||
	    guard_input_check(s, 0, &why) == -1) {
		util_cause(cause, "le sujet neutre n'est pas une ligne de 1 à %d "
		    "caractères visibles%s%s", MAILCRYPT_SUBJECT_MAX,
		    why != NULL ? " : " : "", why != NULL ? why : "");
		free(why);
		return -1;
	}
	mailcrypt_buf_str(b, "Subject: ");
	for (i = 0; i < n && (unsigned char)s[i] >= 0x20 &&
	    (unsigned char)s[i] < 0x7f; i++)
		;
	if (i == n && n <= MC_SUBJECT_PLAIN && strstr(s, "=?") == NULL) {
		mailcrypt_buf_str(b, s);
		return 0;
	}
	for (i = 0; i < n; i += k) {
		k = mc_chunk(s + i, n - i, MC_WORD_BYTES);
		if (k == 0)
			k = 1;
		o = EVP_EncodeBlock(word, (const unsigned char *)s + i, (int)k);
		mailcrypt_buf_str(b, i > 0 ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		mailcrypt_buf_add(b, word, (size_t)o);
		mailcrypt_buf_str(b, "?=");
	}
	return 0;
}

/* The caller's Message-ID is "<left@right>", printable, no blank. */
static int
mc_msgid_ok(const char *id)
{
	size_t	 n = strlen(id), i, at = 0;

	if (n < 5 || n > MC_MSGID_MAX || id[0] != '<' || id[n - 1] != '>')
		return 0;
	for (i = 1; i < n - 1; i++) {
		if ((unsigned char)id[i] <= 0x20 ||
		    (unsigned char)id[i] > 0x7e || id[i] == '<' ||
		    id[i] == '>')
			return 0;
		at += id[i] == '@';
	}
	return at == 1 && id[1] != '@' && id[n - 2] != '@';
}

/* The domain of From's address into dom (a host name), or "localhost". */
static void
mc_from_domain(const struct mc_field *from, char *dom, size_t len)
{
	const char	*p = from->raw + from->rawlen, *at = NULL, *e;
	size_t		 n;

	for (; p > from->raw + from->namelen; p--)
		if (p[-1] == '@') {
			at = p;
			break;
		}
	for (e = at; e != NULL && e < from->raw + from->rawlen &&
	    (strchr(".-", *e) != NULL || (*e >= '0' && *e <= '9') ||
	    (*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z')); e++)
		;
	n = at != NULL ? (size_t)(e - at) : 0;
	if (n == 0 || n >= len) {
		util_strlcpy(dom, "localhost", len);
		return;
	}
	memcpy(dom, at, n);
	dom[n] = '\0';
}

/* Prepare the outer Subject and Message-ID. */
static int
mc_outer(struct mc_outer *o, const struct mailcrypt_wrap *w,
    const struct mc_msg *m, char **cause)
{
	char	 hex[2 * MC_RANDOM_BYTES + 1], dom[256];

	memset(o, 0, sizeof *o);
	if (mc_subject(&o->subject, w->subject != NULL ? w->subject : "",
	    cause) == -1)
		return -1;
	if (w->msgid != NULL) {
		if (!mc_msgid_ok(w->msgid)) {
			util_cause(cause, "le Message-ID donné n'est pas de la "
			    "forme <gauche@droite> sur une ligne");
			return -1;
		}
		util_strlcpy(o->msgid, w->msgid, sizeof o->msgid);
		return 0;
	}
	if (mailcrypt_random_hex(hex, MC_RANDOM_BYTES) == -1) {
		util_cause(cause, "pas d'aléa pour le Message-ID");
		return -1;
	}
	mc_from_domain(m->from, dom, sizeof dom);
	snprintf(o->msgid, sizeof o->msgid, "<%s@%s>", hex, dom);
	return 0;
}

/* Append field f (or nothing when NULL), prefixed, with its CRLF. */
static void
mc_field_add(struct mailcrypt_buf *b, const char *prefix,
    const struct mc_field *f)
{
	if (f == NULL)
		return;
	mailcrypt_buf_str(b, prefix);
	mailcrypt_buf_add(b, f->raw, f->rawlen);
	mailcrypt_buf_add(b, "\r\n", 2);
}

/* The fields left outside, each prefixed (prefix "" or "HP-Outer: "). */
static void
mc_outer_fields(struct mailcrypt_buf *b, const char *prefix,
    const struct mc_msg *m, const struct mc_outer *o)
{
	mc_field_add(b, prefix, m->from);
	mc_field_add(b, prefix, m->to);
	mailcrypt_buf_str(b, prefix);
	mailcrypt_buf_add(b, o->subject.s, o->subject.len);
	mailcrypt_buf_add(b, "\r\n", 2);
	mc_field_add(b, prefix, m->date);
	mailcrypt_buf_str(b, prefix);
	mailcrypt_buf_str(b, "Message-ID: ");
	mailcrypt_buf_str(b, o->msgid);
	mailcrypt_buf_add(b, "\r\n", 2);
	mc_field_add(b, prefix, m->autosub);
}

/* -- the inner entity ------------------------------------------------- */

/* Content-Type with the protected headers parameters added. */
static void
mc_ctype(struct mailcrypt_buf *b, const struct mc_field *ct)
{
	size_t	 n;

	if (ct == NULL)
		mailcrypt_buf_str(b, "Content-Type: text/plain; "
		    "charset=us-ascii");
	else {
		for (n = ct->rawlen; n > ct->namelen + 1 &&
		    strchr(" \t\r\n;", ct->raw[n - 1]) != NULL; n--)
			;
		mailcrypt_buf_add(b, ct->raw, n);
	}
	mailcrypt_buf_str(b, ";\r\n protected-headers=\"v1\"; hp=\"cipher\"\r\n");
}

/* The entity to encrypt: original fields, HP-Outer, Content-*, body. */
static void
mc_inner(struct mailcrypt_buf *b, const struct mc_msg *m,
    const struct mc_outer *o)
{
	size_t	 i;

	for (i = 0; i < m->nf; i++)
		if (m->f[i].namelen < 8 ||
		    strncasecmp(m->f[i].raw, "Content-", 8) != 0)
			if (!mc_is(&m->f[i], "MIME-Version"))
				mc_field_add(b, "", &m->f[i]);
	mc_outer_fields(b, "HP-Outer: ", m, o);
	mc_ctype(b, m->ctype);
	for (i = 0; i < m->nf; i++)
		if (m->f[i].namelen >= 8 &&
		    strncasecmp(m->f[i].raw, "Content-", 8) == 0 &&
		    &m->f[i] != m->ctype)
			mc_field_add(b, "", &m->f[i]);
	mailcrypt_buf_add(b, "\r\n", 2);
	mailcrypt_buf_add(b, m->body, m->bodylen);
}

/* -- the outer message ------------------------------------------------ */

static int
mc_smime(struct mailcrypt_buf *b, const struct mailcrypt_wrap *w,
    const struct mailcrypt_buf *inner, char **cause)
{
	struct mailcrypt_buf	 der = { NULL, 0, 0 };

	if (mailcrypt_smime_encrypt(w->key, w->keylen, w->address, w->now,
	    inner->s, inner->len, &der, cause) == -1)
		return -1;
	mailcrypt_buf_str(b, "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data;\r\n name=\"smime.p7m\"\r\n"
	    "Content-Disposition: attachment; filename=\"smime.p7m\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	mc_base64(b, (const uint8_t *)der.s, der.len);
	free(der.s);
	return 0;
}

static int
mc_pgp(struct mailcrypt_buf *b, const struct mailcrypt_wrap *w,
    const struct mailcrypt_buf *inner, char **cause)
{
	struct mailcrypt_buf	 armor = { NULL, 0, 0 };
	char			 bnd[2 * MC_RANDOM_BYTES + 3];

	bnd[0] = '=';
	bnd[1] = '_';
	if (mailcrypt_random_hex(bnd + 2, MC_RANDOM_BYTES) == -1) {
		util_cause(cause, "pas d'aléa pour la frontière MIME");
		return -1;
	}
	if (mailcrypt_pgp_encrypt(w->key, w->keylen, w->address, w->now,
	    inner->s, inner->len, &armor, cause) == -1)
		return -1;
	mailcrypt_buf_str(b, "Content-Type: multipart/encrypted;\r\n"
	    " protocol=\"application/pgp-encrypted\";\r\n boundary=\"");
	mailcrypt_buf_str(b, bnd);
	mailcrypt_buf_str(b, "\"\r\n\r\nThis is an OpenPGP/MIME encrypted "
	    "message (RFC 4880 and 3156)\r\n--");
	mailcrypt_buf_str(b, bnd);
	mailcrypt_buf_str(b, "\r\nContent-Type: application/pgp-encrypted\r\n"
	    "Content-Description: PGP/MIME version identification\r\n\r\n"
	    "Version: 1\r\n\r\n--");
	mailcrypt_buf_str(b, bnd);
	mailcrypt_buf_str(b, "\r\nContent-Type: application/octet-stream; "
	    "name=\"encrypted.asc\"\r\n"
	    "Content-Description: OpenPGP encrypted message\r\n"
	    "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n");
	mailcrypt_buf_add(b, armor.s, armor.len);
	if (armor.len < 2 || armor.s[armor.len - 1] != '\n')
		mailcrypt_buf_add(b, "\r\n", 2);
	mailcrypt_buf_str(b, "\r\n--");
	mailcrypt_buf_str(b, bnd);
	mailcrypt_buf_str(b, "--\r\n");
	free(armor.s);
	return 0;
}

/* -- the API ---------------------------------------------------------- */

/* The address is one short line of printable ASCII with an '@'. */
static int
mc_addr_ok(const char *addr, char **cause)
{
	size_t	 i, n = addr != NULL ? strlen(addr) : 0;

	for (i = 0; i < n; i++)
		if ((unsigned char)addr[i] <= 0x20 ||
		    (unsigned char)addr[i] >= 0x7f)
			break;
	if (n == 0 || n > 254 || i < n || strchr(addr, '@') == NULL) {
		util_cause(cause, "l'adresse de la personne n'est pas une "
		    "adresse électronique valable");
		return -1;
	}
	return 0;
}

int
mailcrypt_check(enum mailcrypt_kind kind, const void *in, size_t len,
    const char *address, int64_t now, struct mailcrypt_key *key,
    char **cause)
{
	if (key != NULL)
		memset(key, 0, sizeof *key);
	if (mc_addr_ok(address, cause) == -1)
		return -1;
	if (len == 0) {
		util_cause(cause, "le fichier est vide");
		return -1;
	}
	if (len > MAILCRYPT_KEY_MAX) {
		util_cause(cause, "le fichier fait %zu octets, plus que les %d "
		    "Kio permis : donnez %s seul, sans autres fichiers%s", len,
		    MAILCRYPT_KEY_MAX / 1024, kind == MAILCRYPT_PGP ?
		    "la clé publique" : "le certificat", kind ==
		    MAILCRYPT_PGP ? " (gpg --export --armor --export-options "
		    "export-minimal ADRESSE)" : "");
		return -1;
	}
	if (kind == MAILCRYPT_SMIME)
		return mailcrypt_smime_check(in, len, address, now, key, cause);
	if (kind == MAILCRYPT_PGP)
		return mailcrypt_pgp_check(in, len, address, now, key, cause);
	util_cause(cause, "type de clé inconnu");
	return -1;
}

void
mailcrypt_key_clear(struct mailcrypt_key *key)
{
	if (key == NULL)
		return;
	free(key->data);
	free(key->desc);
	memset(key, 0, sizeof *key);
}

int
mailcrypt_wrap(const struct mailcrypt_wrap *w, const char *msg, size_t len,
    char **out, size_t *outlen, char **cause)
{
	struct mailcrypt_buf	 inner = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	struct mc_msg		 m;
	struct mc_outer		 o;
	int			 rc = -1;

	*out = NULL;
	*outlen = 0;
	memset(&m, 0, sizeof m);
	memset(&o, 0, sizeof o);
	if ((w->kind != MAILCRYPT_SMIME && w->kind != MAILCRYPT_PGP) ||
	    w->key == NULL || w->keylen == 0 || w->keylen > MAILCRYPT_KEY_MAX) {
		util_cause(cause, "pas de clé de chiffrement utilisable");
		return -1;
	}
	if (mc_addr_ok(w->address, cause) == -1 ||
	    mc_read(&m, msg, len, w->address, cause) == -1 ||
	    mc_outer(&o, w, &m, cause) == -1)
		goto out;
	mc_inner(&inner, &m, &o);
	mc_outer_fields(&b, "", &m, &o);
	mailcrypt_buf_str(&b, "MIME-Version: 1.0\r\n");
	if ((w->kind == MAILCRYPT_SMIME ? mc_smime(&b, w, &inner, cause) :
	    mc_pgp(&b, w, &inner, cause)) == -1)
		goto out;
	*out = b.s;
	*outlen = b.len;
	b.s = NULL;
	rc = 0;
out:
	mailcrypt_buf_wipe(&inner);
	mailcrypt_buf_wipe(&m.norm);
	free(o.subject.s);
	free(b.s);
	return rc;
}
