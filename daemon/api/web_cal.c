/*
 * web_cal.c: the console's calendar: the month view, the new-event page and
 * an event's page (its rule in words, its next dates, and for a coordinator
 * the form that edits it; the form itself is web_cal_form.c).
 *
 * The month view is a Monday-first table of the weeks of the month, each
 * day with its occurrences (GET /v1/agenda over the weeks shown), its
 * Belgian holiday and the network's closures as the calendar knows them
 * (the daemon's closures file).  The same days are written again as a list
 * of the days that have something, which the style sheet shows instead of
 * the table on a narrow screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "calendar.h"
#include "config.h"
#include "datefmt.h"
#include "holiday.h"
#include "html.h"
#include "recur.h"
#include "recur_words.h"
#include "tz.h"
#include "util.h"
#include "web_cal.h"
#include "web_int.h"

#define WC_DATE_LEN	128
#define WC_PATH_LEN	64
#define WC_SHOW_DAYS	732	/* how far an event's page looks ahead */
#define WC_NEXT_DATES	5
#define WC_FIRST_YEAR	1971	/* the months a page shows: their weeks */
#define WC_LAST_YEAR	9998	/* stay inside the engine's years */

/* The holidays' names (holiday.h writes them in French). */
static const struct {
	const char	*fr, *nl, *de, *en;
} wc_holidays[] = {
	{ "Jour de l'an", "Nieuwjaar", "Neujahr", "New Year's Day" },
	{ "Lundi de Pâques", "Paasmaandag", "Ostermontag", "Easter Monday" },
	{ "Fête du Travail", "Dag van de Arbeid", "Tag der Arbeit",
	    "Labour Day" },
	{ "Ascension", "Onze-Lieve-Heer-Hemelvaart", "Christi Himmelfahrt",
	    "Ascension Day" },
	{ "Lundi de Pentecôte", "Pinkstermaandag", "Pfingstmontag",
	    "Whit Monday" },
	{ "Fête nationale", "Nationale feestdag", "Nationalfeiertag",
	    "National Day" },
	{ "Assomption", "Onze-Lieve-Vrouw-Hemelvaart", "Mariä Himmelfahrt",
	    "Assumption" },
	{ "Toussaint", "Allerheiligen", "Allerheiligen", "All Saints' Day" },
	{ "Armistice", "Wapenstilstand", "Waffenstillstand",
	    "Armistice Day" },
	{ "Noël", "Kerstmis", "Weihnachten", "Christmas" },
};

/* One day of the grid. */
struct wc_day {
	struct recur_civil	 c;
	char			 iso[11];	/* "2027-01-06" */
	const char		*holiday;	/* in the page's language */
	int			 closed;
	int			 other;		/* of another month */
	int			 today;
};

/* The name of the holiday on c in the page's language, or NULL. */
static const char *
wc_holiday(struct web_ctx *ctx, const struct recur_civil *c)
{
	const char	*fr = holiday_be_name(c->year, c->month, c->day);
	size_t		 i;

	for (i = 0; fr != NULL && i < sizeof wc_holidays /
	    sizeof wc_holidays[0]; i++)
		if (strcmp(fr, wc_holidays[i].fr) == 0)
			return W(ctx, wc_holidays[i].fr, wc_holidays[i].nl,
			    wc_holidays[i].de, wc_holidays[i].en);
	return fr;
}

/* Today's date in the daemon's zone. */
static void
wc_today(struct web_ctx *ctx, struct recur_civil *c)
{
	const struct tz	*zone = tz_cached((*ctx->env->conf)->timezone, NULL);
	int64_t		 now = ctx->now;

	recur_secs_civil(now + (zone != NULL ? tz_offset_at(zone, now) : 0),
	    c);
}

/* "2027-01" into *year and *month; 0, or -1 when it is not a month. */
static int
wc_month_parse(const char *s, int *year, int *month)
{
	int64_t	 y, m;
	char	 ys[5], ms[3];

	if (s == NULL || strlen(s) != 7 || s[4] != '-' ||
	    strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2)
		return -1;
	memcpy(ys, s, 4);
	ys[4] = '\0';
	memcpy(ms, s + 5, 2);
	ms[2] = '\0';
	if (util_parse_int(ys, WC_FIRST_YEAR, WC_LAST_YEAR, &y) == -1 ||
	    util_parse_int(ms, 1, 12, &m) == -1)
		return -1;
	*year = (int)y;
	*month = (int)m;
	return 0;
}

