/*
 * contact.c: phone numbers to E.164 and email addresses by a pragmatic
 * RFC 5322 subset.
 *
 * Phone numbers: blanks and the separators / . - ( ) are dropped, "00" reads
 * as "+", a single leading 0 is a Belgian national number.  Belgian numbers
 * are checked for length (9 digits after +32 for a GSM, 8 otherwise), take a
 * stray trunk zero ("+32 (0)470...", "+32 0470...") and refuse special-rate
 * and service numbers (0800, 070, 077, 078, 090x), which reach no person.
 * Foreign numbers need + or 00 and 8 to 15 digits.
 *
 * Email addresses: one @, a dot-atom local part, a domain of at least two
 * labels that may hold UTF-8 (internationalised domains); the ASCII letters
 * of the domain are lower-cased.  Quoted local parts and address literals
 * are refused: no one in the network needs them.
 *
 * Pure functions: no I/O and no logging, since every value is personal data;
 * messages for the user are in French and never repeat the value (at most
 * the one character refused).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "contact.h"
#include "util.h"

#define PHONE_SCRATCH	48	/* digits kept while parsing, > E.164's 15 */
#define PHONE_TRUNK	'T'	/* a "(0)" trunk prefix in the scratch */
#define PHONE_BE_MOBILE	9	/* digits after +32 for a GSM */
#define PHONE_BE_FIXED	8	/* digits after +32 for any other number */
#define PHONE_INTL_MIN	8	/* digits after + for a foreign number */
#define PHONE_INTL_MAX	15

#define EMAIL_LOCAL_MAX	64
#define EMAIL_LABEL_MAX	63

#define PHONE_EX_FOREIGN "(ex. +33 6 12 34 56 78)"
#define PHONE_EX_MOBILE	"(ex. 0470 12 34 56)"
#define PHONE_EX_FIXED	"(ex. 02 512 34 56)"
#define PHONE_CHARS	"seuls les chiffres, les espaces, + au début et " \
			"les signes . / - ( ) sont permis"
#define EMAIL_EX	"(ex. prenom.nom@exemple.be)"

/* Blanks dropped from phone numbers and trimmed around email addresses. */
static const char *const contact_blanks[] = {
	" ", "\t", "\r", "\n",
	"\xc2\xa0",		/* U+00A0 no-break space, from documents */
	"\xe2\x80\xaf",		/* U+202F narrow no-break space (French) */
};

/* Belgian prefixes after +32 that reach a service, not a person. */
static const char *const phone_be_special[] = {
	"70", "77", "78",	/* shared cost, machine to machine, national */
	"800",			/* free numbers, no SMS (080 is Stavelot) */
	"90",			/* premium rate (09 alone is Ghent) */
};

static size_t	 contact_blank(const char *);
static size_t	 contact_blank_end(const char *, size_t);
static int	 phone_compact(const char *, char *, size_t, char **);
static int	 phone_digits(const char *, char *, size_t, char **);
static int	 phone_belgian(char *, char **);
static int	 phone_foreign(const char *, char **);
static int	 email_local(const char *, size_t, char **);
static int	 email_label(const unsigned char *, const unsigned char *,
		     size_t *, int *, char **);
static int	 email_domain(const char *, size_t, char **);
static size_t	 email_utf8(const unsigned char *, size_t, uint32_t *);
static int	 email_invisible(uint32_t);
static int	 email_atext(int);

/* Length of the blank starting at s, or 0. */
static size_t
contact_blank(const char *s)
{
	size_t	 i, n;

	for (i = 0; i < sizeof contact_blanks / sizeof contact_blanks[0]; i++) {
		n = strlen(contact_blanks[i]);
		if (strncmp(s, contact_blanks[i], n) == 0)
			return n;
	}
	return 0;
}

/* Length of the blank ending the first len bytes of s, or 0. */
static size_t
contact_blank_end(const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < sizeof contact_blanks / sizeof contact_blanks[0]; i++) {
		n = strlen(contact_blanks[i]);
		if (n <= len && memcmp(s + len - n, contact_blanks[i], n) == 0)
			return n;
	}
	return 0;
}

/*
 * Copy the digits of in and a leading + into buf, dropping blanks and
 * separators; a "(0)" becomes PHONE_TRUNK so the caller may drop it.
 */
