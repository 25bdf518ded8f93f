/*
 * template_render.c: the placeholders and rendering.  The placeholder table
 * says what each {name} means, which kinds offer it and whether it may reach
 * a phone; rendering reads and checks the params of the outbox payload once,
 * fills each placeholder in the template's own language through datefmt,
 * drops what renders empty (a leading placeholder and its separator, a body
 * line whose placeholders are all empty), and checks what reaches a phone
 * with guard.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unicase.h>

#include "datefmt.h"
#include "guard.h"
#include "recur.h"
#include "template.h"
#include "template_int.h"
#include "utf8.h"
#include "util.h"

#define SECS_MINUTE	60
#define SECS_HOUR	3600
#define SECS_DAY	86400

/* The date-time params. */
enum { D_START, D_END, D_UNTIL, D_OPENED, D_SINCE, D_CLEARED, NDATES };

struct rdate {
	struct recur_civil	 c;		/* the local wall-clock time */
	int			 has;
	int			 utcoff, has_off; /* the offset written after */
};

/* The params of a message, read and checked once per rendering. */
struct rctx {
	int			 lang;		/* index in lang_codes */
	const char		*sender;	/* never NULL */
	json_t			*params;
	struct rdate		 dates[NDATES];
	int			 has_offset;
	int64_t			 offset;
	int			 phone;		/* an SMS text or a subject */
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
	{ "phone_title", JSON_STRING, -1 }, { "alarm", JSON_STRING, -1 },
	{ "channel", JSON_STRING, -1 }, { "count", JSON_INTEGER, -1 },
	{ "since", JSON_STRING, D_SINCE }, { "cleared", JSON_STRING, D_CLEARED },
};
#define NPARAMS		(sizeof param_types / sizeof param_types[0])

/* The "how far ahead" words of each language, in lang_codes order. */
static const struct {
	const char	*now, *tomorrow, *ahead;
	const char	*day[2], *hour[2], *minute[2];	/* one, more */
} in_words[LANG_COUNT] = {
	{ "maintenant", "demain", "dans", { "jour", "jours" },
	  { "heure", "heures" }, { "minute", "minutes" } },
	{ "nu", "morgen", "over", { "dag", "dagen" }, { "uur", "uur" },
	  { "minuut", "minuten" } },
	{ "jetzt", "morgen", "in", { "Tag", "Tagen" },
	  { "Stunde", "Stunden" }, { "Minute", "Minuten" } },
	{ "now", "tomorrow", "in", { "day", "days" }, { "hour", "hours" },
	  { "minute", "minutes" } },
};

/* ---- the placeholders ---- */