/* The date delta days after year-month-day. */
static void
wc_add_days(int year, int month, int day, int delta, struct recur_civil *c)
{
	struct recur_civil	 d = { year, month, day, 0, 0, 0 };

	recur_secs_civil(recur_civil_secs(&d) + (int64_t)delta * 86400, c);
}

/*
 * The days of the weeks holding year-month, Monday first, into days
 * (at most 42); returns how many.
 */
static size_t
wc_grid(struct web_ctx *ctx, int year, int month, struct wc_day *days)
{
	const struct closures	*cl = ctx->env->cal->closures;
	struct recur_civil	 today, first;
	size_t			 n = 0;
	int			 lead = recur_weekday(year, month, 1);

	wc_today(ctx, &today);
	wc_add_days(year, month, 1, -lead, &first);
	for (n = 0; n < 42; n++) {
		struct wc_day	*d = &days[n];

		wc_add_days(first.year, first.month, first.day, (int)n, &d->c);
		if (n % 7 == 0 && n > 0 && d->c.month != month)
			break;
		snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02d", d->c.year,
		    d->c.month, d->c.day);
		d->holiday = wc_holiday(ctx, &d->c);
		d->closed = cl != NULL && closures_contains(cl, d->c.year,
		    d->c.month, d->c.day);
		d->other = d->c.month != month;
		d->today = d->c.year == today.year &&
		    d->c.month == today.month && d->c.day == today.day;
	}
	return n;
}

/* The month's name and year: "janvier 2027". */
static const char *
wc_month_name(struct web_ctx *ctx, int year, int month, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s %d", recur_words_month(ctx->lcode, month),
	    year);
	return buf;
}

/* The occurrences of agenda on day d, as links. */
static void
wc_day_occs(struct web_ctx *ctx, const json_t *agenda, const struct wc_day *d)
{
	const json_t	*o;
	const char	*start;
	char		 href[WC_PATH_LEN], t[WC_DATE_LEN];
	size_t		 i;

	json_array_foreach(agenda, i, o) {
		start = json_string_value(json_object_get(o, "start"));
		if (start == NULL || strncmp(start, d->iso, 10) != 0)
			continue;
		snprintf(href, sizeof href, "/calendar/%lld", (long long)
		    json_integer_value(json_object_get(o, "event")));
		html_tpl(ctx->body, "<a class=\"occ\" href=\"{h}\"><time "
		    "datetime=\"{s}\">{t}</time> {n}</a>", "h", href, "s",
		    start, "t", web_date(ctx, start, DATEFMT_TIME, t,
		    sizeof t), "n", json_string_value(json_object_get(o,
		    "title")), (char *)NULL);
	}
}

/* Whether agenda has something on day d. */
static int
wc_day_busy(const json_t *agenda, const struct wc_day *d)
{
	const json_t	*o;
	const char	*start;
	size_t		 i;

	json_array_foreach(agenda, i, o) {
		start = json_string_value(json_object_get(o, "start"));
		if (start != NULL && strncmp(start, d->iso, 10) == 0)
			return 1;
	}
	return 0;
}

/* The marks of a day: its holiday, its closure. */
static void
wc_day_marks(struct web_ctx *ctx, const struct wc_day *d)
{
	if (d->holiday != NULL)
		html_tpl(ctx->body, "<span class=\"holiday-name\">{h}</span>",
		    "h", d->holiday, (char *)NULL);
	if (d->closed)
		html_tpl(ctx->body, "<span class=\"closure-name\">{c}</span>",
		    "c", W(ctx, "Fermeture", "Sluiting", "Geschlossen",
		    "Closed"), (char *)NULL);
}

/* The table of the month. */
static void
wc_table(struct web_ctx *ctx, const struct wc_day *days, size_t n,
    const json_t *agenda, const char *caption)
{
	size_t	 i;
	int	 wd;

	html_tpl(ctx->body, "<div class=\"table-wrap month-table\"><table "
	    "class=\"month\"><caption>{c}</caption><thead><tr>", "c", caption,
	    (char *)NULL);
	for (wd = 0; wd < 7; wd++)
		html_tpl(ctx->body, "<th scope=\"col\">{d}</th>", "d",
		    recur_words_weekday(ctx->lcode, wd), (char *)NULL);
	html_raw(ctx->body, "</tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		if (i % 7 == 0)
			html_raw(ctx->body, "<tr>");
		html_tpl(ctx->body, "<td class=\"{o}{t}{h}{c}\"><span class="
		    "\"day\">{d}</span>", "o", days[i].other ? "other" : "day",
		    "t", days[i].today ? " today" : "", "h", days[i].holiday ?
		    " holiday" : "", "c", days[i].closed ? " closure" : "",
		    "d", days[i].iso + 8 + (days[i].iso[8] == '0'),
		    (char *)NULL);
		wc_day_marks(ctx, &days[i]);
		wc_day_occs(ctx, agenda, &days[i]);
		html_raw(ctx->body, "</td>");
		if (i % 7 == 6)
			html_raw(ctx->body, "</tr>");
	}
	html_raw(ctx->body, "</tbody></table></div>");
}