static int
phone_compact(const char *in, char *buf, size_t len, char **cause)
{
	const char	*p = in;
	size_t		 n = 0, k;
	unsigned char	 c;

	while (*p != '\0') {
		if ((k = contact_blank(p)) != 0) {
			p += k;
			continue;
		}
		c = (unsigned char)*p;
		if (n + 1 >= len) {
			util_cause(cause, "numéro trop long : 15 chiffres au "
			    "plus");
			return -1;
		}
		if (strncmp(p, "(0)", 3) == 0) {
			buf[n++] = PHONE_TRUNK;
			p += 3;
			continue;
		}
		if (c == '+' && n == 0)
			buf[n++] = '+';
		else if (c == '+') {
			util_cause(cause, "le + n'est permis qu'au début du "
			    "numéro " PHONE_EX_FOREIGN);
			return -1;
		} else if (c >= '0' && c <= '9')
			buf[n++] = c;
		else if (c != '/' && c != '.' && c != '-' && c != '(' &&
		    c != ')') {
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				util_cause(cause, "numéro invalide : lettres "
				    "non permises, " PHONE_CHARS);
			else
				util_cause(cause, "numéro invalide : "
				    PHONE_CHARS);
			return -1;
		}
		p++;
	}
	buf[n] = '\0';
	if (n == 0) {
		util_cause(cause, "numéro vide");
		return -1;
	}
	return 0;
}

/*
 * Turn the compacted number into the digits of its E.164 form, country code
 * first: "+" and "00" start a number with its country code, a single 0 a
 * Belgian national one.  A trunk "(0)" just after the country code is
 * dropped; anywhere else it is an ordinary 0.
 */
static int
phone_digits(const char *s, char *out, size_t len, char **cause)
{
	size_t	 n = 0;
	int	 intl = 1;

	if (*s == '+')
		s++;
	else if (s[0] == '0' && s[1] == '0')
		s += 2;
	else if (s[0] == '0' || s[0] == PHONE_TRUNK) {
		util_strlcpy(out, "32", len);
		n = 2;
		intl = 0;
		s++;
	} else {
		util_cause(cause, "un numéro étranger doit commencer par + "
		    "ou 00 " PHONE_EX_FOREIGN ", un numéro belge par 0");
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s == PHONE_TRUNK && intl && n >= 1 && n <= 3)
			continue;
		out[n++] = *s == PHONE_TRUNK ? '0' : *s;
	}
	out[n] = '\0';
	if (n == 0) {
		util_cause(cause, "numéro incomplet : l'indicatif du pays et "
		    "le numéro suivent le + ou le 00 " PHONE_EX_FOREIGN);
		return -1;
	}
	return 0;
}

/*
 * Check the digits after +32, dropping a trunk zero typed by habit; nsn is
 * changed in place.
 */
static int
phone_belgian(char *nsn, char **cause)
{
	size_t	 i, n, want;
	int	 mobile;

	if (nsn[0] == '0')
		memmove(nsn, nsn + 1, strlen(nsn));
	if (nsn[0] == '\0') {
		util_cause(cause, "numéro belge incomplet après +32 "
		    PHONE_EX_MOBILE);
		return -1;
	}
	if (nsn[0] == '0') {
		util_cause(cause, "numéro belge invalide : un seul 0 après "
		    "l'indicatif +32 " PHONE_EX_MOBILE);
		return -1;
	}
	for (i = 0; i < sizeof phone_be_special / sizeof phone_be_special[0];
	    i++) {
		n = strlen(phone_be_special[i]);
		if (strncmp(nsn, phone_be_special[i], n) == 0) {
			util_cause(cause, "numéro spécial (0800, 070, 077, "
			    "078, 090x) refusé : donnez un numéro de GSM ou "
			    "de fixe");
			return -1;
		}
	}

	/* 045x to 049x are GSM; 040x to 044x are Liège lines (04). */
	mobile = nsn[0] == '4' && (nsn[1] == '\0' || nsn[1] >= '5');
	want = mobile ? PHONE_BE_MOBILE : PHONE_BE_FIXED;
	n = strlen(nsn);
	if (n != want) {
		util_cause(cause, "numéro belge trop %s : attendu %zu "
		    "chiffres après +32 pour un %s %s",
		    n < want ? "court" : "long", want,
		    mobile ? "GSM" : "fixe",
		    mobile ? PHONE_EX_MOBILE : PHONE_EX_FIXED);
		return -1;
	}
	return 0;
}