/* A string param, or "" when absent (new string, not yet cleaned). */
static char *
param_str(const struct rctx *r, const char *name)
{
	json_t	*v = json_object_get(r->params, name);

	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

/* The title; in what a phone shows first (an SMS text, a subject), the
 * event's neutral phone title when the params carry one. */
static char *
ph_title(const struct rctx *r)
{
	json_t	*v = json_object_get(r->params, "phone_title");

	if (r->phone && json_is_string(v) && *json_string_value(v) != '\0')
		return xstrdup(json_string_value(v));
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
	return xstrdup(datefmt(lang_codes[r->lang], style, &d->c, buf,
	    sizeof buf));
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

/*
 * What the dead-man's switch says, by language, alarm kind (in the order
 * of alarm_kinds) and whether it is raised or cleared: %C the channel's
 * messages, %T the time (when it began, or ended), %n how many failed, %c
 * the alert's code.  Short: an alarm SMS must take one message.
 */
static const char *const alarm_kinds[] = {
	"channel", "urgent_age", "no_report", "exhausted"
};
#define NALARMS		(sizeof alarm_kinds / sizeof alarm_kinds[0])
static const struct {
	const char	*chan[CHAN_COUNT];
	const char	*raised[NALARMS], *cleared[NALARMS];
} alarm_words[LANG_COUNT] = {
	{ { "Les e-mails", "Les SMS" },
	  { "%C ne partent plus depuis %T (%n échecs)",
	    "Un message urgent attend depuis %T",
	    "Les SMS urgents restent sans accusé de réception depuis %T",
	    "Personne ne répond à l'alerte %c depuis %T" },
	  { "%C repartent depuis %T",
	    "Les messages urgents repartent depuis %T",
	    "Les SMS urgents sont de nouveau confirmés depuis %T",
	    "L'alerte %c n'attend plus de réponse depuis %T" } },
	{ { "E-mails", "Sms'en" },
	  { "%C worden niet meer verstuurd sinds %T (%n mislukt)",
	    "Een dringend bericht wacht sinds %T",
	    "Dringende sms'en krijgen geen ontvangstbevestiging sinds %T",
	    "Niemand antwoordt op oproep %c sinds %T" },
	  { "%C worden weer verstuurd sinds %T",
	    "Dringende berichten worden weer verstuurd sinds %T",
	    "Dringende sms'en worden weer bevestigd sinds %T",
	    "Oproep %c wacht niet meer op antwoord sinds %T" } },
	{ { "E-Mails", "SMS" },
	  { "%C werden seit %T nicht mehr versandt (%n Fehlschläge)",
	    "Eine dringende Nachricht wartet seit %T",
	    "Dringende SMS bleiben seit %T ohne Zustellbericht",
	    "Niemand antwortet seit %T auf die Anfrage %c" },
	  { "%C werden seit %T wieder versandt",
	    "Dringende Nachrichten werden seit %T wieder versandt",
	    "Dringende SMS werden seit %T wieder bestätigt",
	    "Die Anfrage %c wartet seit %T nicht mehr auf Antwort" } },
	{ { "Emails", "Text messages" },
	  { "%C have not gone out since %T (%n failures)",
	    "An urgent message has been waiting since %T",
	    "Urgent text messages have had no delivery report since %T",
	    "Nobody has answered alert %c since %T" },
	  { "%C have been going out again since %T",
	    "Urgent messages have been going out again since %T",
	    "Urgent text messages have been confirmed again since %T",
	    "Alert %c has awaited no answer since %T" } },
};

/* The index of the alarm kind named in the params, -1 when none is. */
static int
alarm_index(const struct rctx *r)
{
	json_t	*v = json_object_get(r->params, "alarm");
	size_t	 i;

	for (i = 0; json_is_string(v) && i < NALARMS; i++)
		if (strcmp(json_string_value(v), alarm_kinds[i]) == 0)
			return (int)i;
	return -1;
}

/* Expand the % slots of one alarm_words text (new string). */
static char *
alarm_expand(const struct rctx *r, const char *fmt, int when)
{
	struct tbuf	 b = { NULL, 0, 0 };
	json_t		*v;
	char		*val, num[32];
	int		 c;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%' || fmt[1] == '\0') {
			template_tbuf_add(&b, fmt, 1);
			continue;
		}
		switch (*++fmt) {
		case 'C':
			v = json_object_get(r->params, "channel");
			c = json_is_string(v) ? chan_parse(json_string_value(v))
			    : -1;
			val = xstrdup(alarm_words[r->lang].chan[c == -1 ?
			    CHAN_EMAIL : c]);
			break;
		case 'T':
			val = ph_datefmt(r, when, DATEFMT_TIME);
			break;
		case 'n':
			v = json_object_get(r->params, "count");
			snprintf(num, sizeof num, "%lld", (long long)
			    (json_is_integer(v) ? json_integer_value(v) : 0));
			val = xstrdup(num);
			break;
		default:	/* 'c' */
			val = param_str(r, "code");
			break;
		}
		template_tbuf_add(&b, val, strlen(val));
		free(val);
	}
	return template_tbuf_take(&b);
}

