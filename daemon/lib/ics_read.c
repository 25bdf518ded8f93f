/*
 * ics_read.c: iCalendar content lines, read and written.
 *
 * The reader turns the text into a small tree of components (struct
 * ics_comp): lines are unfolded (a line break followed by a blank
 * continues the line), checked for UTF-8, split into name, parameters and
 * value, and nested by BEGIN/END, so that every error names its line.
 * Values are kept as written, escapes too, and decoded on demand
 * (ics_value.c).  The writer folds lines at 75 octets on UTF-8 boundaries,
 * with CRLF, and escapes TEXT.  The growing buffer and the quoting of
 * messages, shared by import and export, live here too.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ics_int.h"
#include "utf8.h"
#include "util.h"

#define ICS_MAX_DEPTH	8	/* VCALENDAR > VTIMEZONE > STANDARD is 3 */
#define ICS_FOLD	75	/* octets of a content line, CRLF excluded */

/* The byte order mark, and the line a calendar must begin with. */
static const char	 ics_bom[] = "\xef\xbb\xbf";
#define ICS_BOM_LEN	(sizeof ics_bom - 1)
static const char	 ics_begin[] = "BEGIN:VCALENDAR";
#define ICS_BEGIN_LEN	(sizeof ics_begin - 1)

/* The reader's position in the text. */
struct ics_reader {
	const char	*p, *end;
	char		*out;		/* next free byte of the copy */
	int		 line;		/* physical line at p */
};

/*
 * Buffers and messages.
 */