/* Check the digits of a foreign number, country code first. */
static int
phone_foreign(const char *digits, char **cause)
{
	size_t	 n = strlen(digits);

	if (digits[0] == '0') {
		util_cause(cause, "indicatif de pays invalide : il suit le + "
		    "ou le 00 sans autre 0 " PHONE_EX_FOREIGN);
		return -1;
	}
	if (n < PHONE_INTL_MIN) {
		util_cause(cause, "numéro étranger trop court : %d à %d "
		    "chiffres après le + " PHONE_EX_FOREIGN,
		    PHONE_INTL_MIN, PHONE_INTL_MAX);
		return -1;
	}
	if (n > PHONE_INTL_MAX) {
		util_cause(cause, "numéro trop long : %d chiffres au plus "
		    "après le + " PHONE_EX_FOREIGN, PHONE_INTL_MAX);
		return -1;
	}
	return 0;
}

int
contact_phone_normalize(const char *in, char *out, size_t len, char **cause)
{
	char	 buf[PHONE_SCRATCH], digits[PHONE_SCRATCH + 2];

	if (len > 0)
		out[0] = '\0';
	if (phone_compact(in, buf, sizeof buf, cause) != 0)
		return -1;
	if (phone_digits(buf, digits, sizeof digits, cause) != 0)
		return -1;
	if (strncmp(digits, "32", 2) == 0) {
		if (phone_belgian(digits + 2, cause) != 0)
			return -1;
	} else if (phone_foreign(digits, cause) != 0)
		return -1;

	if (len < 1 + strlen(digits) + 1) {
		util_cause(cause, "numéro trop long pour être enregistré");
		return -1;
	}
	out[0] = '+';
	util_strlcpy(out + 1, digits, len - 1);
	return 0;
}

/* Whether c may appear in a dot-atom (RFC 5322 atext). */
static int
email_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

/*
 * Decode the UTF-8 sequence at s (len bytes available) into *cp.  Returns
 * its length, or 0 for a malformed, overlong or surrogate sequence.
 */
static size_t
email_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	 c;
	size_t		 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/*
 * Whether a non-ASCII code point is a control, a space, an invisible or a
 * symbol from Latin-1, or a dot lookalike: none belongs in a domain label.
 */
static int
email_invisible(uint32_t cp)
{
	return cp < 0xc0 || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x2000 && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202f) ||
	    (cp >= 0x205f && cp <= 0x206f) ||
	    cp == 0x3000 || cp == 0x3002 || cp == 0xfeff ||
	    cp == 0xff0e || cp == 0xff61;
}

/* Check the part before the @: a dot-atom of 1 to 64 bytes. */
static int
email_local(const char *s, size_t n, char **cause)
{
	size_t		 i;
	unsigned char	 c;

	if (n == 0) {
		util_cause(cause, "rien avant le @ " EMAIL_EX);
		return -1;
	}
	if (n > EMAIL_LOCAL_MAX) {
		util_cause(cause, "partie avant le @ trop longue : %d "
		    "caractères au plus", EMAIL_LOCAL_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '.' || email_atext(c))
			continue;
		if (c >= 0x80)
			util_cause(cause, "partie avant le @ invalide : "
			    "lettres accentuées non permises");
		else if (c > 0x20 && c < 0x7f)
			util_cause(cause, "partie avant le @ invalide : "
			    "caractère « %c » non permis", c);
		else
			util_cause(cause, "partie avant le @ invalide : "
			    "caractère de contrôle");
		return -1;
	}
	if (s[0] == '.' || s[n - 1] == '.') {
		util_cause(cause, "partie avant le @ invalide : pas de point "
		    "au début ni à la fin");
		return -1;
	}
	if (memmem(s, n, "..", 2) != NULL) {
		util_cause(cause, "partie avant le @ invalide : deux points "
		    "qui se suivent");
		return -1;
	}
	return 0;
}

/*
 * Scan one domain label from p to the next dot or end, checking each
 * character; *n gets its length and *numeric whether it is all digits.
 */
