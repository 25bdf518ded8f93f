/*
 * template.c: message templates.  Each file of etc/templates/LANG/ is read
 * once, checked and compiled into lines of parts (literal text or an entry
 * of the placeholder table); rendering fills the placeholders from the
 * outbox payload in the template's own language, through datefmt; what
 * reaches a phone is checked by guard.c.  The text rules (values, one-line
 * texts, GSM 03.38 segments) are in template_text.c.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <unicase.h>

#include "datefmt.h"
#include "guard.h"
#include "recur.h"
#include "template.h"
#include "template_int.h"
#include "utf8.h"
#include "util.h"

#define TEMPLATE_MAX	(32 * 1024)	/* bytes in one template file */
#define ERRORS_MAX	50		/* problems reported per file */
#define NAME_SHOWN	40		/* bytes of a bad placeholder shown */
/* ---- the tables ---- */

static const char *const langs[] = { "fr", "nl", "de", "en" };
#define NLANGS		4
static const char *const channels[] = { "email", "sms" };
#define CH_EMAIL	0
#define CH_SMS		1
#define NCHANNELS	2

#define K_REMINDER		0x01
#define K_ALERT			0x02	/* a lodging is free: claim it */
#define K_ALERT_CONFIRM		0x04	/* to the claim that won */
#define K_ALERT_TAKEN		0x08	/* to the others alerted */
#define K_ALERT_LATE		0x10	/* to a claim after it was taken */
#define K_ALERT_CLOSED		0x20	/* withdrawn while the alert was open */
#define K_ALERT_NOBODY		0x40	/* to the coordinators: no answer */
#define K_ALERT_NO_ONCALL	0x80	/* to the coordinators: none on call */
#define K_ALERT_UNCLEAR		0x100	/* a reply not understood */
#define K_ALERT_LOCKED		0x200	/* to the coordinators: wrong codes */
/* The coordinators' kinds, which say when the alert was opened. */
#define K_OPENED		(K_ALERT_NOBODY | K_ALERT_NO_ONCALL | \
				 K_ALERT_LOCKED)
/* The shelter alert kinds: urgent, so each SMS must be one message. */
#define K_ALERTS		(K_ALERT | K_ALERT_CONFIRM | K_ALERT_TAKEN | \
				 K_ALERT_LATE | K_ALERT_CLOSED | \
				 K_ALERT_UNCLEAR | K_OPENED)
#define K_ALL			(K_REMINDER | K_ALERTS)

static const char *const reminder_needs[] = { "title", "start", NULL };
static const char *const alert_needs[] = { "code", NULL };
static const char *const confirm_needs[] = { "code", "until", NULL };

/* The kinds of message: each needs KIND.email and KIND.sms in French. */
static const struct tkind {
	const char		*name;
	unsigned		 bit;
	const char *const	*needs;		/* params that must be given */
} kinds[] = {
	{ "reminder", K_REMINDER, reminder_needs },
	{ "alert", K_ALERT, alert_needs },
	{ "alert_confirm", K_ALERT_CONFIRM, confirm_needs },
	{ "alert_taken", K_ALERT_TAKEN, alert_needs },
	{ "alert_late", K_ALERT_LATE, alert_needs },
	{ "alert_closed", K_ALERT_CLOSED, alert_needs },
	{ "alert_nobody", K_ALERT_NOBODY, alert_needs },
	{ "alert_no_oncall", K_ALERT_NO_ONCALL, alert_needs },
	{ "alert_unclear", K_ALERT_UNCLEAR, alert_needs },
	{ "alert_locked", K_ALERT_LOCKED, alert_needs },
};
#define NKINDS		(sizeof kinds / sizeof kinds[0])

/* The date-time params. */
enum { D_START, D_END, D_UNTIL, D_OPENED, NDATES };

struct rdate {
	struct recur_civil	 c;		/* the local wall-clock time */
	int			 has;
	int			 utcoff, has_off; /* the offset written after */
};

/* The params of a message, read and checked once per rendering. */
struct rctx {
	int			 lang;		/* index in langs */
	const char		*sender;	/* never NULL */
	json_t			*params;
	struct rdate		 dates[NDATES];
	int			 has_offset;
	int64_t			 offset;
};

/* The params read from the JSON object, their types, and which of them
 * are date-times ("2027-01-06T14:00:00+01:00"). */
static const struct {
	const char	*name;
	int		 type;		/* JSON_STRING or JSON_INTEGER */
	int		 date;		/* D_START...; -1: not a date-time */
} param_types[] = {
	{ "title", JSON_STRING, -1 }, { "start", JSON_STRING, D_START },
	{ "end", JSON_STRING, D_END }, { "location", JSON_STRING, -1 },
	{ "commune", JSON_STRING, -1 }, { "offset", JSON_INTEGER, -1 },
	{ "code", JSON_STRING, -1 }, { "link", JSON_STRING, -1 },
	{ "shelter", JSON_STRING, -1 }, { "until", JSON_STRING, D_UNTIL },
	{ "opened", JSON_STRING, D_OPENED }, { "now", JSON_INTEGER, -1 },
};
#define NPARAMS		(sizeof param_types / sizeof param_types[0])

