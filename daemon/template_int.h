/*
 * template_int.h: what template.c (kinds, placeholders, loading,
 * rendering) and template_text.c (UTF-8, the words kept off phones,
 * GSM 03.38) share.  Not a module contract: see template.h.
 */
#ifndef STOPPVIF_TEMPLATE_INT_H
#define STOPPVIF_TEMPLATE_INT_H

#include <stddef.h>
#include <stdint.h>

/* A growing string. */
struct tbuf {
	char	*s;
	size_t	 len, cap;
};

/* What template_u8_decode() gives for a byte that starts no character. */
#define U8_BAD	0xffffffffu

/* template_text.c */
void	 template_tbuf_add(struct tbuf *, const char *, size_t);
/* The string built so far, handed over (never NULL); b is left empty. */
char	*template_tbuf_take(struct tbuf *);
/* The length of the character at s (n > 0 bytes left), *cp set to it or
 * U8_BAD (length 1). */
size_t	 template_u8_decode(const unsigned char *s, size_t n,
	    uint32_t *cp);
/* A param value safe to insert (new string). */
char	*template_clean_value(const char *);
/* s on one line, spaces collapsed (new string). */
char	*template_one_line(const char *s);
/* An SMS text made GSM-7 when dropping accents gets it there: takes s,
 * returns a new string. */
char	*template_sms_gsm(char *s);

#endif
