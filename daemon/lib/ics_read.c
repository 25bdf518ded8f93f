/*
 * ics_read.c: iCalendar content lines, read and written, and their values.
 *
 * The reader turns the text into a small tree of components (struct
 * ics_comp): lines are unfolded (a line break followed by a blank
 * continues the line), checked for UTF-8, split into name, parameters and
 * value, and nested by BEGIN/END, so that every error names its line.
 * Values are kept as written, escapes too, and decoded on demand: TEXT and
 * its lists, DATE and DATE-TIME, DURATION; libical checks RRULEs.  The
 * writer folds lines at 75 octets on UTF-8 boundaries, with CRLF, and
 * escapes TEXT.  The growing buffer and the quoting of messages, shared by
 * import and export, live here too.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libical/ical.h>

#include "ics_int.h"
#include "utf8.h"
#include "util.h"

#define ICS_MAX_DEPTH	8	/* VCALENDAR > VTIMEZONE > STANDARD is 3 */
#define ICS_MAX_DAYS	999999999LL	/* longest duration read, in days */
#define ICS_FOLD	75	/* octets of a content line, CRLF excluded */

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
 * Split content line s, in place, into name, parameters and value.
 * Parameter values lose their quotes; several values stay joined by ",".
 * Returns 0, or -1 with *cause set (naming line).
 */
static int
ics_parse_line(char *s, int line, struct ics_prop *p, char **cause)
{
	struct ics_param	*pa;
	size_t			 cap = 0;
	char			*q, *w, delim, quoted[ICS_QUOTE_LEN];

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
		pa->value = w = q;
		for (;;) {
			if (*q == '"') {
				for (q++; *q != '"'; ) {
					if (*q == '\0')
						goto unreadable;
					*w++ = *q++;
				}
				q++;
			} else {
				while (*q != '\0' &&
				    strchr(";:,\"", *q) == NULL)
					*w++ = *q++;
			}
			if (*q != ',')
				break;
			*w++ = *q++;
		}
		delim = *q;
		*w = '\0';
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

	if (strcmp(p->name, "BEGIN") == 0 || strcmp(p->name, "END") == 0) {
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
		if (p->name[0] == 'E') {
			if (c->parent == NULL) {
				util_cause(cause, "ligne %d : END:%s sans "
				    "BEGIN", p->line, name);
				return -1;
			}
			if (strcmp(name, c->name) != 0) {
				util_cause(cause, "ligne %d : END:%s ne ferme "
				    "pas BEGIN:%s (ligne %d)", p->line, name,
				    c->name, c->line);
				return -1;
			}
			*cur = c->parent;
			(*depth)--;
			return 0;
		}
		if (c->parent == NULL && strcmp(name, "VCALENDAR") != 0) {
			util_cause(cause, "ligne %d : BEGIN:%s hors de tout "
			    "VCALENDAR", p->line, name);
			return -1;
		}
		if (*depth == ICS_MAX_DEPTH) {
			util_cause(cause, "ligne %d : composants imbriqués "
			    "trop profondément", p->line);
			return -1;
		}
		*cur = ics_comp_new(name, p->line, c);
		(*depth)++;
		return 0;
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
 * Read text into a tree whose root holds the VCALENDARs.  Returns it (free
 * with ics_comp_free), or NULL with *cause set.
 */
struct ics_comp *
ics_read(const char *text, size_t len, char **cause)
{
	struct ics_reader	 r;
	struct ics_comp		*root, *cur;
	struct ics_prop		 p;
	const char		*nul, *q;
	char			*s, quoted[ICS_QUOTE_LEN];
	size_t			 i;
	int			 line, depth = 0, seen = 0;

	for (i = 0; i < len && strchr(" \t\r\n", text[i]) != NULL &&
	    text[i] != '\0'; i++)
		;
	if (i == len) {
		util_cause(cause, "texte vide : un fichier iCalendar commence "
		    "par BEGIN:VCALENDAR");
		return NULL;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (line = 1, q = text; q < nul; q++)
			line += *q == '\n';
		util_cause(cause, "ligne %d : octet nul : ce n'est pas un "
		    "fichier texte iCalendar", line);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	root = ics_comp_new("", 0, NULL);
	root->text = xmalloc(len + 1);
	r.p = text;
	r.end = text + len;
	r.out = root->text;
	r.line = 1;
	cur = root;
	while ((s = ics_next_line(&r, &line)) != NULL) {
		if (*s == '\0')
			continue;
		if (!seen) {
			ics_quote(quoted, sizeof quoted, s);
			if (strncasecmp(s, "BEGIN:VCALENDAR", 15) != 0 ||
			    strspn(s + 15, " ") != strlen(s + 15)) {
				util_cause(cause, "pas un fichier iCalendar : "
				    "BEGIN:VCALENDAR attendu à la ligne %d, "
				    "trouvé « %s »", line, quoted);
				goto fail;
			}
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
 * Values.
 */

/*
 * A TEXT value unescaped (\\ \; \, \n \N; other escapes lose their
 * backslash), as a new string.
 */
char *
ics_text(const char *v)
{
	char	*out = xmalloc(strlen(v) + 1), *w = out;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*w++ = (*v == 'n' || *v == 'N') ? '\n' : *v;
		} else
			*w++ = *v;
	}
	*w = '\0';
	return out;
}

/*
 * A comma list of TEXT values (CATEGORIES, X-STOPPVIF-AUDIENCE) as a JSON
 * array: split on unescaped commas, each item unescaped and trimmed of
 * blanks, empty items left out.
 */
json_t *
ics_text_list(const char *v)
{
	json_t		*a = json_array();
	const char	*p, *start;
	char		*raw, *item, *b, *e;

	for (p = start = v;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',' && *p != '\0')
			continue;
		raw = xstrndup(start, (size_t)(p - start));
		item = ics_text(raw);
		for (b = item; *b == ' ' || *b == '\t'; b++)
			;
		for (e = b + strlen(b); e > b && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*b != '\0')
			json_array_append_new(a, json_string(b));
		free(item);
		free(raw);
		if (*p == '\0')
			break;
		start = p + 1;
	}
	return a;
}

/* Read n digits of s as a number; -1 if one is not a digit. */
static int
ics_digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse a DATE ("20260107") or DATE-TIME ("20260107T140000[Z]") value. */
int
ics_time_parse(const char *s, struct ics_time *t)
{
	size_t	 n = strlen(s);

	memset(t, 0, sizeof *t);
	if (n != 8 && n != 15 && n != 16)
		return -1;
	t->year = ics_digits(s, 4);
	t->month = ics_digits(s + 4, 2);
	t->day = ics_digits(s + 6, 2);
	if (n == 8)
		t->date = 1;
	else {
		if (s[8] != 'T' || (n == 16 && s[15] != 'Z'))
			return -1;
		t->hour = ics_digits(s + 9, 2);
		t->min = ics_digits(s + 11, 2);
		t->sec = ics_digits(s + 13, 2);
		t->utc = n == 16;
	}
	if (t->year < 1 || t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > ics_mdays(t->year, t->month) || t->hour < 0 ||
	    t->hour > 23 || t->min < 0 || t->min > 59 || t->sec < 0 ||
	    t->sec > 59)
		return -1;
	return 0;
}

/* Parse an event object's "YYYY-MM-DDTHH:MM:SS". */
int
ics_local_parse(const char *s, struct ics_time *t)
{
	char	 basic[16];

	if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	/* digits by position; ics_time_parse refuses any other byte */
	snprintf(basic, sizeof basic, "%.4s%.2s%.2sT%.2s%.2s%.2s", s, s + 5,
	    s + 8, s + 11, s + 14, s + 17);
	return ics_time_parse(basic, t);
}

void
ics_time_iso(const struct ics_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
	    t->day, t->hour, t->min, t->sec);
}

/* Write t in iCalendar's basic form, "20260107T140000". */
void
ics_time_basic(const struct ics_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02d", t->year, t->month,
	    t->day, t->hour, t->min, t->sec);
}

/*
 * Parse an RFC 5545 duration ("-P1D", "PT15M", "P1DT2H30M", "P2W") into
 * seconds; each number at most 9 digits, the whole at most ICS_MAX_DAYS
 * days, so that ics_dur_format() writes it back readable.
 */
int
ics_dur_parse(const char *s, int64_t *secs)
{
	int64_t	 total = 0, n;
	int	 sign = 1, intime = 0, any = 0, digits;
	char	 last = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s++ != 'P')
		return -1;
	while (*s != '\0') {
		if (*s == 'T') {
			if (intime)
				return -1;
			intime = 1;
			last = 0;
			s++;
			if (*s == '\0')
				return -1;
			continue;
		}
		for (n = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits == 9)
				return -1;
			n = n * 10 + (*s - '0');
		}
		if (digits == 0)
			return -1;
		switch (*s) {
		case 'W':
			if (intime || last != 0)
				return -1;
			n *= 7 * ICS_DAY;
			break;
		case 'D':
			if (intime || (last != 0 && last != 'W'))
				return -1;
			n *= ICS_DAY;
			break;
		case 'H':
			if (!intime || last != 0)
				return -1;
			n *= 3600;
			break;
		case 'M':
			if (!intime || (last != 0 && last != 'H'))
				return -1;
			n *= 60;
			break;
		case 'S':
			if (!intime || last == 'S')
				return -1;
			break;
		default:
			return -1;
		}
		last = *s++;
		total += n;
		any = 1;
	}
	if (!any || total > ICS_MAX_DAYS * ICS_DAY)
		return -1;
	*secs = sign * total;
	return 0;
}

