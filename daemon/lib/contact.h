/*
 * contact.h: validation and normalisation of contact details: phone numbers
 * to E.164 (Belgian national forms understood), email addresses by a
 * pragmatic RFC 5322 subset with internationalised domains.  Pure functions.
 */
#ifndef STOPPVIF_CONTACT_H
#define STOPPVIF_CONTACT_H

#include <stddef.h>

#define CONTACT_PHONE_MAX	16	/* "+" and at most 15 digits */
#define CONTACT_EMAIL_MAX	254

/*
 * Normalise a phone number into out (at least CONTACT_PHONE_MAX + 1 bytes):
 * "0470 12 34 56", "0470/12.34.56", "+32 470 12 34 56" and "0032470123456"
 * all give "+32470123456"; "04 361 55 81" gives "+3243615581".  A foreign
 * number must start with + or 00.  Returns 0, or -1 with *cause set to a
 * message for the user (French, without the field name).
 */
int	contact_phone_normalize(const char *in, char *out, size_t len,
	    char **cause);

/*
 * Check an email address and normalise it into out (at least
 * CONTACT_EMAIL_MAX + 1 bytes): surrounding blanks removed, ASCII letters of
 * the domain lower-cased.  Returns 0, or -1 with *cause set.
 */
int	contact_email_normalize(const char *in, char *out, size_t len,
	    char **cause);

#endif
