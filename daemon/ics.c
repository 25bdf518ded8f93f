/*
 * ics.c: iCalendar (RFC 5545) import and export of events.
 *
 * Import reads the content lines itself (unfolding, BEGIN/END nesting,
 * parameters, TEXT escapes) into a small tree, so that every error names its
 * line and values reach the event as written: an RRULE is kept verbatim, an
 * empty value is an empty value (libical's parser drops empty properties as
 * errors, and Google writes "LOCATION:" for every event), X-STOPPVIF lists
 * keep their escaped commas.  libical checks the RRULEs; instants move
 * between zones through tz.h, the daemon's own reading of the system tzdata.
 * Every VEVENT becomes an event object or an error; whatever is not carried
 * over is named in the report.
 *
 * Export writes the content lines directly: CRLF, folding at 75 octets on
 * UTF-8 boundaries, TEXT escapes, and one VTIMEZONE per zone built from the
 * POSIX rule at the end of the zone's TZif file (the rules in force now, as
 * STANDARD/DAYLIGHT with yearly RRULEs).  Times are always written with
 * their TZID, UTC included ("DTSTART;TZID=UTC:..." and a VTIMEZONE of
 * offset 0): a "Z" time of a single event would come back in the default
 * zone.  The output is a function of the events only.
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

#include "duration.h"
#include "ics.h"
#include "tz.h"
#include "util.h"

#define ICS_MAX_DEPTH	8	/* VCALENDAR > VTIMEZONE > STANDARD is 3 */
#define ICS_ZONE_MAX	128	/* longest zone name */
#define ICS_QUOTE_MAX	60	/* bytes of a title, UID or line quoted */
#define ICS_FOLD	75	/* octets of a content line, CRLF excluded */
#define ICS_ZONEINFO	"/usr/share/zoneinfo"
#define ICS_TZIF_MAX	(1024 * 1024)
#define ICS_DAY		86400
#define ICS_MAX_DAYS	999999999LL	/* longest duration read, in days */
#define ICS_RDATE_LAST	2100	/* VTIMEZONE onsets listed up to then */

/* A growing string. */
struct ics_buf {
	char	*s;
	size_t	 len, cap;
};

/* One parameter: name upper-cased, value unquoted (values joined by ","). */
struct ics_param {
	char	*name;
	char	*value;
};

/* One content line; the strings point into the unfolded copy. */
struct ics_prop {
	char			*name;		/* upper case */
	struct ics_param	*params;
	size_t			 nparams;
	char			*value;		/* as written, escapes kept */
	int			 line;
};

/* A component and what it holds, in file order. */
struct ics_comp {
	const char		*name;		/* upper case; "" for root */
	int			 line;
	struct ics_prop		*props;
	size_t			 nprops, propcap;
	struct ics_comp		**comps;
	size_t			 ncomps, compcap;
	struct ics_comp		*parent;
	char			*text;		/* root: the unfolded copy */
};

/* The reader's position in the text. */
struct ics_reader {
	const char	*p, *end;
	char		*out;		/* next free byte of the copy */
	int		 line;		/* physical line at p */
};

/* A civil date-time; date is set for a DATE value (time fields 0). */
struct ics_time {
	int	 year, month, day, hour, min, sec;
	int	 date;
	int	 utc;
};

/* A time and the zone it is read in ("UTC", or an IANA name). */
struct ics_when {
	struct ics_time	 t;
	char		 zone[ICS_ZONE_MAX];
	int		 floating;	/* a date, or no TZID and no Z */
};

/* One transition date of a POSIX rule, "Mm.w.d/time". */
struct ics_rule {
	int	 month, week, wday;	/* week 5 is the last; wday 0 Sunday */
	int32_t	 secs;			/* local time of day, may pass 24h */
};

/* The POSIX TZ string of a zone, offsets east of UTC. */
struct ics_zone {
	char		 std[16], dst[16];
	int32_t		 std_off, dst_off;
	int		 has_dst;
	struct ics_rule	 to_dst, to_std;
};

/* Zones loaded during one import. */
struct ics_zcache {
	char		*name;
	struct tz	*tz;
};

/* One import run. */
struct ics_import {
	const char		*default_tz;
	json_t			*events;
	json_t			*report;
	char			**cause;
	struct ics_zcache	*zones;
	size_t			 nzones;
};

/* The VEVENT being imported. */
struct ics_ev {
	struct ics_import	*imp;
	const struct ics_comp	*cal, *comp;
	char			*title, *uid;	/* unescaped, or NULL */
	char			*label;		/* « title » (UID uid) */
	struct ics_when		 start;
	char			 tz[ICS_ZONE_MAX];
	const char		*rrule;
	const char		*kind;
};

/* What import does with a property of a VEVENT. */
enum ics_use {
	ICS_ONCE,	/* read; a second one is reported */
	ICS_MANY,	/* read, every occurrence */
	ICS_QUIET,	/* bookkeeping: skipped without a word */
	ICS_PEOPLE,	/* ATTENDEE, ORGANIZER: reported once */
};

static const struct ics_prop_rule {
	const char	*name;		/* a trailing '*' matches a prefix */
	enum ics_use	 use;
} ics_prop_rules[] = {
	{ "UID", ICS_ONCE },
	{ "SUMMARY", ICS_ONCE },
	{ "DTSTART", ICS_ONCE },
	{ "DTEND", ICS_ONCE },
	{ "DURATION", ICS_ONCE },
	{ "RRULE", ICS_ONCE },
	{ "EXDATE", ICS_MANY },
	{ "LOCATION", ICS_ONCE },
	{ "DESCRIPTION", ICS_ONCE },
	{ "CATEGORIES", ICS_MANY },
	{ "STATUS", ICS_ONCE },
	{ "X-STOPPVIF-KIND", ICS_ONCE },
	{ "X-STOPPVIF-AUDIENCE", ICS_ONCE },
	{ "X-STOPPVIF-CHANNELS", ICS_ONCE },
	{ "X-STOPPVIF-COMMUNE", ICS_ONCE },
	{ "X-STOPPVIF-SKIP-HOLIDAYS", ICS_ONCE },
	{ "CREATED", ICS_ONCE },
	{ "LAST-MODIFIED", ICS_ONCE },
	{ "DTSTAMP", ICS_QUIET },
	{ "SEQUENCE", ICS_QUIET },
	{ "TRANSP", ICS_QUIET },
	{ "CLASS", ICS_QUIET },
	{ "PRIORITY", ICS_QUIET },
	{ "URL", ICS_QUIET },
	{ "X-MICROSOFT-*", ICS_QUIET },
	{ "X-MS-*", ICS_QUIET },	/* Outlook's X-MS-OLK-* */
	{ "X-GOOGLE-*", ICS_QUIET },
	{ "X-MOZ-*", ICS_QUIET },
	{ "X-LIC-*", ICS_QUIET },
	{ "ATTENDEE", ICS_PEOPLE },
	{ "ORGANIZER", ICS_PEOPLE },
};
#define ICS_NPROP_RULES	(sizeof ics_prop_rules / sizeof ics_prop_rules[0])

static const char *const ics_kinds[] = {
	"platform", "training", "cabane", "awareness", "other",
};
#define ICS_NKINDS	(sizeof ics_kinds / sizeof ics_kinds[0])

/* Words of a category that name a kind, English and French. */
static const struct {
	const char	*word;
	const char	*kind;
} ics_kind_words[] = {
	{ "platform", "platform" }, { "plateforme", "platform" },
	{ "plateformes", "platform" },
	{ "training", "training" }, { "formation", "training" },
	{ "formations", "training" },
	{ "cabane", "cabane" }, { "cabanes", "cabane" },
	{ "awareness", "awareness" }, { "sensibilisation", "awareness" },
	{ "other", "other" }, { "autre", "other" },
};
#define ICS_NKIND_WORDS	(sizeof ics_kind_words / sizeof ics_kind_words[0])