/* The days of the month that have something, as a list. */
static void
wc_list(struct web_ctx *ctx, const struct wc_day *days, size_t n,
    const json_t *agenda)
{
	char	 date[WC_DATE_LEN];
	size_t	 i, shown = 0;

	html_raw(ctx->body, "<ol class=\"month-list\">");
	for (i = 0; i < n; i++) {
		if (days[i].other || (days[i].holiday == NULL &&
		    !days[i].closed && !wc_day_busy(agenda, &days[i])))
			continue;
		html_tpl(ctx->body, "<li class=\"{t}{h}{c}\"><h2>{d}</h2>",
		    "t", days[i].today ? "today" : "", "h", days[i].holiday ?
		    " holiday" : "", "c", days[i].closed ? " closure" : "",
		    "d", web_date(ctx, days[i].iso, DATEFMT_DATE, date,
		    sizeof date), (char *)NULL);
		wc_day_marks(ctx, &days[i]);
		wc_day_occs(ctx, agenda, &days[i]);
		html_raw(ctx->body, "</li>");
		shown++;
	}
	if (shown == 0)
		html_tpl(ctx->body, "<li class=\"muted\">{m}</li>", "m",
		    W(ctx, "Rien ce mois-ci", "Niets deze maand",
		    "Nichts in diesem Monat", "Nothing this month"),
		    (char *)NULL);
	html_raw(ctx->body, "</ol>");
}

/* The links to the months before and after, and the new-event button. */
static void
wc_nav(struct web_ctx *ctx, int year, int month)
{
	char	 prev[32], next[32], pn[64], nn[64];
	int	 py = month == 1 ? year - 1 : year, pm = month == 1 ? 12 :
	    month - 1;
	int	 ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 :
	    month + 1;

	snprintf(prev, sizeof prev, "%04d-%02d", py, pm);
	snprintf(next, sizeof next, "%04d-%02d", ny, nm);
	html_raw(ctx->body, "<nav class=\"actions month-nav\">");
	/* no link to a month the page would refuse */
	if (py >= WC_FIRST_YEAR)
		html_tpl(ctx->body, "<a class=\"btn\" rel=\"prev\" "
		    "href=\"/calendar?month={p}\">‹ {pn}</a>", "p", prev, "pn",
		    wc_month_name(ctx, py, pm, pn, sizeof pn), (char *)NULL);
	html_tpl(ctx->body, "<a class=\"btn\" href=\"/calendar\">{t}</a>", "t",
	    W(ctx, "Ce mois-ci", "Deze maand", "Dieser Monat", "This month"),
	    (char *)NULL);
	if (ny <= WC_LAST_YEAR)
		html_tpl(ctx->body, "<a class=\"btn\" rel=\"next\" "
		    "href=\"/calendar?month={n}\">{nn} ›</a>", "n", next, "nn",
		    wc_month_name(ctx, ny, nm, nn, sizeof nn), (char *)NULL);
	if (ctx->user->role >= WEB_ROLE_COORDINATOR)
		html_tpl(ctx->body, "<a class=\"btn primary\" href=\"/calendar/"
		    "new\">{l}</a>", "l", W(ctx, "Nouvel événement",
		    "Nieuwe activiteit", "Neuer Termin", "New event"),
		    (char *)NULL);
	html_raw(ctx->body, "</nav>");
}

