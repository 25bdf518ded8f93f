/*
 * mailcrypt_int.h: what the files of mailcrypt share (mailcrypt.h is the
 * contract; this is not).
 *
 *	mailcrypt.c		the API: checks the arguments, splits the
 *				message, writes the inner entity and the
 *				outer message
 *	mailcrypt_smime.c	X.509 checks and CMS EnvelopedData (OpenSSL)
 *	mailcrypt_pgp.c		OpenPGP checks and encryption (librnp)
 *	mailcrypt_util.c	growing buffers, addresses, dates, quoting
 *
 * Calls go down that list only.
 */
#ifndef STOPPVIF_MAILCRYPT_INT_H
#define STOPPVIF_MAILCRYPT_INT_H

#include <stddef.h>
#include <stdint.h>

struct mailcrypt_key;

/* Characters of untrusted text (a name, a user ID) quoted in a message. */
#define MAILCRYPT_QUOTE_MAX	60
/* Addresses of a certificate named when none is the person's. */
#define MAILCRYPT_ADDRS_SHOWN	3
/* RSA moduli under this many bits are refused. */
#define MAILCRYPT_RSA_MIN	2048

/* A growing byte string, always NUL-terminated once anything is added. */
struct mailcrypt_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	 mailcrypt_buf_add(struct mailcrypt_buf *, const void *, size_t);
void	 mailcrypt_buf_str(struct mailcrypt_buf *, const char *);
/* Append with line ends made CRLF (lone LF or CR alike). */
void	 mailcrypt_buf_crlf(struct mailcrypt_buf *, const char *, size_t);
/* Wipe the bytes, free them and empty b: for plaintext. */
void	 mailcrypt_buf_wipe(struct mailcrypt_buf *);

/* Whether the n bytes at s and the string addr are one address, ASCII
 * letters compared without regard to case. */
int	 mailcrypt_addr_eq(const char *s, size_t n, const char *addr);
/* Whether "<addr>" is in s, or s is addr itself (an OpenPGP user ID). */
int	 mailcrypt_uid_has(const char *s, const char *addr);
/* The n bytes at s as one quotable line (new string): controls and
 * invalid UTF-8 replaced, cut at MAILCRYPT_QUOTE_MAX characters. */
char	*mailcrypt_quote(const char *s, size_t n);
/* UTC seconds as "dd/mm/yyyy" (buf of at least 16 bytes); returns buf. */
const char *mailcrypt_date(int64_t t, char *buf, size_t len);
/* n random bytes as 2n lower-case hex digits into out (2n + 1 bytes).
 * Returns 0, or -1 when no randomness can be had. */
int	 mailcrypt_random_hex(char *out, size_t n);

/* mailcrypt_check() for each kind: in is a file as given. */
int	 mailcrypt_smime_check(const uint8_t *in, size_t len,
	    const char *addr, int64_t now, struct mailcrypt_key *key,
	    char **cause);
int	 mailcrypt_pgp_check(const uint8_t *in, size_t len, const char *addr,
	    int64_t now, struct mailcrypt_key *key, char **cause);
/*
 * Encrypt the plen bytes of plain to the material of keylen bytes at key,
 * after checking it as above: the DER of the EnvelopedData, or the armored
 * OpenPGP message (CRLF line ends), appended to out.  0 or -1 with *cause.
 */
int	 mailcrypt_smime_encrypt(const uint8_t *key, size_t keylen,
	    const char *addr, int64_t now, const char *plain, size_t plen,
	    struct mailcrypt_buf *out, char **cause);
int	 mailcrypt_pgp_encrypt(const uint8_t *key, size_t keylen,
	    const char *addr, int64_t now, const char *plain, size_t plen,
	    struct mailcrypt_buf *out, char **cause);

#endif