void
ics_buf_add(struct ics_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->s = xreallocarray(b->s, 1, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
ics_buf_str(struct ics_buf *b, const char *s)
{
	ics_buf_add(b, s, strlen(s));
}

void
ics_buf_printf(struct ics_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	ics_buf_add(b, s, (size_t)n);
	free(s);
}

/* Make room for one more element of size in array p of *cap (n used). */
static void *
ics_grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap == 0 ? 8 : *cap * 2;
	return xreallocarray(p, *cap, size);
}

/*
 * Copy s into buf (of ICS_QUOTE_LEN bytes) for a message: at most
 * ICS_QUOTE_MAX characters, cut on a character boundary with "…" (utf8_cut:
 * a byte that is no character becomes '?'), line breaks and tabs as blanks.
 */
void
ics_quote(char *buf, size_t len, const char *s)
{
	char	*p;

	utf8_cut(buf, len, s, ICS_QUOTE_MAX);
	for (p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

/*
 * Reading: the text into a tree of components.
 */

static struct ics_comp *
ics_comp_new(const char *name, int line, struct ics_comp *parent)
{
	struct ics_comp	*c = xcalloc(1, sizeof *c);

	c->name = name;		/* points into the copy */
	c->line = line;
	c->parent = parent;
	if (parent != NULL) {
		parent->comps = ics_grow(parent->comps, &parent->compcap,
		    parent->ncomps, sizeof *parent->comps);
		parent->comps[parent->ncomps++] = c;
	}
	return c;
}

void
ics_comp_free(struct ics_comp *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nprops; i++)
		free(c->props[i].params);
	free(c->props);
	for (i = 0; i < c->ncomps; i++)
		ics_comp_free(c->comps[i]);
	free(c->comps);
	free(c->text);
	free(c);
}

/*
 * The next logical line, unfolded into the copy (a line break followed by
 * a space or a tab continues the line); NULL at the end.  *line is set to
 * its first physical line.  CRLF, LF and a lone CR all end a line.
 */
static char *
ics_next_line(struct ics_reader *r, int *line)
{
	char	*start = r->out;

	if (r->p >= r->end)
		return NULL;
	*line = r->line;
	for (;;) {
		while (r->p < r->end && *r->p != '\r' && *r->p != '\n')
			*r->out++ = *r->p++;
		if (r->p < r->end) {
			if (*r->p == '\r' && r->p + 1 < r->end &&
			    r->p[1] == '\n')
				r->p++;
			r->p++;
			r->line++;
		}
		if (r->p < r->end && (*r->p == ' ' || *r->p == '\t')) {
			r->p++;
			continue;
		}
		break;
	}
	*r->out++ = '\0';
	return start;
}

/*
 * Check that an unfolded line is valid UTF-8 without control characters
 * (tabs allowed).  Outlook folds inside multibyte characters, so this is
 * done after unfolding.
 */
static int
ics_check_chars(const char *s, int line, char **cause)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
				util_cause(cause, "ligne %d : caractère de "
				    "contrôle (0x%02x) non permis", line, *p);
				return -1;
			}
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, cp = *p & 0x07;
		else
			goto bad;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && (cp < 0x800 ||
		    (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			goto bad;
		p += n;
	}
	return 0;

bad:
	util_cause(cause, "ligne %d : texte qui n'est pas de l'UTF-8 valide "
	    "(fichier en Latin-1 ? réenregistrez-le en UTF-8)", line);
	return -1;
}

/* Upper-case the name (letters, digits, '-') at s; returns its end. */
static char *
ics_upper_name(char *s)
{
	while (isalnum((unsigned char)*s) || *s == '-') {
		*s = (char)toupper((unsigned char)*s);
		s++;
	}
	return s;
}

/* Decode RFC 6868 escapes (^n, ^', ^^) in a parameter value, in place. */
static void
ics_param_decode(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++) {
		if (*s == '^' && (s[1] == 'n' || s[1] == '\'' || s[1] == '^')) {
			s++;
			*w++ = *s == 'n' ? '\n' : *s == '\'' ? '"' : '^';
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/*
 * Read the value of a parameter at *qp, in place: quoted strings lose
 * their quotes, several values stay joined by ",".  The value is
 * terminated, *qp moved to the delimiter after it and that delimiter
 * stored in *delim first (the terminating NUL may overwrite it).  -1 when
 * a quote is not closed.
 */
static int
ics_param_value(char **qp, char *delim)
{
	char	*q = *qp, *w = q;

	for (;;) {
		if (*q == '"') {
			for (q++; *q != '"'; ) {
				if (*q == '\0')
					return -1;
				*w++ = *q++;
			}
			q++;
		} else {
			while (*q != '\0' && strchr(";:,\"", *q) == NULL)
				*w++ = *q++;
		}
		if (*q != ',')
			break;
		*w++ = *q++;
	}
	*delim = *q;
	*w = '\0';
	*qp = q;
	return 0;
}

/*
 * Split content line s, in place, into name, parameters and value.
 * Parameter values lose their quotes; several values stay joined by ",".
 * Returns 0, or -1 with *cause set (naming line).
 */
static int
ics_parse_line(char *s, int line, struct ics_prop *p, char **cause)
{
	struct ics_param	*pa;
	size_t			 cap = 0;
	char			*q, delim, quoted[ICS_QUOTE_LEN];

	memset(p, 0, sizeof *p);
	p->line = line;
	ics_quote(quoted, sizeof quoted, s);
	p->name = s;
	if ((q = ics_upper_name(s)) == s)
		goto unreadable;
	delim = *q;
	*q = '\0';
	while (delim == ';') {
		p->params = ics_grow(p->params, &cap, p->nparams,
		    sizeof *p->params);
		pa = &p->params[p->nparams++];
		pa->name = ++q;
		if ((q = ics_upper_name(q)) == pa->name || *q != '=')
			goto unreadable;
		*q++ = '\0';
		pa->value = q;
		if (ics_param_value(&q, &delim) == -1)
			goto unreadable;
		ics_param_decode(pa->value);
	}
	if (delim != ':')
		goto unreadable;
	p->value = q + 1;
	return 0;

unreadable:
	free(p->params);
	p->params = NULL;
	util_cause(cause, "ligne %d : ligne illisible « %s » (attendu "
	    "NOM;PARAMÈTRE=VALEUR:VALEUR)", line, quoted);
	return -1;
}

/* END:name closes the component open at *cur.  Returns 0 or -1. */
static int
ics_read_end(struct ics_comp **cur, const char *name, int line, int *depth,
    char **cause)
{
	struct ics_comp	*c = *cur;

	if (c->parent == NULL) {
		util_cause(cause, "ligne %d : END:%s sans BEGIN", line, name);
		return -1;
	}
	if (strcmp(name, c->name) != 0) {
		util_cause(cause, "ligne %d : END:%s ne ferme pas BEGIN:%s "
		    "(ligne %d)", line, name, c->name, c->line);
		return -1;
	}
	*cur = c->parent;
	(*depth)--;
	return 0;
}

/* BEGIN:name opens a component in the one open at *cur.  0 or -1. */
static int
ics_read_begin(struct ics_comp **cur, const char *name, int line, int *depth,
    char **cause)
{
	if ((*cur)->parent == NULL && strcmp(name, "VCALENDAR") != 0) {
		util_cause(cause, "ligne %d : BEGIN:%s hors de tout "
		    "VCALENDAR", line, name);
		return -1;
	}
	if (*depth == ICS_MAX_DEPTH) {
		util_cause(cause, "ligne %d : composants imbriqués trop "
		    "profondément", line);
		return -1;
	}
	*cur = ics_comp_new(name, line, *cur);
	(*depth)++;
	return 0;
}

/*
 * Place the parsed line p in the tree under *cur: BEGIN opens a component,
 * END closes the open one, anything else is a property of it.  p's
 * parameters are taken over or freed.
 */
static int
ics_read_prop(struct ics_comp **cur, struct ics_prop *p, int *depth,
    char **cause)
{
	struct ics_comp	*c = *cur;
	char		*name, *e;
	int		 end = strcmp(p->name, "END") == 0;

	if (end || strcmp(p->name, "BEGIN") == 0) {
		free(p->params);
		name = p->value;
		for (e = name + strlen(name); e > name && e[-1] == ' '; e--)
			;
		*e = '\0';
		if (name[0] == '\0' || *ics_upper_name(name) != '\0') {
			util_cause(cause, "ligne %d : nom de composant "
			    "illisible après %s:", p->line, p->name);
			return -1;
		}
		return end ? ics_read_end(cur, name, p->line, depth, cause) :
		    ics_read_begin(cur, name, p->line, depth, cause);
	}
	if (c->parent == NULL) {
		free(p->params);
		util_cause(cause, "ligne %d : propriété %s hors de tout "
		    "VCALENDAR", p->line, p->name);
		return -1;
	}
	c->props = ics_grow(c->props, &c->propcap, c->nprops, sizeof *c->props);
	c->props[c->nprops++] = *p;
	return 0;
}

/*
 * Check that text can be iCalendar at all: not blank, no NUL byte.
 * Returns 0 or -1 with *cause set.
 */
static int
ics_text_check(const char *text, size_t len, char **cause)
{
	const char	*nul, *q;
	size_t		 i;
	int		 line;

	for (i = 0; i < len && strchr(" \t\r\n", text[i]) != NULL &&
	    text[i] != '\0'; i++)
		;
	if (i == len) {
		util_cause(cause, "texte vide : un fichier iCalendar commence "
		    "par BEGIN:VCALENDAR");
		return -1;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (line = 1, q = text; q < nul; q++)
			line += *q == '\n';
		util_cause(cause, "ligne %d : octet nul : ce n'est pas un "
		    "fichier texte iCalendar", line);
		return -1;
	}
	return 0;
}

/* Check that the first line s (line) is BEGIN:VCALENDAR.  0 or -1. */
static int
ics_first_line(const char *s, int line, char **cause)
{
	char	 quoted[ICS_QUOTE_LEN];

	if (strncasecmp(s, ics_begin, ICS_BEGIN_LEN) == 0 &&
	    strspn(s + ICS_BEGIN_LEN, " ") == strlen(s + ICS_BEGIN_LEN))
		return 0;
	ics_quote(quoted, sizeof quoted, s);
	util_cause(cause, "pas un fichier iCalendar : BEGIN:VCALENDAR attendu "
	    "à la ligne %d, trouvé « %s »", line, quoted);
	return -1;
}

/*
 * Read text into a tree whose root holds the VCALENDARs.  Returns it (free
 * with ics_comp_free), or NULL with *cause set.
 */
struct ics_comp *
ics_read(const char *text, size_t len, char **cause)
{
	struct ics_reader	 r;
	struct ics_comp		*root, *cur;
	struct ics_prop		 p;
	char			*s;
	int			 line, depth = 0, seen = 0;

	if (ics_text_check(text, len, cause) == -1)
		return NULL;
	if (len >= ICS_BOM_LEN && memcmp(text, ics_bom, ICS_BOM_LEN) == 0) {
		text += ICS_BOM_LEN;
		len -= ICS_BOM_LEN;
	}
	cur = root = ics_comp_new("", 0, NULL);
	root->text = xmalloc(len + 1);
	r.p = text;
	r.end = text + len;
	r.out = root->text;
	r.line = 1;
	while ((s = ics_next_line(&r, &line)) != NULL) {
		if (*s == '\0')
			continue;
		if (!seen) {
			if (ics_first_line(s, line, cause) == -1)
				goto fail;
			seen = 1;
		}
		if (ics_check_chars(s, line, cause) == -1 ||
		    ics_parse_line(s, line, &p, cause) == -1 ||
		    ics_read_prop(&cur, &p, &depth, cause) == -1)
			goto fail;
	}
	if (cur != root) {
		util_cause(cause, "fin du texte avant END:%s (BEGIN:%s à la "
		    "ligne %d)", cur->name, cur->name, cur->line);
		goto fail;
	}
	return root;

fail:
	ics_comp_free(root);
	return NULL;
}

/* The first property called name in c, or NULL. */
const struct ics_prop *
ics_prop(const struct ics_comp *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nprops; i++)
		if (strcmp(c->props[i].name, name) == 0)
			return &c->props[i];
	return NULL;
}

/* The value of parameter name of p, or NULL. */
const char *
ics_param(const struct ics_prop *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	return NULL;
}

/*
 * Writing content lines.
 */

/* The length of the UTF-8 sequence at s (1 for a stray byte). */
static size_t
ics_utf8_len(const unsigned char *s, size_t left)
{
	size_t	 n, i;

	if (s[0] < 0xc0)
		n = 1;
	else if (s[0] < 0xe0)
		n = 2;
	else if (s[0] < 0xf0)
		n = 3;
	else
		n = 4;
	if (n > left)
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/*
 * Write the content line "head:value" (value already escaped), folded so
 * that no line passes 75 octets and no UTF-8 sequence is cut, with CRLF.
 */
void
ics_out_line(struct ics_buf *o, const char *head, const char *value)
{
	struct ics_buf		 l = { NULL, 0, 0 };
	const unsigned char	*p;
	size_t			 i, c, col = 0;

	ics_buf_printf(&l, "%s:%s", head, value);
	p = (const unsigned char *)l.s;
	for (i = 0; i < l.len; i += c) {
		c = ics_utf8_len(p + i, l.len - i);
		if (col + c > ICS_FOLD) {
			ics_buf_str(o, "\r\n ");
			col = 1;
		}
		ics_buf_add(o, l.s + i, c);
		col += c;
	}
	ics_buf_str(o, "\r\n");
	free(l.s);
}

/*
 * Append s as an escaped TEXT value: \\ \; \, and \n for a line break
 * (CRLF or CR alone too); other control characters are dropped.
 */
static void
ics_escape(struct ics_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			ics_buf_add(b, "\\", 1);
			ics_buf_add(b, s, 1);
		} else if (*s == '\n' || *s == '\r') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			ics_buf_add(b, "\\n", 2);
		} else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			ics_buf_add(b, s, 1);
		else if (*s == '\t')
			ics_buf_add(b, s, 1);
	}
}

/* Write property name with s as an escaped TEXT value. */
void
ics_out_text(struct ics_buf *o, const char *name, const char *s)
{
	struct ics_buf	 v = { NULL, 0, 0 };

	ics_buf_str(&v, "");
	ics_escape(&v, s);
	ics_out_line(o, name, v.s);
	free(v.s);
}

/* Write property name with the strings of array a as a TEXT list. */
void
ics_out_list(struct ics_buf *o, const char *name, json_t *a)
{
	struct ics_buf	 v = { NULL, 0, 0 };
	json_t		*it;
	size_t		 i;

	ics_buf_str(&v, "");
	json_array_foreach(a, i, it) {
		if (i > 0)
			ics_buf_str(&v, ",");
		ics_escape(&v, json_string_value(it));
	}
	ics_out_line(o, name, v.s);
	free(v.s);
}