/* The "how far ahead" words of each language, in langs order. */
static const struct {
	const char	*now, *tomorrow, *ahead;
	const char	*day[2], *hour[2], *minute[2];	/* one, more */
} in_words[NLANGS] = {
	{ "maintenant", "demain", "dans", { "jour", "jours" },
	  { "heure", "heures" }, { "minute", "minutes" } },
	{ "nu", "morgen", "over", { "dag", "dagen" }, { "uur", "uur" },
	  { "minuut", "minuten" } },
	{ "jetzt", "morgen", "in", { "Tag", "Tagen" },
	  { "Stunde", "Stunden" }, { "Minute", "Minuten" } },
	{ "now", "tomorrow", "in", { "day", "days" }, { "hour", "hours" },
	  { "minute", "minutes" } },
};

/* A string param, or "" when absent (new string, not yet cleaned). */
static char *
param_str(const struct rctx *r, const char *name)
{
	json_t	*v = json_object_get(r->params, name);

	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

static char *
ph_title(const struct rctx *r)
{
	return param_str(r, "title");
}

static char *
ph_code(const struct rctx *r)
{
	return param_str(r, "code");
}

static char *
ph_link(const struct rctx *r)
{
	return param_str(r, "link");
}

/* The shelter's configured title, left out when it holds a word that
 * may not reach a phone: an email too is read on a phone. */
static char *
ph_shelter(const struct rctx *r)
{
	char	*s = param_str(r, "shelter");

	if (guard_phone_check(s, NULL) == -1)
		*s = '\0';
	return s;
}

static char *
ph_sender(const struct rctx *r)
{
	return xstrdup(r->sender);
}

/* A date-time param in one of the datefmt styles. */
static char *
ph_datefmt(const struct rctx *r, int which, enum datefmt_style style)
{
	const struct rdate	*d = &r->dates[which];
	char			 buf[DATEFMT_LEN];

	if (!d->has)
		return xstrdup("");
	return xstrdup(datefmt(langs[r->lang], style, &d->c, buf, sizeof buf));
}

static char *
ph_date(const struct rctx *r)
{
	return ph_datefmt(r, D_START, DATEFMT_DATE);
}

static char *
ph_time(const struct rctx *r)
{
	return ph_datefmt(r, D_START, DATEFMT_TIME);
}

static char *
ph_when(const struct rctx *r)
{
	return ph_datefmt(r, D_START, DATEFMT_LONG);
}

static char *
ph_end_time(const struct rctx *r)
{
	return ph_datefmt(r, D_END, DATEFMT_TIME);
}

static char *
ph_until(const struct rctx *r)
{
	return ph_datefmt(r, D_UNTIL, DATEFMT_LONG);
}

static char *
ph_opened(const struct rctx *r)
{
	return ph_datefmt(r, D_OPENED, DATEFMT_LONG);
}

/* Location and commune, joined by a comma when both are given. */
static char *
ph_place(const struct rctx *r)
{
	char	*loc = param_str(r, "location"), *com = param_str(r, "commune");
	char	*l = template_clean_value(loc);
	char	*c = template_clean_value(com), *s;

	free(loc);
	free(com);
	if (*l != '\0' && *c != '\0')
		xasprintf(&s, "%s, %s", l, c);
	else
		s = xstrdup(*l != '\0' ? l : c);
	free(l);
	free(c);
	return s;
}

/* The offset in words: whole days, else whole hours, else minutes. */
static char *
ph_in(const struct rctx *r)
{
	const char *const	*unit;
	int64_t			 o = r->offset, n;
	char			*s;

	if (!r->has_offset || o < 0)
		return xstrdup("");
	if (o == 0)
		return xstrdup(in_words[r->lang].now);
	if (o % 86400 == 0) {
		if ((n = o / 86400) == 1)
			return xstrdup(in_words[r->lang].tomorrow);
		unit = in_words[r->lang].day;
	} else if (o % 3600 == 0) {
		n = o / 3600;
		unit = in_words[r->lang].hour;
	} else {
		n = o / 60 + (o % 60 >= 30);
		if (n == 0)
			n = 1;
		unit = in_words[r->lang].minute;
	}
	xasprintf(&s, "%s %lld %s", in_words[r->lang].ahead, (long long)n,
	    unit[n != 1]);
	return s;
}

/*
 * The placeholders: name, meaning, the kinds that offer it, whether it may
 * reach a phone (SMS texts and subjects), and how its value is made.
 */
static const struct tph {
	const char	*name;
	const char	*what;
	unsigned	 kinds;
	int		 phone;
	char		*(*fill)(const struct rctx *);
} phs[] = {
	{ "title", "the event's title", K_REMINDER, 1, ph_title },
	{ "date", "the start's date in words: mercredi 6 janvier 2027",
	  K_REMINDER, 1, ph_date },
	{ "time", "the start's time: 14h00, 14.00 uur, 14:00 Uhr",
	  K_REMINDER, 1, ph_time },
	{ "when", "date and time: mercredi 6 janvier 2027 à 14h00",
	  K_REMINDER, 1, ph_when },
	{ "end_time", "the end's time", K_REMINDER, 1, ph_end_time },
	{ "place", "location and commune (an address: email bodies only)",
	  K_REMINDER, 0, ph_place },
	{ "in", "the offset in words: dans 7 jours, demain", K_REMINDER, 1,
	  ph_in },
	{ "code", "the short code an alert is claimed with: OK 482113",
	  K_ALERTS, 1, ph_code },
	{ "link", "the signed link that claims it (email bodies only)",
	  K_ALERT, 0, ph_link },
	{ "shelter", "the shelter's title (email bodies only)", K_ALERTS, 0,
	  ph_shelter },
	{ "until", "the claim holds until: mercredi 7 janvier 2026 à 18h00",
	  K_ALERT_CONFIRM, 1, ph_until },
	{ "opened", "when the alert was opened, in words", K_OPENED, 1,
	  ph_opened },
	{ "sender", "the name the network signs with", K_ALL, 1, ph_sender },
};
#define NPHS		(sizeof phs / sizeof phs[0])

static int
lang_find(const char *lang)
{
	int	 i;

	for (i = 0; lang != NULL && i < NLANGS; i++)
		if (strcmp(langs[i], lang) == 0)
			return i;
	return -1;
}

static int
channel_find(const char *channel, size_t len)
{
	int	 i;

	for (i = 0; channel != NULL && i < NCHANNELS; i++)
		if (strlen(channels[i]) == len &&
		    strncmp(channels[i], channel, len) == 0)
			return i;
	return -1;
}

static int
kind_find(const char *kind, size_t len)
{
	size_t	 i;

	for (i = 0; kind != NULL && i < NKINDS; i++)
		if (strlen(kinds[i].name) == len &&
		    strncmp(kinds[i].name, kind, len) == 0)
			return (int)i;
	return -1;
}

static const struct tph *
ph_find(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < NPHS; i++)
		if (strlen(phs[i].name) == len &&
		    strncmp(phs[i].name, name, len) == 0)
			return &phs[i];
	return NULL;
}