/* What broke, or what works again, and since when, in words. */
static char *
ph_problem(const struct rctx *r)
{
	int	 i = alarm_index(r);

	if (i == -1)
		return xstrdup("");
	if (r->dates[D_CLEARED].has)
		return alarm_expand(r, alarm_words[r->lang].cleared[i],
		    D_CLEARED);
	return alarm_expand(r, alarm_words[r->lang].raised[i], D_SINCE);
}

static char *
ph_since(const struct rctx *r)
{
	return ph_datefmt(r, D_SINCE, DATEFMT_LONG);
}

static char *
ph_cleared(const struct rctx *r)
{
	return ph_datefmt(r, D_CLEARED, DATEFMT_LONG);
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

/*
 * The offset in words: whole days, else whole hours, else minutes (never
 * "maintenant" for an offset of a few seconds).
 */
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
	/* to the nearest minute, at least one: 3570 s is "dans 1 heure" */
	if (o % SECS_MINUTE != 0)
		o = o < SECS_MINUTE ? SECS_MINUTE :
		    (o + SECS_MINUTE / 2) / SECS_MINUTE * SECS_MINUTE;
	if (o % SECS_DAY == 0) {
		if ((n = o / SECS_DAY) == 1)
			return xstrdup(in_words[r->lang].tomorrow);
		unit = in_words[r->lang].day;
	} else if (o % SECS_HOUR == 0) {
		n = o / SECS_HOUR;
		unit = in_words[r->lang].hour;
	} else {
		n = o / SECS_MINUTE;
		unit = in_words[r->lang].minute;
	}
	xasprintf(&s, "%s %lld %s", in_words[r->lang].ahead, (long long)n,
	    unit[n != 1]);
	return s;
}

/* The placeholders, each offered by some kinds (struct tph). */
static const struct tph phs[] = {
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
	{ "problem", "what broke, or works again, since when: Les e-mails "
	  "ne partent plus depuis 14h05 (5 échecs)", K_ALARMS, 1, ph_problem },
	{ "since", "when the alarm's condition began, in words", K_ALARMS, 1,
	  ph_since },
	{ "cleared", "when it ended, in words", K_ALARM_CLEAR, 1, ph_cleared },
	{ "sender", "the name the network signs with", K_ALL, 1, ph_sender },
};
#define NPHS		(sizeof phs / sizeof phs[0])

const struct tph *
template_ph_find(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < NPHS; i++)
		if (strlen(phs[i].name) == len &&
		    strncmp(phs[i].name, name, len) == 0)
			return &phs[i];
	return NULL;
}

/* ---- the params ---- */

/* A local date-time param, "2027-01-06T14:00:00+01:00": its lengths
 * without and with the seconds, then the bytes of its offset "+01:00". */
#define DT_MINUTES_LEN	16
#define DT_SECONDS_LEN	19
enum { OFF_SIGN, OFF_HOURS, OFF_COLON = 3, OFF_MINUTES, OFF_LEN = 6 };

/* The two decimal digits at s, or -1. */
static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Read the offset after a date-time, "" or "Z" (0) or "+HH:MM", into
 * *utcoff (seconds east of UTC); -1 when it is none of them. */
static int
parse_offset(const char *s, int *utcoff)
{
	int	 h, m;

	*utcoff = 0;
	if (*s == '\0' || strcmp(s, "Z") == 0)
		return 0;
	if ((s[OFF_SIGN] != '+' && s[OFF_SIGN] != '-') ||
	    strlen(s) != OFF_LEN || (h = two_digits(s + OFF_HOURS)) == -1 ||
	    s[OFF_COLON] != ':' || (m = two_digits(s + OFF_MINUTES)) == -1)
		return -1;
	*utcoff = (s[OFF_SIGN] == '-' ? -1 : 1) * (h * SECS_HOUR +
	    m * SECS_MINUTE);
	return 0;
}

/* Parse "2027-01-06T14:00:00+01:00": its wall-clock digits are the local
 * time; the offset after them ("", "Z" or +HH:MM) is checked, not used. */
