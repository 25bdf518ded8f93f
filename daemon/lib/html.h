/*
 * html.h: the web console's HTML, written through one small template
 * module whose every substitution is escaped unless explicitly marked.
 *
 * A page is built into a struct html, piece by piece:
 *
 *	html_tpl(h, "<a href=\"/people/{id}\">{name}</a>",
 *	    "id", idtext, "name", person_name, (char *)NULL);
 *
 * A template is a constant of the code.  In it, "{name}" is replaced by
 * the value given for name, HTML-escaped (& < > " ' become entities, so
 * the value is safe both as element text and inside a quoted attribute);
 * "{!name}" is replaced by the value as it is, and is only for HTML this
 * module built (html_data() of another struct html) or a constant of the
 * code.  "{{" and "}}" write a brace.  Values are text: bytes that are not
 * valid UTF-8 become U+FFFD, and control characters other than tab,
 * newline and carriage return are dropped, so that no value can end the page's encoding.
 *
 * A name the call does not give, or a malformed "{...}", writes nothing and
 * marks the struct failed (html_failed(): a bug of the caller's template,
 * which the web layer answers with an internal error, never a half page).
 * Nothing here aborts on input: the fuzz target tests/fuzz/fuzz_html.c
 * drives html_tpl() with arbitrary templates and values.
 */
#ifndef STOPPVIF_HTML_H
#define STOPPVIF_HTML_H

#include <stddef.h>
#include <stdint.h>

struct html;

/* A new, empty output; never NULL (allocation failure aborts). */
struct html	*html_new(void);
void		 html_free(struct html *);
/* Forget what was written (the struct stays usable, failure cleared). */
void		 html_reset(struct html *);

/*
 * Write template tpl, its names given as pairs of (name, value) arguments
 * ended by a NULL name.  A NULL value writes nothing (an empty value).
 */
void		 html_tpl(struct html *, const char *tpl, ...)
		    __attribute__((sentinel));
/* The same with the pairs in arrays: names[i] has value values[i]. */
void		 html_tplv(struct html *, const char *tpl,
		    const char *const *names, const char *const *values,
		    size_t n);
/* Write text escaped, as "{x}" would. */
void		 html_text(struct html *, const char *text);
/* Write s as it is: a constant of the code, or another html's data. */
void		 html_raw(struct html *, const char *s);
/* Write a number in decimal. */
void		 html_int(struct html *, int64_t n);

/* What was written, NUL-terminated (len may be NULL). */
const char	*html_data(const struct html *, size_t *len);
/* Whether a template was wrong since the last reset. */
int		 html_failed(const struct html *);

/*
 * Escape text into buf of size len as html_text() does, cut at a character
 * boundary when it does not fit; returns buf.  For the few places that need
 * an escaped value outside a struct html (a header, a log).
 */
const char	*html_escape(char *buf, size_t len, const char *text);

/*
 * Percent-encode text for a URL's path segment or query value (RFC 3986
 * unreserved characters kept) into a new string: for building links from
 * values ("/people?q=" + html_urlencode(q)), then substituted escaped.
 */
char		*html_urlencode(const char *text);

#endif
