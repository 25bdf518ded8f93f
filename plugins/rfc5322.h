/*
 * rfc5322.h: the email message as the smtp plugin writes it, apart from
 * its transport: addresses checked and split (RFC 5321 dot-atoms, host
 * names), the header fields of RFC 5322 with display names and subjects
 * in RFC 2047 encoded-words, and the one text part of the body.  Plain C:
 * nothing here knows SMTP, libcurl or the plugin ABI.
 *
 * Allocations abort when memory runs out, like the rest of the plugin.
 * These functions are hidden: the plugin's one exported symbol stays its
 * entry point.
 */
#ifndef STOPPVIF_RFC5322_H
#define STOPPVIF_RFC5322_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* realloc and strndup for the plugin's two files: they abort when memory
 * runs out. */
void	*rfc5322_xrealloc(void *p, size_t n);
char	*rfc5322_xstrndup(const char *s, size_t n);

/* Whether s is printable ASCII only: no control character, no 8-bit byte. */
int	 rfc5322_printable(const char *s);
/* Whether the n bytes at s are a host name of LDH labels, or an address
 * literal "[...]". */
int	 rfc5322_domain_ok(const char *s, size_t n);
/* Whether addr is a plain local@domain address we can send to: a dot-atom
 * local part (no quoted string), ASCII, and a domain as above. */
int	 rfc5322_addr_ok(const char *addr);

/*
 * Split "Name <addr>", "\"Name\" <addr>", "<addr>" or "addr" into a display
 * name (NULL when none) and an address, both new strings.  Returns 0, or -1
 * when value is not one valid mailbox (*name and *addr NULL).
 */
int	 rfc5322_mailbox_parse(const char *value, char **name, char **addr);

/* What the header of a message is written from. */
struct rfc5322_msg {
	const char	*from_name;	/* NULL or "": none */
	const char	*from_addr;	/* rfc5322_addr_ok() */
	const char	*to_name;	/* NULL or "": none */
	const char	*to_addr;
	const char	*subject;	/* NULL: no Subject field */
	int64_t		 date;		/* UTC seconds; 0 or less: now */
	const char	*key;		/* unique key: the Message-ID */
	int64_t		 id;		/* the Message-ID when key is NULL
					 * or "" */
};

/*
 * The header fields of msg, in order: From, To, Subject (when there is
 * one), Date (UTC), Message-ID (a function of the key alone, at the
 * domain of from_addr), MIME-Version, Auto-Submitted.  Each is a new
 * string without the final CRLF; a long one is folded with CRLF SP.
 * Returns how many were written into fields.
 */
#define RFC5322_FIELDS_MAX	7
size_t	 rfc5322_header(const struct rfc5322_msg *msg,
	    char *fields[RFC5322_FIELDS_MAX]);

/*
 * The body: one part of this type, sent in this transfer encoding, whose
 * text is body with every line ending made CRLF, so that the encoding
 * keeps the lines (new string; NULL body: empty).
 */
#define RFC5322_BODY_TYPE	"text/plain; charset=UTF-8"
#define RFC5322_BODY_ENCODING	"quoted-printable"
char	*rfc5322_body(const char *body);

#pragma GCC visibility pop

#endif
