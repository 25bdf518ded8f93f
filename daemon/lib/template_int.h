/*
 * template_int.h: what template.c (kinds, placeholders, loading,
 * rendering) and template_text.c (values, one-line texts, GSM 03.38)
 * share.  Not a module contract: see template.h.
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

/* template_text.c */
void	 template_tbuf_add(struct tbuf *, const char *, size_t);
/* The string built so far, handed over (never NULL); b is left empty. */
char	*template_tbuf_take(struct tbuf *);
/* A param value safe to insert (new string). */
char	*template_clean_value(const char *);
/* s on one line, spaces collapsed (new string). */
char	*template_one_line(const char *s);
/* An SMS text made GSM-7 when dropping accents gets it there: takes s,
 * returns a new string. */
char	*template_sms_gsm(char *s);

#endif
