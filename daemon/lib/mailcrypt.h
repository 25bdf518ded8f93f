/*
 * mailcrypt.h: end-to-end encryption of one email, for the person who
 * reads it in Outlook, Apple Mail or Thunderbird.
 *
 * Two jobs, both pure (no store, no config, no event loop, no file):
 *
 * 1. mailcrypt_check() judges what someone gives for a person: an S/MIME
 *    certificate (PEM or DER, a lone certificate, a bundle or a PKCS #7
 *    .p7b holding exactly one certificate for the address) or an OpenPGP
 *    public key (armored or binary, one primary key and its subkeys).  It
 *    must be usable for encryption now, carry the person's address, and
 *    hold no private key.  It answers the public material to keep, its
 *    expiry, a fingerprint and a one-line French description; or a French
 *    message saying what is wrong and how to fix it.
 *
 * 2. mailcrypt_wrap() turns the complete RFC 5322 message the daemon would
 *    send (header and body, CRLF) into the message to send instead:
 *    S/MIME (RFC 8551) EnvelopedData, AES-256-CBC, OpenSSL's CMS; or
 *    PGP/MIME (RFC 3156) through librnp in process, AES-256, armored, no
 *    keyring and no agent.  The encrypted part is the original message's
 *    own MIME entity with its header fields inside (protected headers:
 *    protected-headers="v1" that Thunderbird reads, and RFC 9788 hp="cipher"
 *    with HP-Outer fields).  Outside stay only From, To, Date,
 *    Auto-Submitted, a random Message-ID (or the caller's) and the caller's
 *    neutral Subject: no word of the body, no code, no link, no original
 *    subject.
 *
 * Ownership: every output (key->data, key->desc, *out, *cause) is a new
 * allocation the caller frees (mailcrypt_key_clear(), free()).  Inputs are
 * only read; the caller wipes its own copy of what it read from a file.
 * Copies of the plaintext made here are wiped before they are freed.
 *
 * Causes: *cause follows util_cause() (set it to NULL first, free it
 * after).  A cause of mailcrypt_check() may quote addresses and names read
 * from the file, for the person editing; a cause of mailcrypt_wrap() never
 * holds an address, a subject or a body, so that it may be logged.
 */
#ifndef STOPPVIF_MAILCRYPT_H
#define STOPPVIF_MAILCRYPT_H

#include <stddef.h>
#include <stdint.h>

enum mailcrypt_kind {
	MAILCRYPT_SMIME = 1,	/* X.509 certificate, CMS EnvelopedData */
	MAILCRYPT_PGP = 2,	/* OpenPGP public key, PGP/MIME */
};

#define MAILCRYPT_KEY_MAX	(64 * 1024)	/* bytes of a file given */
#define MAILCRYPT_MSG_MAX	(1024 * 1024)	/* bytes of a message */
#define MAILCRYPT_SUBJECT_MAX	200		/* characters, neutral subject */
#define MAILCRYPT_FPR_LEN	64		/* hex digits, at most */

/* What mailcrypt_check() found. */
struct mailcrypt_key {
	enum mailcrypt_kind	 kind;
	/*
	 * When the key stops being usable, UTC seconds: the certificate's
	 * notAfter, the OpenPGP key's or its encryption subkey's end.  0: it
	 * never expires (OpenPGP only).
	 */
	int64_t			 not_after;
	/* Upper-case hex: SHA-256 of the certificate's DER, or the OpenPGP
	 * primary key's fingerprint (40 digits for v4). */
	char			 fingerprint[MAILCRYPT_FPR_LEN + 1];
	char			*desc;		/* one line, French, UTF-8 */
	/*
	 * The public material to keep, and to hand to mailcrypt_wrap(): the
	 * one certificate in DER, or the OpenPGP key (primary, user IDs,
	 * subkeys) in binary.  Nothing private, nothing else of the file.
	 */
	uint8_t			*data;
	size_t			 len;
};

/*
 * Check len bytes of in as kind for address (the person's email address)
 * at now (UTC seconds).  Returns 0 and, when key is not NULL, fills it;
 * or -1 with *cause set.  With key NULL it only answers whether the
 * material is usable now: the dispatcher's question before each message.
 *
 * Refused: more than MAILCRYPT_KEY_MAX bytes; anything holding a private
 * key (PEM, PKCS #8, PKCS #12, OpenPGP secret key), which is never kept;
 * no certificate or key; several candidates; a certificate outside its
 * validity period, without keyEncipherment (RSA) or keyAgreement (EC) when
 * it has a keyUsage, without emailProtection when it has an
 * extendedKeyUsage, or whose key is not RSA of 2048 bits or more nor EC; an
 * OpenPGP key revoked, expired or invalid, or with no valid encryption key;
 * the address absent (S/MIME: subjectAltName rfc822Name or subject
 * emailAddress; OpenPGP: a valid user ID "...<address>..." or the bare
 * address), compared without regard to ASCII case.
 */
int	 mailcrypt_check(enum mailcrypt_kind kind, const void *in, size_t len,
	    const char *address, int64_t now, struct mailcrypt_key *key,
	    char **cause);
/* Free what key holds and zero it; NULL is ignored. */
void	 mailcrypt_key_clear(struct mailcrypt_key *key);

/* How to wrap one message. */
struct mailcrypt_wrap {
	enum mailcrypt_kind	 kind;
	const uint8_t		*key;		/* mailcrypt_key.data */
	size_t			 keylen;
	const char		*address;	/* the recipient; must be in
						 * the key and be To's */
	int64_t			 now;		/* UTC seconds, for validity */
	/* The visible Subject, UTF-8, one line, at most
	 * MAILCRYPT_SUBJECT_MAX characters (RFC 2047 when not ASCII). */
	const char		*subject;
	/* The outer Message-ID, "<left@right>"; NULL: a random one at the
	 * domain of From.  The inner one stays the original. */
	const char		*msgid;
};

/*
 * Wrap the message of len bytes at msg (RFC 5322: a header with From and
 * To, an empty line, the body; LF line ends are made CRLF) as w says.
 * Returns 0 with *out the complete message to send (CRLF, 7-bit, *outlen
 * bytes, NUL-terminated), or -1 with *cause set: the key is not usable now
 * for w->address (check it first to tell that case apart), the message is
 * malformed or too large, the subject or Message-ID is not one clean line,
 * or the library failed.  Nothing is written to *out on failure.
 */
int	 mailcrypt_wrap(const struct mailcrypt_wrap *w, const char *msg,
	    size_t len, char **out, size_t *outlen, char **cause);

#endif