void
web_cal_month(struct web_ctx *ctx)
{
	struct wc_day		 days[42];
	struct recur_civil	 today;
	const char		*q = web_query(ctx, "month");
	json_t			*agenda = NULL;
	char			 path[WC_PATH_LEN], name[64];
	size_t			 n;
	int			 year, month, status;

	ctx->title = W(ctx, "Calendrier", "Kalender", "Kalender", "Calendar");
	if (q != NULL && wc_month_parse(q, &year, &month) == -1) {
		ctx->status = 400;
		html_tpl(ctx->body, "<div class=\"error-box\" role=\"alert\">"
		    "<p>{m}</p></div>", "m", W(ctx, "Ce mois n'existe pas : "
		    "écrivez-le AAAA-MM, par ex. 2027-01. Voici le mois en "
		    "cours.", "Deze maand bestaat niet: schrijf JJJJ-MM, bv. "
		    "2027-01. Hier is de huidige maand.", "Diesen Monat gibt "
		    "es nicht: schreiben Sie JJJJ-MM, z. B. 2027-01. Hier ist "
		    "der aktuelle Monat.", "No such month: write it YYYY-MM, "
		    "e.g. 2027-01. Here is the current month."), (char *)NULL);
		q = NULL;
	}
	if (q == NULL) {
		wc_today(ctx, &today);
		year = today.year;
		month = today.month;
	}
	n = wc_grid(ctx, year, month, days);
	snprintf(path, sizeof path, "/v1/agenda?from=%s&days=%zu", days[0].iso,
	    n);
	if ((status = web_api(ctx, "GET", path, NULL, &agenda)) != 200)
		web_error_box(ctx, agenda);
	wc_month_name(ctx, year, month, name, sizeof name);
	html_tpl(ctx->body, "<h1>{t} : {m}</h1>", "t", ctx->title, "m", name,
	    (char *)NULL);
	wc_nav(ctx, year, month);
	wc_table(ctx, days, n, status == 200 ? agenda : NULL, name);
	wc_list(ctx, days, n, status == 200 ? agenda : NULL);
	json_decref(agenda);
}

/* -------------------------------------------------------------------------
 * An event and its form.
 */

/* The month of the event starting at dtstart, as the page to go back to. */
static void
wc_month_of(const char *dtstart, char *buf, size_t len)
{
	int	 y, m;
	char	 mm[8];

	if (dtstart != NULL && strlen(dtstart) >= 7) {
		memcpy(mm, dtstart, 7);
		mm[7] = '\0';
		if (wc_month_parse(mm, &y, &m) == 0) {
			snprintf(buf, len, "/calendar?month=%s", mm);
			return;
		}
	}
	snprintf(buf, len, "/calendar");
}

/* The title and the form of a new event, with a preview or an error. */
static void
wc_new_page(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err, const json_t *preview)
{
	ctx->title = W(ctx, "Nouvel événement", "Nieuwe activiteit",
	    "Neuer Termin", "New event");
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", ctx->title, (char *)NULL);
	if (preview != NULL)
		web_cal_preview_write(ctx, preview);
	web_cal_form_write(ctx, "/calendar/new", f, err);
}

void
web_cal_new(struct web_ctx *ctx)
{
	struct web_cal_form	 f;

	web_cal_form_defaults(&f);
	wc_new_page(ctx, &f, NULL, NULL);
	web_cal_form_clear(&f);
}

/*
 * The form posted: its preview (POST /v1/events/preview with base, the
 * stored event, under the form's values), or NULL when it is saved.  0 when
 * the preview is in *preview; -1 with *err set.
 */
static int
wc_preview(struct web_ctx *ctx, const json_t *base, json_t *body,
    json_t **preview, json_t **err)
{
	json_t	*req = base != NULL ? json_deep_copy(base) : json_object();
	int	 status;

	json_object_update(req, body);
	status = web_api(ctx, "POST", "/v1/events/preview", req, preview);
	json_decref(req);
	if (status == 200)
		return 0;
	*err = *preview;
	*preview = NULL;
	ctx->status = web_cal_form_status(status);
	return -1;
}

void
web_cal_add(struct web_ctx *ctx)
{
	struct web_cal_form	 f;
	json_t			*body = NULL, *err = NULL, *reply = NULL;
	char			 back[WC_PATH_LEN];
	int			 status;

	if (web_cal_form_from_params(ctx, &f, &err) == -1) {
		ctx->status = 400;
		wc_new_page(ctx, &f, err, NULL);
		goto out;
	}
	body = web_cal_form_body(&f);
	if (web_param(ctx, "preview") != NULL) {
		if (wc_preview(ctx, NULL, body, &reply, &err) == 0)
			wc_new_page(ctx, &f, NULL, reply);
		else
			wc_new_page(ctx, &f, err, NULL);
		goto out;
	}
	status = web_api(ctx, "POST", "/v1/events", body, &reply);
	if (status == 200 || status == 201) {
		web_flash(ctx, W(ctx, "Événement enregistré",
		    "Activiteit opgeslagen", "Termin gespeichert",
		    "Event saved"));
		wc_month_of(f.dtstart, back, sizeof back);
		web_redirect(ctx, back);
		goto out;
	}
	ctx->status = web_cal_form_status(status);
	wc_new_page(ctx, &f, reply, NULL);
out:
	json_decref(body);
	json_decref(err);
	json_decref(reply);
	web_cal_form_clear(&f);
}