static int
parse_local(const char *s, struct recur_civil *c, int *utcoff, int *has_off,
    char **why)
{
	char		 buf[DT_SECONDS_LEN + 1];
	const char	*rest;
	size_t		 n = strlen(s), k;

	if (n < DT_MINUTES_LEN) {
		util_cause(why, "not a date-time like "
		    "2027-01-06T14:00:00+01:00");
		return -1;
	}
	k = n >= DT_SECONDS_LEN && s[DT_MINUTES_LEN] == ':' ?
	    DT_SECONDS_LEN : DT_MINUTES_LEN;
	memcpy(buf, s, k);
	buf[k] = '\0';
	if (recur_civil_parse(buf, c, why) == -1)
		return -1;
	rest = s + k;
	if (parse_offset(rest, utcoff) == -1) {
		util_cause(why, "\"%s\" after the time is not an offset "
		    "like +01:00", rest);
		return -1;
	}
	*has_off = *rest != '\0';
	return 0;
}

/*
 * How far ahead the start is when the message is rendered at now, for
 * {in}: the reminder's configured offset when it goes out on time (within
 * a tenth of it, at most IN_SLACK), else the time truly left, rounded to
 * the unit people would say ("dans 3 jours", "dans 20 heures", "dans 2
 * minutes"), so that a reminder held back by quiet hours or sent late
 * after a stop never says "demain" for today, nor "dans 2 minutes" when one
 * is left.  A start still to come is at least a minute away: "maintenant"
 * only once the event has begun (or for a reminder set at its start).
 */
#define IN_SLACK	300
static int64_t
rctx_in(const struct rctx *r, int64_t start_utc, int64_t now)
{
	int64_t	 left = start_utc - now, slack = r->offset / 10;

	if (slack > IN_SLACK)
		slack = IN_SLACK;
	if (llabs(left - r->offset) <= slack)
		return r->offset;
	if (left <= 0)
		return 0;
	if (left >= 2 * SECS_DAY)
		return (left + SECS_DAY / 2) / SECS_DAY * SECS_DAY;
	if (left >= 2 * SECS_HOUR)
		return (left + SECS_HOUR / 2) / SECS_HOUR * SECS_HOUR;
	return left < SECS_MINUTE ? SECS_MINUTE : left;
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

/* ---- rendering ---- */

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
	static const char	 en_dash[] = "\xe2\x80\x93";	/* – */
	size_t			 n = strspn(s, " \t");

	if (s[n] == ':' || s[n] == ',' || s[n] == '-')
		n++;
	else if (strncmp(s + n, en_dash, sizeof en_dash - 1) == 0)
		n += sizeof en_dash - 1;
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

/* Free the placeholders' values of one rendering, and forget them. */
static void
render_vals_free(char *vals[NPHS])
{
	size_t	 i;

	for (i = 0; i < NPHS; i++) {
		free(vals[i]);
		vals[i] = NULL;
	}
}

/* Render t for channel c: *body, and *subject for an email (new
 * strings); the SMS text and the subject with the phone title. */
static void
render(const struct tmpl *t, const struct rctx *r, enum chan c,
    char **subject, char **body)
{
	struct rctx	 pr = *r;
	char		*vals[NPHS];

	memset(vals, 0, sizeof vals);
	pr.phone = 1;
	if (c == CHAN_SMS)
		*body = template_sms_gsm(render_one_line(&t->lines[0], &pr,
		    vals));
	else {
		*subject = render_one_line(&t->subject, &pr, vals);
		/* the body may hold the full title: values computed again */
		render_vals_free(vals);
		*body = render_body(t, r, vals);
	}
	render_vals_free(vals);
}

/*
 * The widest date-time in words of each language (longest weekday and
 * month, two digits or "1er", 23:59), as test_template checks over 28
 * years of days: alert SMS texts are measured with it.
 */
static const char *const widest[LANG_COUNT] = {
	"2027-09-01T23:59:00+02:00",	/* mercredi 1er septembre 2027 */
	"2027-09-30T23:59:00+02:00",	/* donderdag 30 september 2027 */
	"2027-09-30T23:59:00+02:00",	/* Donnerstag, 30. September 2027 */
	"2027-09-29T23:59:00+02:00",	/* Wednesday 29 September 2027 */
};

int
template_alert_segments(const struct tmpl *t, const struct tkind *k, int lang,
    const char *sender, char **why)
{
	struct rctx	 r;
	json_t		*p;
	char		*sms;
	size_t		 i;
	int		 n = -1, m;

	/* an alarm: the longest of its kinds, the widest channel */
	for (i = 0; i < ((k->bit & K_ALARMS) ? NALARMS : 1); i++) {
		p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
		    "code", "8888", "until", widest[lang], "opened",
		    widest[lang], "alarm", alarm_kinds[i], "channel", "sms",
		    "since", widest[lang], "cleared", widest[lang], "count",
		    1000);
		if (rctx_init(&r, k, lang, sender, p, why) == -1) {
			json_decref(p);
			return -1;
		}
		render(t, &r, CHAN_SMS, NULL, &sms);
		if ((m = template_sms_segments(sms)) > n)
			n = m;
		free(sms);
		json_decref(p);
	}
	return n;
}