/* Write seconds as an RFC 5545 duration: "-P7D", "PT2H", "P1DT12H". */
void
ics_dur_format(int64_t secs, char *buf, size_t len)
{
	struct ics_buf	 b = { NULL, 0, 0 };
	uint64_t	 v = secs < 0 ? -(uint64_t)secs : (uint64_t)secs;

	ics_buf_str(&b, secs < 0 ? "-P" : "P");
	if (v >= ICS_DAY)
		ics_buf_printf(&b, "%" PRIu64 "D", v / ICS_DAY);
	v %= ICS_DAY;
	if (v != 0 || secs == 0) {
		ics_buf_str(&b, "T");
		if (v >= 3600)
			ics_buf_printf(&b, "%" PRIu64 "H", v / 3600);
		if (v % 3600 >= 60)
			ics_buf_printf(&b, "%" PRIu64 "M", v % 3600 / 60);
		if (v % 60 != 0 || v == 0)
			ics_buf_printf(&b, "%" PRIu64 "S", v % 60);
	}
	util_strlcpy(buf, b.s, len);
	free(b.s);
}

/* Whether libical reads rule as a recurrence rule. */
int
ics_rrule_check(const char *rule)
{
	struct icalrecurrencetype	 r;
	const char			*p;

	for (p = rule; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
	if (*rule == '\0')
		return -1;
	r = icalrecurrencetype_from_string(rule);
	icalerror_clear_errno();
	return r.freq == ICAL_NO_RECURRENCE ? -1 : 0;
}

/*
 * Writing content lines.
 */

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