/* The next dates of event id, from the agenda. */
static void
wc_next_dates(struct web_ctx *ctx, int64_t id)
{
	json_t		*agenda = NULL, *o;
	const char	*start;
	char		 path[WC_PATH_LEN], date[WC_DATE_LEN];
	size_t		 i, shown = 0;

	html_tpl(ctx->body, "<h2>{h}</h2>", "h", W(ctx, "Prochaines dates",
	    "Volgende data", "Nächste Termine", "Next dates"), (char *)NULL);
	snprintf(path, sizeof path, "/v1/agenda?days=%d", WC_SHOW_DAYS);
	if (web_api(ctx, "GET", path, NULL, &agenda) != 200) {
		web_error_box(ctx, agenda);
		json_decref(agenda);
		return;
	}
	html_raw(ctx->body, "<ol class=\"next-dates\">");
	json_array_foreach(agenda, i, o) {
		if (shown == WC_NEXT_DATES)
			break;
		if (json_integer_value(json_object_get(o, "event")) != id ||
		    (start = json_string_value(json_object_get(o, "start"))) ==
		    NULL)
			continue;
		html_tpl(ctx->body, "<li><time datetime=\"{t}\">{d}</time>"
		    "</li>", "t", start, "d", web_date(ctx, start, DATEFMT_LONG,
		    date, sizeof date), (char *)NULL);
		shown++;
	}
	html_raw(ctx->body, "</ol>");
	if (shown == 0)
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p>", "m", W(ctx,
		    "Aucune date dans les deux ans à venir", "Geen datum in de "
		    "komende twee jaar", "Kein Termin in den nächsten zwei "
		    "Jahren", "No date in the next two years"), (char *)NULL);
	json_decref(agenda);
}

/* One line of the event's description list, when value is set. */
static void
wc_fact(struct web_ctx *ctx, const char *label, const char *value)
{
	if (value != NULL && *value != '\0')
		html_tpl(ctx->body, "<dt>{l}</dt><dd>{v}</dd>", "l", label,
		    "v", value, (char *)NULL);
}

/* What the event is: when, how long, where, how it repeats. */
static void
wc_facts(struct web_ctx *ctx, const json_t *ev)
{
	const char	*rrule, *words;
	char		 date[WC_DATE_LEN], text[RECUR_WORDS_TEXT_LEN];

	rrule = json_string_value(json_object_get(ev, "rrule"));
	words = web_cal_rule_words(ctx, rrule, text, sizeof text);
	html_raw(ctx->body, "<div class=\"card\"><dl class=\"event\">");
	wc_fact(ctx, W(ctx, "Première date", "Eerste datum", "Erster Termin",
	    "First date"), web_date(ctx, json_string_value(json_object_get(ev,
	    "dtstart")), DATEFMT_LONG, date, sizeof date));
	wc_fact(ctx, W(ctx, "Durée", "Duur", "Dauer", "Duration"),
	    json_string_value(json_object_get(ev, "duration")));
	wc_fact(ctx, W(ctx, "Répétition", "Herhaling", "Wiederholung",
	    "Repeat"), words != NULL ? words : rrule);
	if (json_string_value(json_object_get(ev, "skip_holidays")) != NULL)
		wc_fact(ctx, W(ctx, "Jours fériés", "Feestdagen", "Feiertage",
		    "Holidays"), W(ctx, "pas les jours fériés ni les jours de "
		    "fermeture", "niet op feestdagen en sluitingsdagen",
		    "nicht an Feiertagen und Schließtagen", "not on public "
		    "holidays and closure days"));
	wc_fact(ctx, W(ctx, "Lieu", "Plaats", "Ort", "Place"),
	    json_string_value(json_object_get(ev, "location")));
	wc_fact(ctx, W(ctx, "Commune", "Gemeente", "Gemeinde", "Municipality"),
	    json_string_value(json_object_get(ev, "commune")));
	wc_fact(ctx, W(ctx, "Description", "Beschrijving", "Beschreibung",
	    "Description"), json_string_value(json_object_get(ev,
	    "description")));
	html_raw(ctx->body, "</dl></div>");
}