/* Which template a rendering takes: indexes in the tables. */
struct tpick {
	int	 kind, chan, lang;
};

/*
 * The template of kind for channel in lang (French when the language has
 * none), its indexes into *p; NULL with *cause set when there is none to
 * render.
 */
static const struct tmpl *
template_pick(const struct template_set *ts, const char *kind,
    const char *channel, const char *lang, char **subject, struct tpick *p,
    char **cause)
{
	const struct tmpl	*t;

	p->kind = kind != NULL ? template_kind_find(kind, strlen(kind)) : -1;
	p->chan = chan_parse(channel);
	if (p->kind == -1 || p->chan == -1) {
		util_cause(cause, "template %s.%s: no such kind of message",
		    kind != NULL ? kind : "(null)",
		    channel != NULL ? channel : "(null)");
		return NULL;
	}
	if (p->chan == CHAN_EMAIL && subject == NULL) {
		util_cause(cause, "template %s.email: no place for the "
		    "subject", kind);
		return NULL;
	}
	if ((p->lang = lang_parse(lang)) == -1 ||
	    !ts->t[p->lang][p->kind][p->chan].loaded)
		p->lang = LANG_FR;
	t = &ts->t[p->lang][p->kind][p->chan];
	if (!t->loaded) {
		util_cause(cause, "template %s.%s: not loaded", kind, channel);
		return NULL;
	}
	return t;
}

/* Refuse what reaches a phone as it is sent (the SMS text or the
 * subject) when guard_phone_check() does: -1, and nothing is kept. */
static int
phone_guard(enum chan c, char **subject, char **body, char **cause)
{
	char	*why = NULL;

	if (guard_phone_check(c == CHAN_SMS ? *body : *subject, &why) != -1)
		return 0;
	util_cause(cause, "phone guard: %s (%s)", why, c == CHAN_SMS ?
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

int
template_render(const struct template_set *ts, const char *kind,
    const char *channel, const char *lang, json_t *params, char **subject,
    char **body, char **cause)
{
	const struct tmpl	*t;
	struct tpick		 p;
	struct rctx		 r;
	char			*why = NULL;

	if (subject != NULL)
		*subject = NULL;
	*body = NULL;
	if ((t = template_pick(ts, kind, channel, lang, subject, &p,
	    cause)) == NULL)
		return -1;
	if (rctx_init(&r, &template_kinds[p.kind], p.lang, ts->sender, params,
	    &why) == -1) {
		util_cause(cause, "template %s.%s: params: %s", kind, channel,
		    why);
		free(why);
		return -1;
	}
	render(t, &r, (enum chan)p.chan, subject, body);
	return phone_guard((enum chan)p.chan, subject, body, cause);
}