/* ---- compiled templates ---- */

struct tpart {
	const struct tph	*ph;		/* NULL: literal text */
	char			*text;
};

struct tline {
	struct tpart		*parts;
	size_t			 nparts;
};

struct tmpl {
	int			 loaded;
	struct tline		 subject;	/* email */
	struct tline		*lines;		/* the body, or the SMS text */
	size_t			 nlines;
};

struct template_set {
	struct tmpl		 t[NLANGS][NKINDS][NCHANNELS];
	char			*sender;	/* {sender}, never NULL */
};

static void
tline_add(struct tline *l, const struct tph *ph, const char *text, size_t n)
{
	struct tpart	*p;

	if (ph == NULL && n == 0)
		return;
	l->parts = xreallocarray(l->parts, l->nparts + 1, sizeof *l->parts);
	p = &l->parts[l->nparts++];
	p->ph = ph;
	p->text = ph == NULL ? xstrndup(text, n) : NULL;
}

static void
tline_free(struct tline *l)
{
	size_t	 i;

	for (i = 0; i < l->nparts; i++)
		free(l->parts[i].text);
	free(l->parts);
	l->parts = NULL;
	l->nparts = 0;
}

static void
tmpl_free(struct tmpl *t)
{
	size_t	 i;

	tline_free(&t->subject);
	for (i = 0; i < t->nlines; i++)
		tline_free(&t->lines[i]);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

void
template_free(struct template_set *ts)
{
	size_t	 l, k, c;

	if (ts == NULL)
		return;
	for (l = 0; l < NLANGS; l++)
		for (k = 0; k < NKINDS; k++)
			for (c = 0; c < NCHANNELS; c++)
				tmpl_free(&ts->t[l][k][c]);
	free(ts->sender);
	free(ts);
}

/* ---- loading ---- */

/* One load: the problems found so far, one a line. */
struct tload {
	struct tbuf		 errors;
	int			 nerrors;
};

/* One file being compiled. */
struct tparse {
	struct tload		*ld;
	const char		*file;
	const struct tkind	*kind;
	int			 nerrors;
};

static void	 tp_error(struct tparse *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 ld_error(struct tload *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 ld_verror(struct tload *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 alert_sms_check(struct tparse *, const struct tmpl *, int);

static void
ld_verror(struct tload *ld, const char *fmt, va_list ap)
{
	char	*msg;

	xvasprintf(&msg, fmt, ap);
	template_tbuf_add(&ld->errors, msg, strlen(msg));
	template_tbuf_add(&ld->errors, "\n", 1);
	ld->nerrors++;
	free(msg);
}

/* Record a problem that concerns no file's line. */
static void
ld_error(struct tload *ld, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ld_verror(ld, fmt, ap);
	va_end(ap);
}

/* Record "file:line: problem" (line 0: "file: problem"). */
static void
tp_error(struct tparse *tp, int line, const char *fmt, ...)
{
	char	*msg;
	va_list	 ap;

	if (++tp->nerrors > ERRORS_MAX) {
		if (tp->nerrors == ERRORS_MAX + 1)
			ld_error(tp->ld, "%s: too many problems, giving up",
			    tp->file);
		return;
	}
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		ld_error(tp->ld, "%s:%d: %s", tp->file, line, msg);
	else
		ld_error(tp->ld, "%s: %s", tp->file, msg);
	free(msg);
}

/* Whether the line s (n bytes) holds nothing but spaces and tabs. */
static int
line_blank(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Check that a line is UTF-8 without control characters. */
static int
line_check(struct tparse *tp, int line, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;
	uint32_t		 c;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD) {
			tp_error(tp, line, "not UTF-8 (byte %zu)", i + 1);
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			tp_error(tp, line, "control character 0x%02x", c);
			return -1;
		}
	}
	return 0;
}

/*
 * Check the literal text of a line, the parts of l from first on, for the
 * words that may not reach a phone: in every line, since an email's first
 * lines show on a lock screen too, and an alert's on the phones of people
 * on call.  Placeholders count as spaces ({shelter} is a name, not a word).
 */
static int
words_check(struct tparse *tp, int line, const struct tline *l, size_t first,
    int phone)
{
	const struct tpart	*p;
	struct tbuf		 b = { NULL, 0, 0 };
	char			*text, *why = NULL;
	size_t			 i;
	int			 rc = 0;

	for (i = first; i < l->nparts; i++) {
		p = &l->parts[i];
		if (p->ph == NULL)
			template_tbuf_add(&b, p->text, strlen(p->text));
		template_tbuf_add(&b, " ", 1);
	}
	text = template_tbuf_take(&b);
	if (guard_phone_check(text, &why) == -1) {
		tp_error(tp, line, "%s: %s are read on phones that others may "
		    "see", why, phone ? "SMS texts and subjects" :
		    (tp->kind->bit & K_ALERTS) ? "alert emails" : "emails");
		free(why);
		rc = -1;
	}
	free(text);
	return rc;
}

/* Report the bad placeholder {name}, shown up to NAME_SHOWN bytes. */
static void
bad_placeholder(struct tparse *tp, int line, const char *name, size_t n,
    const struct tph *ph)
{
	size_t	 shown = n;

	if (ph != NULL && !(ph->kinds & tp->kind->bit)) {
		tp_error(tp, line, "placeholder {%s} is not offered by %s "
		    "messages", ph->name, tp->kind->name);
		return;
	}
	if (ph != NULL) {
		tp_error(tp, line, "{%s} may not appear in an SMS or a subject:"
		    " what it holds must never reach a phone", ph->name);
		return;
	}
	if (shown > NAME_SHOWN) {
		shown = NAME_SHOWN;
		while (shown > 0 && (name[shown] & 0xc0) == 0x80)
			shown--;
	}
	tp_error(tp, line, "unknown placeholder {%.*s%s}", (int)shown, name,
	    shown < n ? "..." : "");
}

/*
 * Compile the text s (n bytes) of line into parts appended to l.  {{ and
 * }} are literal braces; {name} must be a placeholder of the kind (one that
 * may reach a phone when phone is set); the words are checked after.
 * Returns 0 or -1, problems recorded.
 */
static int
compile_line(struct tparse *tp, int line, const char *s, size_t n, int phone,
    struct tline *l)
{
	const struct tph	*ph;
	struct tbuf		 lit = { NULL, 0, 0 };
	size_t			 i = 0, j, first = l->nparts;
	int			 rc = 0;

	if (line_check(tp, line, s, n) == -1)
		return -1;
	while (i < n) {
		if ((s[i] == '{' || s[i] == '}') && i + 1 < n &&
		    s[i + 1] == s[i]) {
			template_tbuf_add(&lit, &s[i], 1);
			i += 2;
		} else if (s[i] == '}') {
			tp_error(tp, line, "unbalanced brace \"}\" (write }} "
			    "for a literal brace)");
			rc = -1;
			i++;
		} else if (s[i] == '{') {
			for (j = i + 1; j < n && s[j] != '}' && s[j] != '{'; j++)
				;
			if (j == n || s[j] == '{') {
				tp_error(tp, line, "unbalanced brace \"{\" "
				    "(write {{ for a literal brace)");
				rc = -1;
				i = j;
				continue;
			}
			ph = ph_find(s + i + 1, j - i - 1);
			if (ph == NULL || !(ph->kinds & tp->kind->bit) ||
			    (phone && !ph->phone)) {
				bad_placeholder(tp, line, s + i + 1, j - i - 1,
				    ph);
				rc = -1;
			} else {
				tline_add(l, NULL, lit.s, lit.len);
				lit.len = 0;
				tline_add(l, ph, NULL, 0);
			}
			i = j + 1;
		} else
			template_tbuf_add(&lit, &s[i++], 1);
	}
	tline_add(l, NULL, lit.s, lit.len);
	free(lit.s);
	if (words_check(tp, line, l, first, phone) == -1)
		rc = -1;
	return rc;
}

/* The lines of a file's text, '\r' before '\n' dropped. */
struct tlines {
	const char	**s;
	size_t		 *n;
	size_t		  count;
};

static void
split_lines(const char *data, size_t len, struct tlines *tl)
{
	size_t	 i = 0, j;

	memset(tl, 0, sizeof *tl);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		for (j = i; j < len && data[j] != '\n'; j++)
			;
		tl->s = xreallocarray(tl->s, tl->count + 1, sizeof *tl->s);
		tl->n = xreallocarray(tl->n, tl->count + 1, sizeof *tl->n);
		tl->s[tl->count] = data + i;
		tl->n[tl->count] = j - i;
		if (j > i && data[j - 1] == '\r')
			tl->n[tl->count]--;
		tl->count++;
		i = j + 1;
	}
}

/* KIND.email: "Subject: ...", a blank line, the body. */
static void
parse_email(struct tparse *tp, const struct tlines *tl, struct tmpl *t)
{
	const char	*s;
	size_t		 n, last, i;

	if (tl->count == 0 || line_blank(tl->s[0], tl->n[0])) {
		tp_error(tp, 1, "empty template: write \"Subject: ...\", a "
		    "blank line and the body");
		return;
	}
	s = tl->s[0];
	n = tl->n[0];
	if (n < 8 || strncasecmp(s, "Subject:", 8) != 0) {
		tp_error(tp, 1, "the first line must be \"Subject: ...\"");
	} else {
		for (s += 8, n -= 8; n > 0 && (*s == ' ' || *s == '\t'); n--)
			s++;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			tp_error(tp, 1, "empty subject");
		else
			compile_line(tp, 1, s, n, 1, &t->subject);
	}
	if (tl->count > 1 && !line_blank(tl->s[1], tl->n[1]))
		tp_error(tp, 2, "a blank line must follow the subject");
	for (last = tl->count; last > 2; last--)
		if (!line_blank(tl->s[last - 1], tl->n[last - 1]))
			break;
	if (last <= 2) {
		tp_error(tp, tl->count > 1 ? 3 : 2, "empty body");
		return;
	}
	t->nlines = last - 2;
	t->lines = xcalloc(t->nlines, sizeof *t->lines);
	for (i = 2; i < last; i++)
		compile_line(tp, (int)i + 1, tl->s[i], tl->n[i], 0,
		    &t->lines[i - 2]);
}

/* KIND.sms: one paragraph, its lines joined by spaces. */
static void
parse_sms(struct tparse *tp, const struct tlines *tl, struct tmpl *t)
{
	size_t	 last, i;

	for (last = tl->count; last > 0; last--)
		if (!line_blank(tl->s[last - 1], tl->n[last - 1]))
			break;
	if (last == 0) {
		tp_error(tp, 1, "empty template");
		return;
	}
	t->nlines = 1;
	t->lines = xcalloc(1, sizeof *t->lines);
	for (i = 0; i < last; i++) {
		if (line_blank(tl->s[i], tl->n[i])) {
			tp_error(tp, (int)i + 1, "blank line: an SMS is one "
			    "paragraph");
			continue;
		}
		if (i > 0)
			tline_add(&t->lines[0], NULL, " ", 1);
		compile_line(tp, (int)i + 1, tl->s[i], tl->n[i], 1,
		    &t->lines[0]);
	}
}

/* Read a whole template file (new buffer, NUL-terminated). */
static int
read_file(const char *path, char **data, size_t *len, char **why)
{
	struct stat	 st;
	FILE		*fp;
	char		*buf;
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL) {
		util_cause(why, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		util_cause(why, "not a regular file");
		fclose(fp);
		return -1;
	}
	buf = xmalloc(TEMPLATE_MAX + 2);
	n = fread(buf, 1, TEMPLATE_MAX + 1, fp);
	if (ferror(fp) || n > TEMPLATE_MAX) {
		util_cause(why, ferror(fp) ? "read error" :
		    "too large (over %d bytes)", TEMPLATE_MAX);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* Load one file of a language folder; *seen marks what was present. */
static void
load_file(struct template_set *ts, struct tload *ld, const char *path,
    const char *name, int lang, int seen[NKINDS][NCHANNELS])
{
	struct tparse	 tp;
	struct tlines	 tl;
	struct tmpl	*t;
	const char	*dot = strrchr(name, '.');
	char		*data, *why = NULL;
	size_t		 len;
	int		 k, c, before = ld->nerrors;

	k = dot != NULL ? kind_find(name, (size_t)(dot - name)) : -1;
	c = dot != NULL ? channel_find(dot + 1, strlen(dot + 1)) : -1;
	if (dot == NULL || c == -1) {
		ld_error(ld, "%s: not a template: name it KIND.email or "
		    "KIND.sms", path);
		return;
	}
	if (k == -1) {
		ld_error(ld, "%s: unknown message kind \"%.*s\"", path,
		    (int)(dot - name), name);
		return;
	}
	seen[k][c] = 1;
	if (read_file(path, &data, &len, &why) == -1) {
		ld_error(ld, "%s: %s", path, why);
		free(why);
		return;
	}
	memset(&tp, 0, sizeof tp);
	tp.ld = ld;
	tp.file = path;
	tp.kind = &kinds[k];
	t = &ts->t[lang][k][c];
	if (memchr(data, '\0', len) != NULL)
		tp_error(&tp, 0, "contains a NUL byte");
	else {
		split_lines(data, len, &tl);
		if (c == CH_EMAIL)
			parse_email(&tp, &tl, t);
		else
			parse_sms(&tp, &tl, t);
		free(tl.s);
		free(tl.n);
	}
	free(data);
	if (ld->nerrors == before && c == CH_SMS && (kinds[k].bit & K_ALERTS))
		alert_sms_check(&tp, t, lang);
	if (ld->nerrors == before)
		t->loaded = 1;
	else
		tmpl_free(t);
}

/* Load the templates of one language folder. */
static void
load_lang(struct template_set *ts, struct tload *ld, const char *dir,
    int lang, int seen[NKINDS][NCHANNELS])
{
	struct dirent	**ents;
	char		 *path;
	int		  n, i;
	size_t		  len;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		ld_error(ld, "%s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' &&
		    ents[i]->d_name[len - 1] != '~') {
			xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
			load_file(ts, ld, path, ents[i]->d_name, lang, seen);
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
}

struct template_set *
template_load(const char *dir, char **cause)
{
	struct template_set	*ts;
	struct tload		 ld;
	struct dirent		**ents;
	struct stat		 st;
	int			 seen[NLANGS][NKINDS][NCHANNELS];
	char			*path;
	int			 n, i, lang;
	size_t			 k, c;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		util_cause(cause, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	ts = xcalloc(1, sizeof *ts);
	ts->sender = xstrdup("");
	memset(&ld, 0, sizeof ld);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
			lang = lang_find(ents[i]->d_name);
			if (lang == -1)
				ld_error(&ld, "%s: unknown language (the "
				    "folders are fr, nl, de, en)", path);
			else if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
				ld_error(&ld, "%s: not a folder", path);
			else
				load_lang(ts, &ld, path, lang, seen[lang]);
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	for (k = 0; k < NKINDS; k++)
		for (c = 0; c < NCHANNELS; c++)
			if (!seen[0][k][c])
				ld_error(&ld, "%s/fr/%s.%s: missing (French is "
				    "required: the other languages fall back "
				    "to it)", dir, kinds[k].name, channels[c]);
	if (ld.nerrors > 0) {
		ld.errors.s[--ld.errors.len] = '\0';
		if (cause != NULL) {
			free(*cause);
			*cause = template_tbuf_take(&ld.errors);
		} else
			free(ld.errors.s);
		template_free(ts);
		return NULL;
	}
	return ts;
}

/* ---- rendering ---- */

/* Parse "2027-01-06T14:00:00+01:00": its wall-clock digits are the local
 * time; the offset after them ("", "Z" or +HH:MM) is checked, not used. */
static int
parse_local(const char *s, struct recur_civil *c, int *utcoff, int *has_off,
    char **why)
{
	char		 buf[20];
	const char	*rest;
	size_t		 n = strlen(s), k;

	if (n < 16) {
		util_cause(why, "not a date-time like "
		    "2027-01-06T14:00:00+01:00");
		return -1;
	}
	k = n >= 19 && s[16] == ':' ? 19 : 16;
	memcpy(buf, s, k);
	buf[k] = '\0';
	if (recur_civil_parse(buf, c, why) == -1)
		return -1;
	rest = s + k;
	if (*rest != '\0' && strcmp(rest, "Z") != 0 &&
	    !((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 &&
	    rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' &&
	    rest[2] <= '9' && rest[3] == ':' && rest[4] >= '0' &&
	    rest[4] <= '9' && rest[5] >= '0' && rest[5] <= '9')) {
		util_cause(why, "\"%s\" after the time is not an offset "
		    "like +01:00", rest);
		return -1;
	}
	*has_off = *rest != '\0';
	*utcoff = 0;
	if (rest[0] == '+' || rest[0] == '-')
		*utcoff = (rest[0] == '-' ? -1 : 1) * (((rest[1] - '0') * 10 +
		    rest[2] - '0') * 3600 + ((rest[4] - '0') * 10 + rest[5] -
		    '0') * 60);
	return 0;
}

/*
 * How far ahead the start is when the message is rendered at now, for
 * {in}: the reminder's configured offset when it goes out on time (within
 * IN_SLACK), else the time truly left, rounded to the unit people would
 * say ("dans 3 jours", "dans 20 heures"), so that a reminder held back by
 * quiet hours or sent late after a stop never says "demain" for today.
 */
#define IN_SLACK	300
static int64_t
rctx_in(const struct rctx *r, int64_t start_utc, int64_t now)
{
	int64_t	 left = start_utc - now;

	if (llabs(left - r->offset) <= IN_SLACK)
		return r->offset;
	if (left <= 0)
		return 0;
	if (left >= 2 * 86400)
		return (left + 43200) / 86400 * 86400;
	if (left >= 2 * 3600)
		return (left + 1800) / 3600 * 3600;
	return left < 60 ? 60 : left;
}

/* Check that params is an object with the kind's needs, every known
 * param of its type. */
static int
rctx_check(const struct tkind *k, json_t *params, char **why)
{
	const char *const	*need;
	json_t			*v;
	size_t			 i;

	if (params != NULL && !json_is_object(params)) {
		util_cause(why, "not a JSON object");
		return -1;
	}
	for (need = k->needs; *need != NULL; need++) {
		v = json_object_get(params, *need);
		if (v == NULL || json_is_null(v)) {
			util_cause(why, "no \"%s\"", *need);
			return -1;
		}
	}
	for (i = 0; i < NPARAMS; i++) {
		v = json_object_get(params, param_types[i].name);
		if (v != NULL && !json_is_null(v) &&
		    (int)json_typeof(v) != param_types[i].type) {
			util_cause(why, "\"%s\" is not %s", param_types[i].name,
			    param_types[i].type == JSON_STRING ? "a string" :
			    "an integer");
			return -1;
		}
	}
	return 0;
}

/* Parse the date-time params that are given. */
static int
rctx_dates(struct rctx *r, char **why)
{
	struct rdate	*d;
	json_t		*v;
	char		*sub = NULL;
	size_t		 i;

	for (i = 0; i < NPARAMS; i++) {
		if (param_types[i].date == -1)
			continue;
		v = json_object_get(r->params, param_types[i].name);
		if (!json_is_string(v))
			continue;
		d = &r->dates[param_types[i].date];
		if (parse_local(json_string_value(v), &d->c, &d->utcoff,
		    &d->has_off, &sub) == -1) {
			util_cause(why, "\"%s\": %s", param_types[i].name, sub);
			free(sub);
			return -1;
		}
		d->has = 1;
	}
	return 0;
}

/* Read and check the params a kind's placeholders are made from. */
static int
rctx_init(struct rctx *r, const struct tkind *k, int lang, const char *sender,
    json_t *params, char **why)
{
	const struct rdate	*start = &r->dates[D_START];
	json_t			*v;

	memset(r, 0, sizeof *r);
	r->lang = lang;
	r->sender = sender;
	r->params = params;
	if (rctx_check(k, params, why) == -1 || rctx_dates(r, why) == -1)
		return -1;
	if ((v = json_object_get(params, "offset")) != NULL &&
	    json_is_integer(v)) {
		r->offset = json_integer_value(v);
		r->has_offset = 1;
		if ((v = json_object_get(params, "now")) != NULL &&
		    json_is_integer(v) && start->has && start->has_off)
			r->offset = rctx_in(r, recur_civil_secs(&start->c) -
			    start->utcoff, json_integer_value(v));
	}
	return 0;
}

/* The value of placeholder ph, made once per rendering into vals. */
static const char *
ph_value(const struct tph *ph, const struct rctx *r, char *vals[NPHS])
{
	size_t	 i = (size_t)(ph - phs);
	char	*raw;

	if (vals[i] == NULL) {
		raw = ph->fill(r);
		vals[i] = template_clean_value(raw);
		free(raw);
	}
	return vals[i];
}

/* Render the parts of l from first on into b, skip bytes of the first
 * left out; vals caches each placeholder's value.  Returns 1 when the line
 * had placeholders and all of them were empty. */
static int
render_line(const struct tline *l, size_t first, size_t skip,
    const struct rctx *r, char *vals[NPHS], struct tbuf *b)
{
	const struct tpart	*p;
	const char		*v;
	size_t			 i;
	int			 nph = 0, nonempty = 0;

	for (i = first; i < l->nparts; i++) {
		p = &l->parts[i];
		if (p->ph == NULL) {
			template_tbuf_add(b, p->text + skip,
			    strlen(p->text + skip));
			skip = 0;
			continue;
		}
		v = ph_value(p->ph, r, vals);
		nph++;
		nonempty += v[0] != '\0';
		template_tbuf_add(b, v, strlen(v));
	}
	return nph > 0 && nonempty == 0;
}

/* The length of the separator at s: spaces, one of : , - and –, spaces. */
static size_t
lead_separator(const char *s)
{
	size_t	 n = strspn(s, " \t");

	if (s[n] == ':' || s[n] == ',' || s[n] == '-')
		n++;
	else if (strncmp(s + n, "\xe2\x80\x93", 3) == 0)	/* – */
		n += 3;
	return n + strspn(s + n, " \t");
}

/*
 * Where a one-line text starts: when l begins with a placeholder that
 * renders empty, after it and the separator that follows (*first the part,
 * *skip bytes of it); 1 when a literal letter then begins the text.
 */
static int
lead_drop(const struct tline *l, const struct rctx *r, char *vals[NPHS],
    size_t *first, size_t *skip)
{
	size_t	 i = 0;

	*first = *skip = 0;
	while (i < l->nparts && l->parts[i].ph == NULL &&
	    l->parts[i].text[strspn(l->parts[i].text, " \t")] == '\0')
		i++;
	if (i == l->nparts || l->parts[i].ph == NULL ||
	    *ph_value(l->parts[i].ph, r, vals) != '\0')
		return 0;
	*first = ++i;
	if (i == l->nparts || l->parts[i].ph != NULL)
		return 0;
	*skip = lead_separator(l->parts[i].text);
	return l->parts[i].text[*skip] != '\0';
}

/* The first character of s made a capital (s changed or replaced). */
static char *
capitalise(char *s)
{
	uint32_t	 c, up;
	size_t		 k, n;
	char		 e[4], *t;

	if (*s == '\0')
		return s;
	k = utf8_decode((unsigned char *)s, strlen(s), &c);
	if (c == UTF8_BAD || (up = uc_toupper(c)) == c)
		return s;
	n = utf8_encode(up, e);
	xasprintf(&t, "%.*s%s", (int)n, e, s + k);
	free(s);
	return t;
}

/* A line rendered on its own and flattened (new string), without a
 * leading empty placeholder and its separator. */
static char *
render_one_line(const struct tline *l, const struct rctx *r, char *vals[NPHS])
{
	struct tbuf	 b = { NULL, 0, 0 };
	size_t		 first, skip;
	char		*raw, *s;
	int		 cap;

	cap = lead_drop(l, r, vals, &first, &skip);
	render_line(l, first, skip, r, vals, &b);
	raw = template_tbuf_take(&b);
	s = template_one_line(raw);
	free(raw);
	return cap ? capitalise(s) : s;
}

/* An email body: its lines, those whose placeholders are all empty left
 * out, each ending with a newline (new string). */
static char *
render_body(const struct tmpl *t, const struct rctx *r, char *vals[NPHS])
{
	struct tbuf	 b = { NULL, 0, 0 };
	size_t		 i, mark;

	for (i = 0; i < t->nlines; i++) {
		mark = b.len;
		if (render_line(&t->lines[i], 0, 0, r, vals, &b)) {
			b.len = mark;
			if (b.s != NULL)
				b.s[mark] = '\0';
			continue;
		}
		template_tbuf_add(&b, "\n", 1);
	}
	return template_tbuf_take(&b);
}

/* Render t for channel c: *body, and *subject for an email (new
 * strings). */
static void
render(const struct tmpl *t, const struct rctx *r, int c, char **subject,
    char **body)
{
	char	*vals[NPHS];
	size_t	 i;

	memset(vals, 0, sizeof vals);
	if (c == CH_SMS)
		*body = template_sms_gsm(render_one_line(&t->lines[0], r,
		    vals));
	else {
		*subject = render_one_line(&t->subject, r, vals);
		*body = render_body(t, r, vals);
	}
	for (i = 0; i < NPHS; i++)
		free(vals[i]);
}

/*
 * The widest date-time in words of each language (longest weekday and
 * month, two digits or "1er", 23:59), as test_template checks over 28
 * years of days: alert SMS texts are measured with it.
 */
static const char *const widest[NLANGS] = {
	"2027-09-01T23:59:00+02:00",	/* mercredi 1er septembre 2027 */
	"2027-09-30T23:59:00+02:00",	/* donderdag 30 september 2027 */
	"2027-09-30T23:59:00+02:00",	/* Donnerstag, 30. September 2027 */
	"2027-09-29T23:59:00+02:00",	/* Wednesday 29 September 2027 */
};

/*
 * The SMS segments the alert SMS template t of kind k in lang takes with
 * the longest plausible params and sender; -1 with *why set when they do
 * not render.
 */
static int
alert_sms_measure(const struct tmpl *t, const struct tkind *k, int lang,
    const char *sender, char **why)
{
	struct rctx	 r;
	json_t		*p;
	char		*sms;
	int		 n = -1;

	p = json_pack("{s:s, s:s, s:s}", "code", "8888", "until",
	    widest[lang], "opened", widest[lang]);
	if (rctx_init(&r, k, lang, sender, p, why) == 0) {
		render(t, &r, CH_SMS, NULL, &sms);
		n = template_sms_segments(sms);
		free(sms);
	}
	json_decref(p);
	return n;
}

/*
 * An alert is urgent and its SMS must go out as one message, the code
 * visible at once: render the SMS template t of lang with the longest
 * plausible params and refuse it when it takes more.
 */
static void
alert_sms_check(struct tparse *tp, const struct tmpl *t, int lang)
{
	char	*why = NULL;
	int	 n;

	if ((n = alert_sms_measure(t, tp->kind, lang, "", &why)) == -1) {
		tp_error(tp, 0, "cannot be measured: %s", why);
		free(why);
	} else if (n > 1)
		tp_error(tp, 1, "an alert SMS must fit in one message "
		    "(160 GSM-7 characters, 70 with other characters): "
		    "this one takes %d", n);
}

int
template_set_sender(struct template_set *ts, const char *sender,
    char **cause)
{
	char	*name, *why = NULL;
	size_t	 l, k;
	int	 n;

	if (sender == NULL)
		sender = "";
	if (guard_input_check(sender, 0, &why) == -1) {
		util_cause(cause, "sender name: %s", why);
		free(why);
		return -1;
	}
	if (utf8_len(sender) > TEMPLATE_SENDER_MAX) {
		util_cause(cause, "sender name \"%s\": longer than %d "
		    "characters", UTF8_CUT(sender, 40), TEMPLATE_SENDER_MAX);
		return -1;
	}
	name = template_clean_value(sender);
	if (guard_phone_check(name, &why) == -1) {
		util_cause(cause, "sender name \"%s\": %s", name, why);
		goto fail;
	}
	for (l = 0; l < NLANGS; l++) {
		for (k = 0; k < NKINDS; k++) {
			if (!(kinds[k].bit & K_ALERTS) ||
			    !ts->t[l][k][CH_SMS].loaded)
				continue;
			n = alert_sms_measure(&ts->t[l][k][CH_SMS], &kinds[k],
			    (int)l, name, &why);
			if (n == 1)
				continue;
			util_cause(cause, "sender name \"%s\": the alert SMS "
			    "%s/%s.sms would take %d messages, and an alert "
			    "SMS must fit in one: choose a shorter name", name,
			    langs[l], kinds[k].name, n);
			goto fail;
		}
	}
	free(ts->sender);
	ts->sender = name;
	return 0;
fail:
	free(why);
	free(name);
	return -1;
}

int
template_render(const struct template_set *ts, const char *kind,
    const char *channel, const char *lang, json_t *params, char **subject,
    char **body, char **cause)
{
	const struct tmpl	*t;
	struct rctx		 r;
	char			*why = NULL;
	int			 k, c, l;

	if (subject != NULL)
		*subject = NULL;
	*body = NULL;
	k = kind != NULL ? kind_find(kind, strlen(kind)) : -1;
	c = channel != NULL ? channel_find(channel, strlen(channel)) : -1;
	if (k == -1 || c == -1) {
		util_cause(cause, "template %s.%s: no such kind of message",
		    kind != NULL ? kind : "(null)",
		    channel != NULL ? channel : "(null)");
		return -1;
	}
	if (c == CH_EMAIL && subject == NULL) {
		util_cause(cause, "template %s.email: no place for the "
		    "subject", kind);
		return -1;
	}
	if ((l = lang_find(lang)) == -1 || !ts->t[l][k][c].loaded)
		l = 0;
	t = &ts->t[l][k][c];
	if (!t->loaded) {
		util_cause(cause, "template %s.%s: not loaded", kind, channel);
		return -1;
	}
	if (rctx_init(&r, &kinds[k], l, ts->sender, params, &why) == -1) {
		util_cause(cause, "template %s.%s: params: %s", kind, channel,
		    why);
		free(why);
		return -1;
	}
	render(t, &r, c, subject, body);
	/* What reaches a phone, as it is sent. */
	if (guard_phone_check(c == CH_SMS ? *body : *subject, &why) == -1) {
		util_cause(cause, "phone guard: %s (%s)", why, c == CH_SMS ?
		    "SMS text" : "email subject");
		free(why);
		free(*body);
		*body = NULL;
		if (subject != NULL) {
			free(*subject);
			*subject = NULL;
		}
		return -1;
	}
	return 0;
}