/*
 * Load event ctx->id into *ev; on failure the page is the error (404 for
 * no such event).  0 or -1.
 */
static int
wc_load(struct web_ctx *ctx, json_t **ev, char *path, size_t len)
{
	const char	*msg;
	int		 status;

	snprintf(path, len, "/v1/events/%lld", (long long)ctx->id);
	if ((status = web_api(ctx, "GET", path, NULL, ev)) == 200)
		return 0;
	msg = json_string_value(json_object_get(*ev, "error"));
	if (status == 404 || msg == NULL)
		msg = W(ctx, "Cet événement n'existe pas (ou plus).",
		    "Deze activiteit bestaat niet (meer).", "Diesen Termin "
		    "gibt es nicht (mehr).", "There is no such event (any "
		    "more).");
	web_fail(ctx, status == 404 ? 404 : web_cal_form_status(status), msg);
	json_decref(*ev);
	*ev = NULL;
	return -1;
}

/* An event's page: its facts, next dates, and the form for a coordinator
 * (f, with err or preview, when answering a post). */
static void
wc_show_page(struct web_ctx *ctx, const json_t *ev,
    const struct web_cal_form *f, const json_t *err, const json_t *preview)
{
	struct web_cal_form	 stored;
	char			 path[WC_PATH_LEN], back[WC_PATH_LEN];

	ctx->title = W(ctx, "Événement", "Activiteit", "Termin", "Event");
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", json_string_value(
	    json_object_get(ev, "title")), (char *)NULL);
	wc_month_of(json_string_value(json_object_get(ev, "dtstart")), back,
	    sizeof back);
	html_tpl(ctx->body, "<nav class=\"actions\"><a class=\"btn\" "
	    "href=\"{b}\">{l}</a></nav>", "b", back, "l", W(ctx,
	    "Voir le mois", "Naar de maand", "Zum Monat", "See the month"),
	    (char *)NULL);
	wc_facts(ctx, ev);
	wc_next_dates(ctx, ctx->id);
	if (ctx->user->role < WEB_ROLE_COORDINATOR)
		return;
	html_tpl(ctx->body, "<h2>{h}</h2>", "h", W(ctx, "Modifier",
	    "Wijzigen", "Ändern", "Edit"), (char *)NULL);
	if (preview != NULL)
		web_cal_preview_write(ctx, preview);
	snprintf(path, sizeof path, "/calendar/%lld", (long long)ctx->id);
	if (f != NULL) {
		web_cal_form_write(ctx, path, f, err);
		return;
	}
	web_cal_form_from_event(&stored, ev);
	web_cal_form_write(ctx, path, &stored, NULL);
	web_cal_form_clear(&stored);
}

void
web_cal_show(struct web_ctx *ctx)
{
	json_t	*ev = NULL;
	char	 path[WC_PATH_LEN];

	if (wc_load(ctx, &ev, path, sizeof path) == -1)
		return;
	wc_show_page(ctx, ev, NULL, NULL, NULL);
	json_decref(ev);
}

void
web_cal_edit(struct web_ctx *ctx)
{
	struct web_cal_form	 f;
	json_t			*ev = NULL, *body = NULL, *err = NULL;
	json_t			*reply = NULL;
	char			 path[WC_PATH_LEN], back[WC_PATH_LEN];
	int			 status;

	if (wc_load(ctx, &ev, path, sizeof path) == -1)
		return;
	if (web_cal_form_from_params(ctx, &f, &err) == -1) {
		ctx->status = 400;
		wc_show_page(ctx, ev, &f, err, NULL);
		goto out;
	}
	body = web_cal_form_body(&f);
	if (web_param(ctx, "preview") != NULL) {
		if (wc_preview(ctx, ev, body, &reply, &err) == 0)
			wc_show_page(ctx, ev, &f, NULL, reply);
		else
			wc_show_page(ctx, ev, &f, err, NULL);
		goto out;
	}
	if ((status = web_api(ctx, "PATCH", path, body, &reply)) == 200) {
		web_flash(ctx, W(ctx, "Événement enregistré",
		    "Activiteit opgeslagen", "Termin gespeichert",
		    "Event saved"));
		wc_month_of(f.dtstart, back, sizeof back);
		web_redirect(ctx, back);
		goto out;
	}
	ctx->status = web_cal_form_status(status);
	wc_show_page(ctx, ev, &f, reply, NULL);
out:
	json_decref(ev);
	json_decref(body);
	json_decref(err);
	json_decref(reply);
	web_cal_form_clear(&f);
}