/*
 * Windows zone names (Outlook, Exchange) and Outlook's display names, to
 * IANA: CLDR's windowsZones, with the Belgian entry where there is one.
 */
static const struct {
	const char	*windows;
	const char	*iana;
} ics_windows_zones[] = {
	{ "Romance Standard Time", "Europe/Brussels" },
	{ "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris",
	    "Europe/Brussels" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	    "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "UTC", "UTC" },
	{ "Coordinated Universal Time", "UTC" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "FLE Standard Time", "Europe/Kiev" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Morocco Standard Time", "Africa/Casablanca" },
	{ "W. Central Africa Standard Time", "Africa/Lagos" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
	{ "Egypt Standard Time", "Africa/Cairo" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "India Standard Time", "Asia/Kolkata" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "SA Pacific Standard Time", "America/Bogota" },
	{ "E. South America Standard Time", "America/Sao_Paulo" },
	{ "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
	{ "Azores Standard Time", "Atlantic/Azores" },
};
#define ICS_NWINDOWS	(sizeof ics_windows_zones / sizeof ics_windows_zones[0])

static const char *const ics_wdays[] = {
	"SU", "MO", "TU", "WE", "TH", "FR", "SA",
};

/* The fields of an exported event object and their JSON types. */
enum ics_ftype {
	ICS_F_STR,	/* a string */
	ICS_F_NSTR,	/* a string or null */
	ICS_F_STRS,	/* an array of strings */
};

static const struct ics_field {
	const char	*key;
	enum ics_ftype	 type;
	int		 required;
} ics_fields[] = {
	{ "title", ICS_F_STR, 1 },
	{ "dtstart", ICS_F_STR, 1 },
	{ "tz", ICS_F_STR, 1 },
	{ "duration", ICS_F_STR, 1 },
	{ "uid", ICS_F_NSTR, 0 },
	{ "kind", ICS_F_NSTR, 0 },
	{ "rrule", ICS_F_NSTR, 0 },
	{ "location", ICS_F_NSTR, 0 },
	{ "description", ICS_F_NSTR, 0 },
	{ "commune", ICS_F_NSTR, 0 },
	{ "skip_holidays", ICS_F_NSTR, 0 },
	{ "created", ICS_F_NSTR, 0 },
	{ "updated", ICS_F_NSTR, 0 },
	{ "remind", ICS_F_STRS, 0 },
	{ "audience", ICS_F_STRS, 0 },
	{ "channels", ICS_F_STRS, 0 },
	{ "exdates", ICS_F_STRS, 0 },
};
#define ICS_NFIELDS	(sizeof ics_fields / sizeof ics_fields[0])

static void	ics_buf_printf(struct ics_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	ics_note(struct ics_import *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	ics_fail(struct ics_ev *, const struct ics_prop *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

/*
 * Buffers and messages.
 */

static void
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

static void
ics_buf_str(struct ics_buf *b, const char *s)
{
	ics_buf_add(b, s, strlen(s));
}

static void
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
 * Copy s into buf (of ICS_QUOTE_MAX + 8 bytes or more) for a message: cut
 * on a character boundary with "…" when too long, line breaks as blanks.
 */
static void
ics_quote(char *buf, size_t len, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 0, c, left = strlen(s);

	while (n < left) {
		c = ics_utf8_len(p + n, left - n);
		if (n + c > ICS_QUOTE_MAX || n + c + 4 > len)
			break;
		n += c;
	}
	memcpy(buf, s, n);
	if (n < left)
		memcpy(buf + n, "…", sizeof "…");
	else
		buf[n] = '\0';
	for (c = 0; c < n; c++)
		if (buf[c] == '\n' || buf[c] == '\t')
			buf[c] = ' ';
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

static void
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
	char			*q, *w, delim, quoted[ICS_QUOTE_MAX + 8];

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
static struct ics_comp *
ics_read(const char *text, size_t len, char **cause)
{
	struct ics_reader	 r;
	struct ics_comp		*root, *cur;
	struct ics_prop		 p;
	const char		*nul, *q;
	char			*s, quoted[ICS_QUOTE_MAX + 8];
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
static const struct ics_prop *
ics_prop(const struct ics_comp *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nprops; i++)
		if (strcmp(c->props[i].name, name) == 0)
			return &c->props[i];
	return NULL;
}

/* The value of parameter name of p, or NULL. */
static const char *
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
static char *
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
static json_t *
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

static int
ics_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int64_t
ics_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Seconds of t on a zone-less clock (1970-01-01T00:00:00 is 0). */
static int64_t
ics_time_secs(const struct ics_time *t)
{
	return tz_days_from_civil(t->year, t->month, t->day) * ICS_DAY +
	    t->hour * 3600 + t->min * 60 + t->sec;
}

static void
ics_secs_time(int64_t secs, struct ics_time *t)
{
	int64_t	 day = ics_floordiv(secs, ICS_DAY), rest = secs - day * ICS_DAY;
	int64_t	 year;

	tz_civil_from_days(day, &year, &t->month, &t->day);
	t->year = year < 0 ? -1 : year > 99999 ? 99999 : (int)year;
	t->hour = (int)(rest / 3600);
	t->min = (int)(rest % 3600 / 60);
	t->sec = (int)(rest % 60);
	t->date = 0;
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
static int
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
static int
ics_local_parse(const char *s, struct ics_time *t)
{
	char	 basic[16];

	if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	snprintf(basic, sizeof basic, "%.4s%.2s%.2sT%.2s%.2s%.2s", s, s + 5,
	    s + 8, s + 11, s + 14, s + 17);
	return ics_time_parse(basic, t);
}

static void
ics_time_iso(const struct ics_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
	    t->day, t->hour, t->min, t->sec);
}

/* Write t in iCalendar's basic form, "20260107T140000". */
static void
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
static int
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
static void
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
static int
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
 * Zones.
 */

/* A POSIX zone name, "CET" or "<+0530>", into out; returns what follows. */
static const char *
ics_posix_name(const char *s, char *out, size_t len)
{
	size_t	 n = 0;

	if (*s == '<') {
		for (s++; *s != '>'; s++) {
			if (*s == '\0' || (!isalnum((unsigned char)*s) &&
			    *s != '+' && *s != '-') || n + 1 >= len)
				return NULL;
			out[n++] = *s;
		}
		s++;
	} else {
		for (; isalpha((unsigned char)*s); s++) {
			if (n + 1 >= len)
				return NULL;
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return n < 3 ? NULL : s;
}

/* A POSIX "[+-]hh[:mm[:ss]]" (hours up to 167) into *secs. */
static const char *
ics_posix_offset(const char *s, int32_t *secs)
{
	int32_t	 sign = 1, part[3] = { 0, 0, 0 };
	int	 i, n;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != ':')
				break;
			s++;
		}
		for (n = 0; *s >= '0' && *s <= '9' && n < 3; s++, n++)
			part[i] = part[i] * 10 + (*s - '0');
		if (n == 0 || (i > 0 && (n != 2 || part[i] > 59)))
			return NULL;
	}
	if (part[0] > 167)
		return NULL;
	*secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

/* A POSIX transition date "Mm.w.d[/time]"; Jn and n are not taken. */
static const char *
ics_posix_rule(const char *s, struct ics_rule *r)
{
	int	 n;

	if (sscanf(s, "M%d.%d.%d%n", &r->month, &r->week, &r->wday, &n) != 3 ||
	    r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 ||
	    r->wday < 0 || r->wday > 6)
		return NULL;
	s += n;
	r->secs = 2 * 3600;
	if (*s == '/')
		s = ics_posix_offset(s + 1, &r->secs);
	return s;
}

/* The onset of rule r in year: local time before the change. */
static void
ics_rule_onset(const struct ics_rule *r, int year, struct ics_time *t)
{
	int64_t	 first, k;
	int	 wd_first, day, last;

	first = tz_days_from_civil(year, r->month, 1);
	wd_first = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
	if (r->week < 5)
		day = 1 + (r->wday - wd_first + 7) % 7 + 7 * (r->week - 1);
	else {
		last = ics_mdays(year, r->month);
		day = last - ((wd_first + last - 1) % 7 - r->wday + 7) % 7;
	}
	k = ics_floordiv(r->secs, ICS_DAY);
	ics_secs_time((tz_days_from_civil(year, r->month, day) + k) * ICS_DAY +
	    (r->secs - k * ICS_DAY), t);
}

/*
 * The yearly RRULE of a transition date.  A time past midnight moves the
 * day: "M3.4.4/26" (Friday before the last Sunday) is
 * BYDAY=FR;BYMONTHDAY=23,...,29.  -1 when the moved day can fall in
 * another month ("M10.5.4/24", the day after the last Thursday).
 */
static int
ics_rule_rrule(const struct ics_rule *r, char *buf, size_t len)
{
	int64_t	 k = ics_floordiv(r->secs, ICS_DAY);
	int	 lo, hi, mlen, d, n;

	n = snprintf(buf, len, "FREQ=YEARLY;BYMONTH=%d;BYDAY=", r->month);
	if (k == 0) {
		snprintf(buf + n, len - (size_t)n, "%d%s", r->week == 5 ? -1 :
		    r->week, ics_wdays[r->wday]);
		return 0;
	}
	if (r->week < 5) {
		lo = 7 * (r->week - 1) + 1 + (int)k;
		mlen = r->month == 2 ? 28 : ics_mdays(1970, r->month);
	} else {
		lo = -7 + (int)k;
		mlen = -1;
	}
	hi = lo + 6;
	if ((r->week < 5 && lo < 1) || hi > mlen || lo < -28)
		return -1;
	n += snprintf(buf + n, len - (size_t)n, "%s;BYMONTHDAY=",
	    ics_wdays[((r->wday + k) % 7 + 7) % 7]);
	for (d = lo; d <= hi; d++)
		n += snprintf(buf + n, len - (size_t)n, d == lo ? "%d" : ",%d",
		    d);
	return 0;
}

/*
 * Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") into *z: no DST,
 * or DST between two Mm.w.d dates (Jn and n, which no zone uses, are not
 * taken).
 */
static int
ics_posix_parse(const char *s, struct ics_zone *z)
{
	int32_t		 off;

	memset(z, 0, sizeof *z);
	if ((s = ics_posix_name(s, z->std, sizeof z->std)) == NULL ||
	    (s = ics_posix_offset(s, &off)) == NULL)
		return -1;
	z->std_off = -off;
	if (*s == '\0')
		return 0;
	z->has_dst = 1;
	if ((s = ics_posix_name(s, z->dst, sizeof z->dst)) == NULL)
		return -1;
	z->dst_off = z->std_off + 3600;
	if (*s != ',') {
		if ((s = ics_posix_offset(s, &off)) == NULL)
			return -1;
		z->dst_off = -off;
	}
	if (*s++ != ',' || (s = ics_posix_rule(s, &z->to_dst)) == NULL ||
	    *s++ != ',' || (s = ics_posix_rule(s, &z->to_std)) == NULL ||
	    *s != '\0')
		return -1;
	return 0;
}

/*
 * The rules in force in zone name, from the POSIX TZ string that ends its
 * TZif file (version 2 and later) under $TZDIR or /usr/share/zoneinfo.
 */
static int
ics_zone_rules(const char *name, struct ics_zone *z, char **cause)
{
	const char	*dir, *p;
	char		*path = NULL, *buf = NULL;
	size_t		 n = 0, i;
	FILE		*fp = NULL;
	int		 rc = -1;

	if (*name == '\0' || *name == '/' || strlen(name) >= ICS_ZONE_MAX ||
	    strstr(name, "..") != NULL)
		goto fail;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			goto fail;
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = ICS_ZONEINFO;
	xasprintf(&path, "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		goto fail;
	buf = xmalloc(ICS_TZIF_MAX);
	n = fread(buf, 1, ICS_TZIF_MAX - 1, fp);
	if (n < 46 || memcmp(buf, "TZif", 4) != 0 || buf[4] < '2' ||
	    buf[n - 1] != '\n')
		goto fail;
	buf[n - 1] = '\0';
	for (i = n - 1; i > 44 && buf[i - 1] != '\n'; i--)
		if ((unsigned char)buf[i - 1] < 0x20 ||
		    (unsigned char)buf[i - 1] >= 0x7f)
			goto fail;
	if (i == 44 || ics_posix_parse(buf + i, z) == -1)
		goto fail;
	rc = 0;
fail:
	if (rc == -1)
		util_cause(cause, "fuseau « %.64s » : pas de zone de ce nom "
		    "sous %s, ou règle qu'un VTIMEZONE ne peut pas écrire",
		    name, ICS_ZONEINFO);
	if (fp != NULL)
		fclose(fp);
	free(buf);
	free(path);
	return rc;
}

/*
 * Zone name loaded for this import (cached, failures too), or NULL when it
 * is no zone the daemon and the export can both use.
 */
static struct tz *
ics_zone_get(struct ics_import *imp, const char *name)
{
	struct ics_zone	 z;
	struct tz	*tz;
	size_t		 i;

	if (strlen(name) >= ICS_ZONE_MAX)
		return NULL;
	for (i = 0; i < imp->nzones; i++)
		if (strcmp(imp->zones[i].name, name) == 0)
			return imp->zones[i].tz;
	if ((tz = tz_load(name, NULL)) != NULL &&
	    ics_zone_rules(name, &z, NULL) == -1) {
		tz_free(tz);
		tz = NULL;
	}
	imp->zones = xreallocarray(imp->zones, imp->nzones + 1,
	    sizeof *imp->zones);
	imp->zones[imp->nzones].name = xstrdup(name);
	imp->zones[imp->nzones++].tz = tz;
	return tz;
}

/*
 * The IANA name of TZID tzid into out: the name itself, a Windows name
 * from the table, the IANA tail of a prefixed name
 * ("/freeassociation.sourceforge.net/Europe/Brussels"), or the
 * X-LIC-LOCATION of the calendar's VTIMEZONE of that TZID.
 */
static int
ics_zone_resolve(struct ics_import *imp, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len)
{
	const struct ics_prop	*p, *loc;
	const char		*s;
	size_t			 i;

	if (ics_zone_get(imp, tzid) != NULL) {
		util_strlcpy(out, tzid, len);
		return 0;
	}
	for (i = 0; i < ICS_NWINDOWS; i++) {
		if (strcasecmp(tzid, ics_windows_zones[i].windows) == 0 &&
		    ics_zone_get(imp, ics_windows_zones[i].iana) != NULL) {
			util_strlcpy(out, ics_windows_zones[i].iana, len);
			return 0;
		}
	}
	for (s = strchr(tzid, '/'); s != NULL; s = strchr(s + 1, '/')) {
		if (s[1] != '\0' && ics_zone_get(imp, s + 1) != NULL) {
			util_strlcpy(out, s + 1, len);
			return 0;
		}
	}
	for (i = 0; i < cal->ncomps; i++) {
		if (strcmp(cal->comps[i]->name, "VTIMEZONE") != 0 ||
		    (p = ics_prop(cal->comps[i], "TZID")) == NULL ||
		    strcmp(p->value, tzid) != 0)
			continue;
		if ((loc = ics_prop(cal->comps[i], "X-LIC-LOCATION")) != NULL &&
		    ics_zone_get(imp, loc->value) != NULL) {
			util_strlcpy(out, loc->value, len);
			return 0;
		}
	}
	return -1;
}

/* Move wall-clock time t from zone from to the wall clock of zone to. */
static int
ics_convert(struct ics_import *imp, struct ics_time *t, const char *from,
    const char *to)
{
	struct tz	*zf, *zt;
	int64_t		 utc;

	if (strcmp(from, to) == 0)
		return 0;
	if ((zf = ics_zone_get(imp, from)) == NULL ||
	    (zt = ics_zone_get(imp, to)) == NULL)
		return -1;
	utc = tz_resolve(zf, ics_time_secs(t), NULL);
	ics_secs_time(utc + tz_offset_at(zt, utc), t);
	t->utc = 0;
	return t->year >= 1 && t->year <= 9999 ? 0 : -1;
}

/*
 * Import.
 */

/* Fill e for VEVENT (or other component) comp: title, UID and label. */
static void
ics_ev_init(struct ics_ev *e, struct ics_import *imp,
    const struct ics_comp *cal, const struct ics_comp *comp)
{
	const struct ics_prop	*p;
	char			 qt[ICS_QUOTE_MAX + 8], qu[ICS_QUOTE_MAX + 8];
	char			*uid;

	memset(e, 0, sizeof *e);
	e->imp = imp;
	e->cal = cal;
	e->comp = comp;
	if ((p = ics_prop(comp, "SUMMARY")) != NULL && p->value[0] != '\0')
		e->title = ics_text(p->value);
	if ((p = ics_prop(comp, "UID")) != NULL && p->value[0] != '\0')
		e->uid = ics_text(p->value);
	if (e->uid != NULL) {
		ics_quote(qu, sizeof qu, e->uid);
		xasprintf(&uid, " (UID %s)", qu);
	} else
		uid = xstrdup("");
	if (e->title != NULL) {
		ics_quote(qt, sizeof qt, e->title);
		xasprintf(&e->label, "« %s »%s", qt, uid);
	} else
		xasprintf(&e->label, "%s de la ligne %d%s", comp->name,
		    comp->line, uid);
	free(uid);
}

/* Add "label: message" to the report. */
static void
ics_note(struct ics_import *imp, const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&s, "%s: %s", label, msg);
	json_array_append_new(imp->report, json_string(s));
	free(s);
	free(msg);
}

/* Set the import's cause, naming the event and p's line; returns -1. */
static int
ics_fail(struct ics_ev *e, const struct ics_prop *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (p != NULL)
		util_cause(e->imp->cause, "%s, ligne %d: %s", e->label,
		    p->line, msg);
	else
		util_cause(e->imp->cause, "%s: %s", e->label, msg);
	free(msg);
	return -1;
}

/*
 * Read value (of property p, whose TZID and VALUE apply) as a time and
 * the zone it is in: "UTC" for a "Z" time, the resolved TZID, else the
 * default zone (w->t.date or floating: the caller may read it in another).
 */
static int
ics_when_read(struct ics_ev *e, const struct ics_prop *p, const char *value,
    struct ics_when *w)
{
	const char	*vt = ics_param(p, "VALUE"), *tzid;
	char		 q[ICS_QUOTE_MAX + 8];

	ics_quote(q, sizeof q, value);
	if (ics_time_parse(value, &w->t) == -1 || (vt != NULL &&
	    ((strcasecmp(vt, "DATE") == 0 && !w->t.date) ||
	    (strcasecmp(vt, "DATE-TIME") == 0 && w->t.date))))
		return ics_fail(e, p, "%s « %s » illisible (attendu AAAAMMJJ "
		    "ou AAAAMMJJTHHMMSS)", p->name, q);
	w->floating = 0;
	if (w->t.utc)
		util_strlcpy(w->zone, "UTC", sizeof w->zone);
	else if (!w->t.date && (tzid = ics_param(p, "TZID")) != NULL) {
		if (ics_zone_resolve(e->imp, e->cal, tzid, w->zone,
		    sizeof w->zone) == -1) {
			ics_quote(q, sizeof q, tzid);
			return ics_fail(e, p, "fuseau « %s » inconnu : ni nom "
			    "IANA, ni nom Windows connu, ni VTIMEZONE avec "
			    "X-LIC-LOCATION", q);
		}
	} else {
		util_strlcpy(w->zone, e->imp->default_tz, sizeof w->zone);
		w->floating = 1;
	}
	return 0;
}

/* DTSTART and RRULE of the event. */
static int
ics_ev_start(struct ics_ev *e)
{
	const struct ics_prop	*p;
	char			 q[ICS_QUOTE_MAX + 8];

	if ((p = ics_prop(e->comp, "DTSTART")) == NULL)
		return ics_fail(e, NULL, "DTSTART manquant");
	if (ics_when_read(e, p, p->value, &e->start) == -1)
		return -1;
	if ((p = ics_prop(e->comp, "RRULE")) != NULL) {
		if (ics_rrule_check(p->value) == -1) {
			ics_quote(q, sizeof q, p->value);
			return ics_fail(e, p, "RRULE « %s » illisible", q);
		}
		e->rrule = p->value;
	}
	return 0;
}

/*
 * The length of the event: DURATION, else DTEND - DTSTART (on the wall
 * clock of DTSTART's zone), else 1 day for a date and 1 hour for a time.
 */
static int
ics_ev_duration(struct ics_ev *e, int64_t *secs)
{
	const struct ics_prop	*dur, *end;
	struct ics_when		 w;
	char			 q[ICS_QUOTE_MAX + 8];

	dur = ics_prop(e->comp, "DURATION");
	end = ics_prop(e->comp, "DTEND");
	if (dur != NULL) {
		ics_quote(q, sizeof q, dur->value);
		if (ics_dur_parse(dur->value, secs) == -1)
			return ics_fail(e, dur, "DURATION « %s » illisible", q);
		if (*secs < 0)
			return ics_fail(e, dur, "DURATION « %s » négative", q);
		if (end != NULL)
			ics_note(e->imp, e->label, "DTEND ignoré (DURATION "
			    "présent)");
		return 0;
	}
	if (end == NULL) {
		*secs = e->start.t.date ? ICS_DAY : 3600;
		return 0;
	}
	if (ics_when_read(e, end, end->value, &w) == -1)
		return -1;
	if (w.floating)
		util_strlcpy(w.zone, e->start.zone, sizeof w.zone);
	if (ics_convert(e->imp, &w.t, w.zone, e->start.zone) == -1)
		return ics_fail(e, end, "DTEND hors des années 1 à 9999");
	*secs = ics_time_secs(&w.t) - ics_time_secs(&e->start.t);
	if (*secs < 0)
		return ics_fail(e, end, "DTEND avant DTSTART");
	return 0;
}

/*
 * EXDATEs as wall-clock times in the event's zone, in file order without
 * repeats.  A date excludes the occurrence of that day; a floating time is
 * read in the event's zone.
 */
static int
ics_ev_exdates(struct ics_ev *e, json_t *out)
{
	const struct ics_prop	*p;
	struct ics_when		 w;
	char			*list, *item, *save = NULL, iso[32];
	size_t			 i, j;
	int			 noted = 0, rc;

	for (i = 0; i < e->comp->nprops; i++) {
		p = &e->comp->props[i];
		if (strcmp(p->name, "EXDATE") != 0)
			continue;
		if (e->rrule == NULL) {
			if (!noted++)
				ics_note(e->imp, e->label, "EXDATE sans RRULE "
				    "ignoré");
			continue;
		}
		list = xstrdup(p->value);
		rc = 0;
		for (item = strtok_r(list, ",", &save); item != NULL && rc == 0;
		    item = strtok_r(NULL, ",", &save)) {
			item += strspn(item, " ");
			item[strcspn(item, " ")] = '\0';
			if (*item == '\0')
				continue;
			if ((rc = ics_when_read(e, p, item, &w)) == -1)
				break;
			if (w.t.date) {
				w.t.hour = e->start.t.hour;
				w.t.min = e->start.t.min;
				w.t.sec = e->start.t.sec;
			}
			if (w.floating)
				util_strlcpy(w.zone, e->tz, sizeof w.zone);
			if ((rc = ics_convert(e->imp, &w.t, w.zone,
			    e->tz)) == -1) {
				ics_fail(e, p, "EXDATE hors des années 1 à "
				    "9999");
				break;
			}
			ics_time_iso(&w.t, iso, sizeof iso);
			for (j = 0; j < json_array_size(out); j++)
				if (strcmp(json_string_value(json_array_get(out,
				    j)), iso) == 0)
					break;
			if (j == json_array_size(out))
				json_array_append_new(out, json_string(iso));
		}
		free(list);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
ics_offset_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The reminders: VALARMs whose TRIGGER is a duration before the start,
 * largest first, without repeats.  Other triggers are reported.
 */
static int
ics_ev_alarms(struct ics_ev *e, json_t *out)
{
	const struct ics_comp	*c;
	const struct ics_prop	*trig;
	const char		*vt, *rel;
	int64_t			*offs = NULL, secs;
	size_t			 n = 0, i, j;
	char			 q[ICS_QUOTE_MAX + 8], buf[32];

	for (i = 0; i < e->comp->ncomps; i++) {
		c = e->comp->comps[i];
		if (strcmp(c->name, "VALARM") != 0) {
			ics_note(e->imp, e->label, "composant %s ignoré",
			    c->name);
			continue;
		}
		if (ics_prop(c, "REPEAT") != NULL)
			ics_note(e->imp, e->label, "répétition du rappel "
			    "ignorée");
		if ((trig = ics_prop(c, "TRIGGER")) == NULL) {
			ics_note(e->imp, e->label, "rappel sans TRIGGER "
			    "ignoré");
			continue;
		}
		vt = ics_param(trig, "VALUE");
		rel = ics_param(trig, "RELATED");
		if ((vt != NULL && strcasecmp(vt, "DATE-TIME") == 0) ||
		    isdigit((unsigned char)trig->value[0])) {
			ics_note(e->imp, e->label, "rappel à date fixe ignoré");
			continue;
		}
		if (rel != NULL && strcasecmp(rel, "END") == 0) {
			ics_note(e->imp, e->label, "rappel relatif à la fin "
			    "ignoré");
			continue;
		}
		if (ics_dur_parse(trig->value, &secs) == -1) {
			free(offs);
			ics_quote(q, sizeof q, trig->value);
			return ics_fail(e, trig, "TRIGGER « %s » illisible", q);
		}
		if (secs > 0) {
			ics_note(e->imp, e->label, "rappel après le début "
			    "ignoré");
			continue;
		}
		for (j = 0; j < n && offs[j] != -secs; j++)
			;
		if (j == n) {
			offs = xreallocarray(offs, n + 1, sizeof *offs);
			offs[n++] = -secs;
		}
	}
	if (n > 0)
		qsort(offs, n, sizeof *offs, ics_offset_cmp);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(duration_format(offs[i],
		    buf, sizeof buf)));
	free(offs);
	return 0;
}

/* The kind (index in ics_kinds) named by a word of category s, or -1. */
static int
ics_kind_of(const char *s)
{
	char	 word[32];
	size_t	 n, i, k;

	while (*s != '\0') {
		for (n = 0; isalnum((unsigned char)*s); s++)
			if (n + 1 < sizeof word)
				word[n++] = (char)tolower((unsigned char)*s);
		word[n] = '\0';
		for (i = 0; n > 0 && i < ICS_NKIND_WORDS; i++) {
			if (strcmp(word, ics_kind_words[i].word) != 0)
				continue;
			for (k = 0; k < ICS_NKINDS; k++)
				if (strcmp(ics_kinds[k],
				    ics_kind_words[i].kind) == 0)
					return (int)k;
		}
		if (*s != '\0' && !isalnum((unsigned char)*s))
			s++;
	}
	return -1;
}

/*
 * The kind: X-STOPPVIF-KIND when it is one, else the first category that
 * names one, else "other".  Categories that say something else are
 * reported.
 */
static const char *
ics_ev_kind(struct ics_ev *e)
{
	const struct ics_prop	*p;
	json_t			*cats, *v;
	char			*x, q[ICS_QUOTE_MAX + 8];
	size_t			 i, j;
	int			 kind = -1, k;

	if ((p = ics_prop(e->comp, "X-STOPPVIF-KIND")) != NULL) {
		x = ics_text(p->value);
		for (i = 0; i < ICS_NKINDS; i++)
			if (strcasecmp(x, ics_kinds[i]) == 0)
				kind = (int)i;
		if (kind == -1) {
			ics_quote(q, sizeof q, x);
			ics_note(e->imp, e->label, "X-STOPPVIF-KIND « %s » "
			    "inconnu ignoré", q);
		}
		free(x);
	}
	for (i = 0; i < e->comp->nprops; i++) {
		p = &e->comp->props[i];
		if (strcmp(p->name, "CATEGORIES") != 0)
			continue;
		cats = ics_text_list(p->value);
		json_array_foreach(cats, j, v) {
			k = ics_kind_of(json_string_value(v));
			if (kind == -1 && k != -1)
				kind = k;
			else if (k != kind || k == -1) {
				ics_quote(q, sizeof q, json_string_value(v));
				ics_note(e->imp, e->label, "catégorie « %s » "
				    "ignorée", q);
			}
		}
		json_decref(cats);
	}
	return ics_kinds[kind == -1 ? ICS_NKINDS - 1 : (size_t)kind];
}

/*
 * Set key from X-STOPPVIF property name when the event has it: a list for
 * audience and channels, a text (empty: null) otherwise.
 */
static void
ics_ev_extra(struct ics_ev *e, json_t *obj, const char *key, const char *name,
    int list)
{
	const struct ics_prop	*p;
	char			*s;

	if ((p = ics_prop(e->comp, name)) == NULL)
		return;
	if (list) {
		json_object_set_new(obj, key, ics_text_list(p->value));
		return;
	}
	s = ics_text(p->value);
	json_object_set_new(obj, key, *s == '\0' ? json_null() :
	    json_string(s));
	free(s);
}

/* The rule for property name, or NULL when it is not imported. */
static const struct ics_prop_rule *
ics_prop_rule(const char *name)
{
	size_t	 i, n;

	for (i = 0; i < ICS_NPROP_RULES; i++) {
		n = strlen(ics_prop_rules[i].name);
		if (ics_prop_rules[i].name[n - 1] == '*' ?
		    strncmp(name, ics_prop_rules[i].name, n - 1) == 0 :
		    strcmp(name, ics_prop_rules[i].name) == 0)
			return &ics_prop_rules[i];
	}
	return NULL;
}

/* Report the properties of the event that are not imported. */
static void
ics_ev_ignored(struct ics_ev *e)
{
	const struct ics_prop_rule	*rule;
	const char			*name;
	size_t				 i, j;
	int				 people = 0;

	for (i = 0; i < e->comp->nprops; i++) {
		name = e->comp->props[i].name;
		for (j = 0; j < i; j++)
			if (strcmp(e->comp->props[j].name, name) == 0)
				break;
		rule = ics_prop_rule(name);
		if (rule == NULL) {
			if (j == i)
				ics_note(e->imp, e->label, "%s ignoré", name);
		} else if (rule->use == ICS_ONCE && j < i) {
			if (strcmp(name, "RRULE") == 0)
				ics_note(e->imp, e->label, "RRULE "
				    "supplémentaire ignorée");
			else
				ics_note(e->imp, e->label, "%s en double "
				    "ignoré", name);
		} else if (rule->use == ICS_PEOPLE && !people++)
			ics_note(e->imp, e->label, "participants ignorés");
	}
}

/* Set key to the UTC time of property name, when it has one. */
static void
ics_ev_stamp(struct ics_ev *e, json_t *obj, const char *key,
    const char *name)
{
	const struct ics_prop	*p;
	struct ics_time		 t;
	char			 iso[32];

	if ((p = ics_prop(e->comp, name)) == NULL ||
	    ics_time_parse(p->value, &t) == -1 || !t.utc)
		return;
	ics_time_iso(&t, iso, sizeof iso);
	util_strlcat(iso, "Z", sizeof iso);
	json_object_set_new(obj, key, json_string(iso));
}

/*
 * The event object of e, or NULL with the cause set.  CREATED and
 * LAST-MODIFIED come back as the read-only "created" and "updated", so
 * that export, import and export again give the same text.
 */
static json_t *
ics_ev_object(struct ics_ev *e)
{
	const struct ics_prop	*p;
	json_t			*obj, *remind, *exdates;
	int64_t			 secs;
	char			 iso[32], dur[32], *s;

	if (ics_ev_start(e) == -1 || ics_ev_duration(e, &secs) == -1)
		return NULL;
	util_strlcpy(e->tz, e->start.zone, sizeof e->tz);
	if (e->start.t.utc && e->rrule == NULL) {
		util_strlcpy(e->tz, e->imp->default_tz, sizeof e->tz);
		if (ics_convert(e->imp, &e->start.t, "UTC", e->tz) == -1) {
			ics_fail(e, ics_prop(e->comp, "DTSTART"), "DTSTART "
			    "hors des années 1 à 9999");
			return NULL;
		}
	}
	ics_ev_ignored(e);
	e->kind = ics_ev_kind(e);
	remind = json_array();
	exdates = json_array();
	if (ics_ev_alarms(e, remind) == -1 ||
	    ics_ev_exdates(e, exdates) == -1) {
		json_decref(remind);
		json_decref(exdates);
		return NULL;
	}
	obj = json_object();
	if (e->uid != NULL)
		json_object_set_new(obj, "uid", json_string(e->uid));
	json_object_set_new(obj, "title", json_string(e->title));
	json_object_set_new(obj, "kind", json_string(e->kind));
	ics_time_iso(&e->start.t, iso, sizeof iso);
	json_object_set_new(obj, "dtstart", json_string(iso));
	json_object_set_new(obj, "tz", json_string(e->tz));
	json_object_set_new(obj, "rrule", e->rrule != NULL ?
	    json_string(e->rrule) : json_null());
	json_object_set_new(obj, "duration", json_string(duration_format(secs,
	    dur, sizeof dur)));
	p = ics_prop(e->comp, "LOCATION");
	s = p != NULL && p->value[0] != '\0' ? ics_text(p->value) : NULL;
	json_object_set_new(obj, "location", s ? json_string(s) : json_null());
	free(s);
	ics_ev_extra(e, obj, "commune", "X-STOPPVIF-COMMUNE", 0);
	p = ics_prop(e->comp, "DESCRIPTION");
	s = p != NULL && p->value[0] != '\0' ? ics_text(p->value) : NULL;
	json_object_set_new(obj, "description", s ? json_string(s) :
	    json_null());
	free(s);
	json_object_set_new(obj, "remind", remind);
	ics_ev_extra(e, obj, "audience", "X-STOPPVIF-AUDIENCE", 1);
	ics_ev_extra(e, obj, "channels", "X-STOPPVIF-CHANNELS", 1);
	ics_ev_extra(e, obj, "skip_holidays", "X-STOPPVIF-SKIP-HOLIDAYS", 0);
	json_object_set_new(obj, "exdates", exdates);
	ics_ev_stamp(e, obj, "created", "CREATED");
	ics_ev_stamp(e, obj, "updated", "LAST-MODIFIED");
	return obj;
}

/* Import one VEVENT of cal: an event, a report, or -1 with the cause. */
static int
ics_import_event(struct ics_import *imp, const struct ics_comp *cal,
    const struct ics_comp *comp)
{
	struct ics_ev		 e;
	const struct ics_prop	*p;
	json_t			*obj = NULL;
	char			 q[ICS_QUOTE_MAX + 8];
	int			 rc = -1;

	ics_ev_init(&e, imp, cal, comp);
	if ((p = ics_prop(comp, "RECURRENCE-ID")) != NULL) {
		ics_quote(q, sizeof q, p->value);
		ics_note(imp, e.label, "occurrence modifiée ignorée "
		    "(RECURRENCE-ID %s)", q);
		rc = 0;
	} else if ((p = ics_prop(comp, "STATUS")) != NULL &&
	    strncasecmp(p->value, "CANCELLED", 9) == 0) {
		ics_note(imp, e.label, "événement annulé ignoré");
		rc = 0;
	} else if (e.title == NULL)
		ics_fail(&e, NULL, "SUMMARY manquant : chaque événement a "
		    "besoin d'un titre");
	else if ((obj = ics_ev_object(&e)) != NULL) {
		json_array_append_new(imp->events, obj);
		rc = 0;
	}
	free(e.title);
	free(e.uid);
	free(e.label);
	return rc;
}

/* Import the VEVENTs of one VCALENDAR; report its other components. */
static int
ics_import_calendar(struct ics_import *imp, const struct ics_comp *cal)
{
	const struct ics_prop	*v;
	const struct ics_comp	*c;
	struct ics_ev		 e;
	char			 q[ICS_QUOTE_MAX + 8];
	size_t			 i;

	if ((v = ics_prop(cal, "VERSION")) != NULL &&
	    strcmp(v->value, "2.0") != 0) {
		ics_quote(q, sizeof q, v->value);
		util_cause(imp->cause, "ligne %d : VERSION:%s non prise en "
		    "charge (iCalendar 2.0 attendu)", v->line, q);
		return -1;
	}
	for (i = 0; i < cal->ncomps; i++) {
		c = cal->comps[i];
		if (strcmp(c->name, "VEVENT") == 0) {
			if (ics_import_event(imp, cal, c) == -1)
				return -1;
		} else if (strcmp(c->name, "VTIMEZONE") != 0) {
			ics_ev_init(&e, imp, cal, c);
			ics_note(imp, e.label, "%s ignoré", c->name);
			free(e.title);
			free(e.uid);
			free(e.label);
		}
	}
	return 0;
}

json_t *
ics_import(const char *text, size_t len, const char *default_tz,
    json_t **report, char **cause)
{
	struct ics_import	 imp;
	struct ics_comp		*root = NULL;
	json_t			*events = NULL;
	size_t			 i;

	if (report != NULL)
		*report = NULL;
	memset(&imp, 0, sizeof imp);
	imp.cause = cause;
	imp.default_tz = default_tz != NULL ? default_tz : "UTC";
	if (ics_zone_get(&imp, imp.default_tz) == NULL) {
		util_cause(cause, "fuseau par défaut « %.64s » inconnu",
		    imp.default_tz);
		goto done;
	}
	if ((root = ics_read(text != NULL ? text : "", text != NULL ? len : 0,
	    cause)) == NULL)
		goto done;
	imp.events = json_array();
	imp.report = json_array();
	for (i = 0; i < root->ncomps; i++)
		if (ics_import_calendar(&imp, root->comps[i]) == -1)
			break;
	if (i < root->ncomps) {
		json_decref(imp.events);
		json_decref(imp.report);
		goto done;
	}
	events = imp.events;
	if (report != NULL)
		*report = imp.report;
	else
		json_decref(imp.report);
done:
	for (i = 0; i < imp.nzones; i++) {
		free(imp.zones[i].name);
		tz_free(imp.zones[i].tz);
	}
	free(imp.zones);
	ics_comp_free(root);
	return events;
}

/*
 * Export.
 */

/*
 * Write the content line "head:value" (value already escaped), folded so
 * that no line passes 75 octets and no UTF-8 sequence is cut, with CRLF.
 */
static void
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
static void
ics_out_text(struct ics_buf *o, const char *name, const char *s)
{
	struct ics_buf	 v = { NULL, 0, 0 };

	ics_buf_str(&v, "");
	ics_escape(&v, s);
	ics_out_line(o, name, v.s);
	free(v.s);
}

/* Write property name with the strings of array a as a TEXT list. */
static void
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

/* An offset as TZOFFSETFROM/TO write it: "+0100", "-0330", "+001730". */
static void
ics_offset(int32_t off, char *buf, size_t len)
{
	int32_t	 a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(buf, len, "%c%02d%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a % 3600 / 60), (int)(a % 60));
	else
		snprintf(buf, len, "%c%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a % 3600 / 60));
}

/*
 * One STANDARD or DAYLIGHT, from offset from to to, on rule r (none: from
 * 1970 on): DTSTART is the onset in 1970, then a yearly RRULE, or the
 * onsets up to ICS_RDATE_LAST as RDATEs when no RRULE can say the date.
 */
static void
ics_out_observance(struct ics_buf *o, const char *kind,
    const struct ics_rule *r, int32_t from, int32_t to, const char *name)
{
	struct ics_buf	 rd = { NULL, 0, 0 };
	struct ics_time	 t;
	char		 rrule[128], off[16], dt[32];
	int		 y;

	ics_out_line(o, "BEGIN", kind);
	ics_offset(from, off, sizeof off);
	ics_out_line(o, "TZOFFSETFROM", off);
	ics_offset(to, off, sizeof off);
	ics_out_line(o, "TZOFFSETTO", off);
	ics_out_line(o, "TZNAME", name);
	if (r == NULL) {
		ics_out_line(o, "DTSTART", "19700101T000000");
		ics_out_line(o, "END", kind);
		return;
	}
	ics_rule_onset(r, 1970, &t);
	ics_time_basic(&t, dt, sizeof dt);
	ics_out_line(o, "DTSTART", dt);
	if (ics_rule_rrule(r, rrule, sizeof rrule) == 0)
		ics_out_line(o, "RRULE", rrule);
	else {
		for (y = 1971; y <= ICS_RDATE_LAST; y++) {
			ics_rule_onset(r, y, &t);
			ics_time_basic(&t, dt, sizeof dt);
			ics_buf_printf(&rd, y > 1971 ? ",%s" : "%s", dt);
		}
		ics_out_line(o, "RDATE", rd.s);
		free(rd.s);
	}
	ics_out_line(o, "END", kind);
}

/* The VTIMEZONE of zone name; the larger offset is called DAYLIGHT. */
static void
ics_out_vtimezone(struct ics_buf *o, const char *name,
    const struct ics_zone *z)
{
	int	 summer = z->dst_off > z->std_off;

	ics_out_line(o, "BEGIN", "VTIMEZONE");
	ics_out_line(o, "TZID", name);
	ics_out_line(o, "X-LIC-LOCATION", name);
	if (!z->has_dst)
		ics_out_observance(o, "STANDARD", NULL, z->std_off, z->std_off,
		    z->std);
	else {
		ics_out_observance(o, summer ? "DAYLIGHT" : "STANDARD",
		    &z->to_dst, z->std_off, z->dst_off, z->dst);
		ics_out_observance(o, summer ? "STANDARD" : "DAYLIGHT",
		    &z->to_std, z->dst_off, z->std_off, z->std);
	}
	ics_out_line(o, "END", "VTIMEZONE");
}

/* Check the JSON types of event n against ics_fields. */
static int
ics_export_check(json_t *ev, size_t n, char **cause)
{
	const struct ics_field	*f;
	json_t			*v, *it;
	size_t			 i, j;

	if (!json_is_object(ev)) {
		util_cause(cause, "événement n°%zu : un objet est attendu", n);
		return -1;
	}
	for (i = 0; i < ICS_NFIELDS; i++) {
		f = &ics_fields[i];
		if ((v = json_object_get(ev, f->key)) == NULL) {
			if (!f->required)
				continue;
			util_cause(cause, "événement n°%zu : « %s » manquant",
			    n, f->key);
			return -1;
		}
		if (f->type == ICS_F_STRS) {
			j = 0;
			if (json_is_array(v))
				json_array_foreach(v, j, it)
					if (!json_is_string(it))
						break;
			if (json_is_array(v) && j == json_array_size(v))
				continue;
		} else if (json_is_string(v) || (f->type == ICS_F_NSTR &&
		    json_is_null(v)))
			continue;
		util_cause(cause, "événement n°%zu : « %s » doit être %s", n,
		    f->key, f->type == ICS_F_STRS ? "une liste de textes" :
		    f->type == ICS_F_NSTR ? "un texte ou null" : "un texte");
		return -1;
	}
	return 0;
}

/*
 * The UTC time of key ("2025-12-02T11:30:00Z", as `events show` writes
 * "created" and "updated") in iCalendar form into buf; -1 when there is
 * none.
 */
static int
ics_stamp(json_t *ev, const char *key, char *buf, size_t len)
{
	const char	*s = json_string_value(json_object_get(ev, key));
	struct ics_time	 t;
	char		 local[20];

	if (s == NULL || strlen(s) != 20 || s[19] != 'Z')
		return -1;
	memcpy(local, s, 19);
	local[19] = '\0';
	if (ics_local_parse(local, &t) == -1)
		return -1;
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month,
	    t.day, t.hour, t.min, t.sec);
	return 0;
}

/* The text of key in ev, or NULL when absent, null or empty. */
static const char *
ics_str(json_t *ev, const char *key)
{
	const char	*s = json_string_value(json_object_get(ev, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* An event object checked and read for export. */
struct ics_xev {
	const char	*tz, *kind, *rrule;	/* kind, rrule may be NULL */
	struct ics_time	 start;
	int64_t		 secs;
	struct ics_buf	 exdates;		/* "20260401T140000,..." */
};

/*
 * Check and read the values of event ev into *x, adding its zone to the
 * set zones.  -1 with *cause set (without the event's name).
 */
static int
ics_export_values(json_t *ev, struct ics_xev *x, json_t *zones, char **cause)
{
	struct ics_zone	 z;
	struct ics_time	 t;
	const char	*s;
	char		 basic[32];
	json_t		*it;
	int64_t		 secs;
	size_t		 i, k;

	x->tz = json_string_value(json_object_get(ev, "tz"));
	if (json_object_get(zones, x->tz) == NULL) {
		if (ics_zone_rules(x->tz, &z, cause) == -1)
			return -1;
		json_object_set_new(zones, x->tz, json_true());
	}
	s = json_string_value(json_object_get(ev, "dtstart"));
	if (ics_local_parse(s, &x->start) == -1) {
		util_cause(cause, "dtstart « %.32s » : AAAA-MM-JJTHH:MM:SS "
		    "attendu", s);
		return -1;
	}
	s = json_string_value(json_object_get(ev, "duration"));
	if (duration_parse(s, &x->secs, cause) == -1)
		return -1;
	if ((x->rrule = ics_str(ev, "rrule")) != NULL &&
	    ics_rrule_check(x->rrule) == -1) {
		util_cause(cause, "RRULE « %.60s » illisible", x->rrule);
		return -1;
	}
	if ((x->kind = ics_str(ev, "kind")) != NULL) {
		for (k = 0; k < ICS_NKINDS &&
		    strcmp(x->kind, ics_kinds[k]) != 0; k++)
			;
		if (k == ICS_NKINDS) {
			util_cause(cause, "kind « %.32s » inconnu", x->kind);
			return -1;
		}
	}
	json_array_foreach(json_object_get(ev, "remind"), i, it)
		if (duration_parse(json_string_value(it), &secs, cause) == -1)
			return -1;
	json_array_foreach(json_object_get(ev, "exdates"), i, it) {
		if (ics_local_parse(json_string_value(it), &t) == -1) {
			util_cause(cause, "exdate « %.32s » : "
			    "AAAA-MM-JJTHH:MM:SS attendu",
			    json_string_value(it));
			return -1;
		}
		ics_time_basic(&t, basic, sizeof basic);
		ics_buf_printf(&x->exdates, "%s%s", i > 0 ? "," : "", basic);
	}
	return 0;
}

/* UID, DTSTAMP (the "updated" time), CREATED and LAST-MODIFIED. */
static void
ics_out_ids(struct ics_buf *o, json_t *ev)
{
	const char	*s;
	json_t		*id;
	char		 val[32], *uid;

	if ((s = ics_str(ev, "uid")) != NULL)
		ics_out_text(o, "UID", s);
	else if (json_is_integer(id = json_object_get(ev, "id"))) {
		xasprintf(&uid, "event-%lld@stoppvif",
		    (long long)json_integer_value(id));
		ics_out_text(o, "UID", uid);
		free(uid);
	}
	if (ics_stamp(ev, "updated", val, sizeof val) == -1 &&
	    ics_stamp(ev, "created", val, sizeof val) == -1)
		util_strlcpy(val, "19700101T000000Z", sizeof val);
	ics_out_line(o, "DTSTAMP", val);
	if (ics_stamp(ev, "created", val, sizeof val) == 0)
		ics_out_line(o, "CREATED", val);
	if (ics_stamp(ev, "updated", val, sizeof val) == 0)
		ics_out_line(o, "LAST-MODIFIED", val);
}

/* The X-STOPPVIF properties of the fields ev has (null: empty value). */
static void
ics_out_extras(struct ics_buf *o, json_t *ev, const char *kind)
{
	json_t	*v;

	if (kind != NULL)
		ics_out_text(o, "X-STOPPVIF-KIND", kind);
	if ((v = json_object_get(ev, "audience")) != NULL)
		ics_out_list(o, "X-STOPPVIF-AUDIENCE", v);
	if ((v = json_object_get(ev, "channels")) != NULL)
		ics_out_list(o, "X-STOPPVIF-CHANNELS", v);
	if ((v = json_object_get(ev, "commune")) != NULL)
		ics_out_text(o, "X-STOPPVIF-COMMUNE", json_is_string(v) ?
		    json_string_value(v) : "");
	if ((v = json_object_get(ev, "skip_holidays")) != NULL)
		ics_out_text(o, "X-STOPPVIF-SKIP-HOLIDAYS", json_is_string(v) ?
		    json_string_value(v) : "");
}

/*
 * Write event n as a VEVENT into o, adding its zone to the set zones.
 * Every field is checked first; -1 with *cause set.
 */
static int
ics_export_event(struct ics_buf *o, json_t *ev, size_t n, json_t *zones,
    char **cause)
{
	struct ics_xev	 x;
	const char	*s;
	char		 head[ICS_ZONE_MAX + 32], val[64], *why;
	json_t		*it;
	int64_t		 secs;
	size_t		 i;

	memset(&x, 0, sizeof x);
	if (ics_export_check(ev, n, cause) == -1)
		return -1;
	if (ics_export_values(ev, &x, zones, cause) == -1) {
		free(x.exdates.s);
		if (cause != NULL) {
			why = *cause;
			*cause = NULL;
			util_cause(cause, "événement n°%zu « %.60s » : %s", n,
			    json_string_value(json_object_get(ev, "title")),
			    why);
			free(why);
		}
		return -1;
	}
	ics_out_line(o, "BEGIN", "VEVENT");
	ics_out_ids(o, ev);
	ics_time_basic(&x.start, val, sizeof val);
	snprintf(head, sizeof head, "DTSTART;TZID=%s", x.tz);
	ics_out_line(o, head, val);
	ics_dur_format(x.secs, val, sizeof val);
	ics_out_line(o, "DURATION", val);
	ics_out_text(o, "SUMMARY", json_string_value(json_object_get(ev,
	    "title")));
	if ((s = ics_str(ev, "location")) != NULL)
		ics_out_text(o, "LOCATION", s);
	if ((s = ics_str(ev, "description")) != NULL)
		ics_out_text(o, "DESCRIPTION", s);
	if (x.kind != NULL)
		ics_out_text(o, "CATEGORIES", x.kind);
	if (x.rrule != NULL)
		ics_out_line(o, "RRULE", x.rrule);
	if (x.exdates.len > 0) {
		snprintf(head, sizeof head, "EXDATE;TZID=%s", x.tz);
		ics_out_line(o, head, x.exdates.s);
	}
	ics_out_extras(o, ev, x.kind);
	json_array_foreach(json_object_get(ev, "remind"), i, it) {
		duration_parse(json_string_value(it), &secs, NULL);
		ics_dur_format(-secs, val, sizeof val);
		ics_out_line(o, "BEGIN", "VALARM");
		ics_out_line(o, "ACTION", "DISPLAY");
		ics_out_line(o, "DESCRIPTION", "Rappel");
		ics_out_line(o, "TRIGGER", val);
		ics_out_line(o, "END", "VALARM");
	}
	ics_out_line(o, "END", "VEVENT");
	free(x.exdates.s);
	return 0;
}

/* Compare two zone names for qsort. */
static int
ics_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
ics_export(json_t *events, char **cause)
{
	struct ics_buf	 head = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	struct ics_zone	 z;
	json_t		*zones, *ev, *v;
	const char	*name, **names;
	size_t		 i, n;

	if (!json_is_array(events)) {
		util_cause(cause, "export : une liste d'événements est "
		    "attendue");
		return NULL;
	}
	zones = json_object();
	ics_buf_str(&body, "");
	json_array_foreach(events, i, ev) {
		if (ics_export_event(&body, ev, i + 1, zones, cause) == -1) {
			json_decref(zones);
			free(body.s);
			return NULL;
		}
	}
	ics_out_line(&head, "BEGIN", "VCALENDAR");
	ics_out_line(&head, "VERSION", "2.0");
	ics_out_line(&head, "PRODID", "-//Stopp Vif//stoppvif//FR");
	ics_out_line(&head, "CALSCALE", "GREGORIAN");
	n = json_object_size(zones);
	names = xcalloc(n + 1, sizeof *names);
	i = 0;
	json_object_foreach(zones, name, v)
		names[i++] = name;
	qsort(names, n, sizeof *names, ics_name_cmp);
	for (i = 0; i < n; i++) {
		ics_zone_rules(names[i], &z, NULL);
		ics_out_vtimezone(&head, names[i], &z);
	}
	free(names);
	json_decref(zones);
	ics_buf_add(&head, body.s, body.len);
	ics_out_line(&head, "END", "VCALENDAR");
	free(body.s);
	return head.s;
}