static int
email_label(const unsigned char *p, const unsigned char *end, size_t *n,
    int *numeric, char **cause)
{
	const unsigned char	*label = p;
	size_t			 k;
	uint32_t		 cp;

	*numeric = 1;
	while (p < end && *p != '.') {
		if (*p >= 0x80) {
			if ((k = email_utf8(p, end - p, &cp)) == 0) {
				util_cause(cause, "domaine invalide : "
				    "caractères mal encodés (UTF-8 attendu)");
				return -1;
			}
			if (email_invisible(cp)) {
				util_cause(cause, "domaine invalide : espace, "
				    "symbole ou caractère invisible");
				return -1;
			}
			p += k;
			*numeric = 0;
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			p++;
			continue;
		}
		*numeric = 0;
		if (*p != '-' && !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) {
			if (*p > 0x20 && *p < 0x7f)
				util_cause(cause, "domaine invalide : "
				    "caractère « %c » non permis", *p);
			else
				util_cause(cause, "domaine invalide : "
				    "caractère de contrôle");
			return -1;
		}
		p++;
	}
	*n = p - label;
	return 0;
}

/*
 * Check the domain: at least two labels of 1 to 63 bytes, letters, digits,
 * inner hyphens or valid UTF-8; the last label not all digits.
 */
static int
email_domain(const char *s, size_t n, char **cause)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	size_t			 len, labels = 0;
	int			 numeric;

	if (n == 0) {
		util_cause(cause, "domaine invalide : rien après le @ "
		    EMAIL_EX);
		return -1;
	}
	for (;;) {
		if (email_label(p, end, &len, &numeric, cause) != 0)
			return -1;
		if (len == 0) {
			util_cause(cause, "domaine invalide : partie vide "
			    "(point au début, à la fin ou doublé)");
			return -1;
		}
		if (len > EMAIL_LABEL_MAX) {
			util_cause(cause, "domaine invalide : une partie "
			    "entre points dépasse %d caractères",
			    EMAIL_LABEL_MAX);
			return -1;
		}
		if (p[0] == '-' || p[len - 1] == '-') {
			util_cause(cause, "domaine invalide : pas de tiret au "
			    "début ni à la fin d'une partie");
			return -1;
		}
		labels++;
		p += len;
		if (p == end)
			break;
		p++;
	}
	if (labels < 2) {
		util_cause(cause, "domaine invalide : il manque l'extension "
		    "(ex. exemple.be)");
		return -1;
	}
	if (numeric) {
		util_cause(cause, "domaine invalide : l'extension ne peut "
		    "pas être un nombre");
		return -1;
	}
	return 0;
}

int
contact_email_normalize(const char *in, char *out, size_t len, char **cause)
{
	const char	*s = in, *at;
	size_t		 n, k, nlocal, i;

	if (len > 0)
		out[0] = '\0';
	while ((k = contact_blank(s)) != 0)
		s += k;
	n = strlen(s);
	while ((k = contact_blank_end(s, n)) != 0)
		n -= k;

	if (n == 0) {
		util_cause(cause, "adresse e-mail vide");
		return -1;
	}
	if (n > CONTACT_EMAIL_MAX) {
		util_cause(cause, "adresse e-mail trop longue : %d caractères "
		    "au plus", CONTACT_EMAIL_MAX);
		return -1;
	}
	if (memchr(s, ' ', n) != NULL || memchr(s, '\t', n) != NULL) {
		util_cause(cause, "espace non permis dans une adresse e-mail");
		return -1;
	}
	if ((at = memchr(s, '@', n)) == NULL) {
		util_cause(cause, "adresse e-mail sans @ " EMAIL_EX);
		return -1;
	}
	nlocal = at - s;
	if (memchr(at + 1, '@', n - nlocal - 1) != NULL) {
		util_cause(cause, "adresse e-mail avec plusieurs @ : une seule "
		    "est permise");
		return -1;
	}
	if (email_local(s, nlocal, cause) != 0 ||
	    email_domain(at + 1, n - nlocal - 1, cause) != 0)
		return -1;

	if (len < n + 1) {
		util_cause(cause, "adresse e-mail trop longue pour être "
		    "enregistrée");
		return -1;
	}
	memcpy(out, s, nlocal + 1);
	for (i = nlocal + 1; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + ('a' - 'A') :
		    s[i];
	out[n] = '\0';
	return 0;
}
