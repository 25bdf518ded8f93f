/*
 * web_report.c: the console's yearly report of an apartment (GET
 * /v1/shelters/NAME/report): its rate of occupation big, the same month by
 * month as a bar chart, what its alerts did and how long a claim took, and
 * the counts of the messages.  Every role reads it: it holds no name.
 *
 * The chart is inline SVG drawn in a viewBox, so that it scales to the
 * page's width (390 px on a phone); its colours are the style sheet's or
 * SVG presentation attributes, never a style attribute (the CSP forbids
 * them).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "config.h"
#include "datefmt.h"
#include "html.h"
#include "recur.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"
#include "web_int.h"
#include "web_shelter.h"

/* The chart's geometry, in viewBox units. */
#define WR_W		340	/* width */
#define WR_H		178	/* height */
#define WR_LEFT		42	/* room for the scale's labels */
#define WR_TOP		12	/* above 100 %: its label's top half */
#define WR_PLOT		140	/* height of 100 % */
#define WR_SLOT		24	/* width of a month */
#define WR_BAR		16	/* width of a bar */
#define WR_FONT		"12"	/* the labels' size: 10 px and more on a
				   phone */

/* x with one decimal as the page's language writes it: "83,5", "83.5". */
static const char *
wr_dec(const struct web_ctx *ctx, double x, char *buf, size_t len)
{
	char	*dot;

	snprintf(buf, len, "%.1f", x);
	if (ctx->lang != LANG_EN && (dot = strchr(buf, '.')) != NULL)
		*dot = ',';
	return buf;
}

/* A percentage of the API (null: none) in words: "83,5 %". */
static const char *
wr_pct(const struct web_ctx *ctx, const json_t *v, char *buf, size_t len)
{
	char	 n[32];

	if (!json_is_number(v))
		snprintf(buf, len, "%s", W(ctx, "pas de données",
		    "geen gegevens", "keine Daten", "no data"));
	else
		snprintf(buf, len, "%s %%", wr_dec(ctx, json_number_value(v), n,
		    sizeof n));
	return buf;
}

/* A time in seconds in words: "45 s", "4 min", "1 h 12 min", "2 j 3 h". */
static const char *
wr_duration(const struct web_ctx *ctx, const json_t *v, char *buf,
    size_t len)
{
	json_int_t	 t = json_integer_value(v);
	const char	*h = W(ctx, "h", "u", "Std.", "h");
	const char	*d = W(ctx, "j", "d", "T.", "d");

	if (!json_is_integer(v) || t < 0)
		snprintf(buf, len, "—");
	else if (t < 60)
		snprintf(buf, len, "%lld s", (long long)t);
	else if (t < 3600)
		snprintf(buf, len, "%lld min", (long long)(t / 60));
	else if (t < 86400)
		snprintf(buf, len, "%lld %s %lld min", (long long)(t / 3600), h,
		    (long long)(t / 60 % 60));
	else
		snprintf(buf, len, "%lld %s %lld %s", (long long)(t / 86400), d,
		    (long long)(t / 3600 % 24), h);
	return buf;
}

/* The local year now. */
static int64_t
wr_this_year(const struct web_ctx *ctx)
{
	struct recur_civil	 c;
	const struct tz		*zone;

	zone = tz_cached((*ctx->env->conf)->timezone, NULL);
	recur_secs_civil(ctx->now + (zone != NULL ? tz_offset_at(zone,
	    ctx->now) : 0), &c);
	return c.year;
}

/* A link to the report of shelter in year (0: this year). */
static void
wr_link(struct web_ctx *ctx, const char *shelter, int64_t year,
    const char *label, const char *cls)
{
	char	*esc = html_urlencode(shelter), *href;

	if (year > 0)
		xasprintf(&href, "/reports?shelter=%s&year=%lld", esc,
		    (long long)year);
	else
		xasprintf(&href, "/reports?shelter=%s", esc);
	html_tpl(ctx->body, "<a class=\"{c}\" href=\"{h}\">{l}</a> ", "c", cls,
	    "h", href, "l", label, (char *)NULL);
	free(esc);
	free(href);
}

/* The links to the reports of the shelters other than shown, when the
 * daemon has at least `least` shelters. */
static void
wr_shelters(struct web_ctx *ctx, const json_t *status, const char *shown,
    size_t least)
{
	json_t	*sh;
	size_t	 i;

	if (json_array_size(json_object_get(status, "shelters")) < least)
		return;
	html_raw(ctx->body, "<p class=\"actions\">");
	json_array_foreach(json_object_get(status, "shelters"), i, sh)
		if (web_str(sh, "name") != NULL && (shown == NULL ||
		    strcmp(web_str(sh, "name"), shown) != 0))
			wr_link(ctx, web_str(sh, "name"), 0, web_str(sh, "name"),
			    "btn");
	html_raw(ctx->body, "</p>");
}

/* The previous and next years' links around the year shown. */
static void
wr_years(struct web_ctx *ctx, const char *shelter, int64_t year)
{
	char	 label[32];

	html_raw(ctx->body, "<p class=\"actions\">");
	if (year > 2000) {
		snprintf(label, sizeof label, "← %lld", (long long)(year - 1));
		wr_link(ctx, shelter, year - 1, label, "btn");
	}
	if (year < wr_this_year(ctx)) {
		snprintf(label, sizeof label, "%lld →", (long long)(year + 1));
		wr_link(ctx, shelter, year + 1, label, "btn");
	}
	html_raw(ctx->body, "</p>");
}

/* The scale of the chart: lines and labels at 0, 50 and 100 %. */
static void
wr_scale(struct web_ctx *ctx)
{
	char	 y[16], ty[16], x1[16], x2[16], tx[16], lab[16];
	int	 p;

	snprintf(x1, sizeof x1, "%d", WR_LEFT);
	snprintf(x2, sizeof x2, "%d", WR_LEFT + 12 * WR_SLOT);
	snprintf(tx, sizeof tx, "%d", WR_LEFT - 4);
	for (p = 0; p <= 100; p += 50) {
		snprintf(y, sizeof y, "%d", WR_TOP + WR_PLOT - p * WR_PLOT /
		    100);
		snprintf(ty, sizeof ty, "%d", WR_TOP + WR_PLOT - p * WR_PLOT /
		    100 + 4);
		snprintf(lab, sizeof lab, "%d %%", p);
		html_tpl(ctx->body, "<line class=\"scale\" x1=\"{x1}\" "
		    "y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#999\" "
		    "stroke-width=\"0.5\"/><text x=\"{tx}\" y=\"{ty}\" "
		    "text-anchor=\"end\" font-size=\"{f}\">{l}</text>", "x1",
		    x1, "x2", x2, "y", y, "tx", tx, "ty", ty, "f", WR_FONT, "l",
		    lab,
		    (char *)NULL);
	}
}

/* Month m (1 to 12) of the chart: its bar, its title (the month and its
 * figure) and its initial under it. */
static void
wr_bar(struct web_ctx *ctx, int m, const json_t *month)
{
	const json_t	*occ = json_object_get(month, "occupancy");
	double		 v = json_is_number(occ) ? json_number_value(occ) : 0;
	char		 x[16], y[16], w[16], h[16], lx[16], ly[16], p[48];
	char		 title[96], initial[2];
	int		 bh;

	if (v < 0)
		v = 0;
	if (v > 100)
		v = 100;
	bh = (int)(v * WR_PLOT / 100.0 + 0.5);
	snprintf(x, sizeof x, "%d", WR_LEFT + (m - 1) * WR_SLOT +
	    (WR_SLOT - WR_BAR) / 2);
	snprintf(y, sizeof y, "%d", WR_TOP + WR_PLOT - bh);
	snprintf(w, sizeof w, "%d", WR_BAR);
	snprintf(h, sizeof h, "%d", bh);
	snprintf(lx, sizeof lx, "%d", WR_LEFT + (m - 1) * WR_SLOT +
	    WR_SLOT / 2);
	snprintf(ly, sizeof ly, "%d", WR_TOP + WR_PLOT + 18);
	/* the month's initial under its bar, its name in the bar's title */
	initial[0] = (char)toupper((unsigned char)*datefmt_month(ctx->lcode, m,
	    0));
	initial[1] = '\0';
	snprintf(title, sizeof title, "%s : %s", datefmt_month(ctx->lcode, m,
	    0), wr_pct(ctx, occ, p, sizeof p));
	html_tpl(ctx->body, "<rect class=\"bar\" x=\"{x}\" y=\"{y}\" "
	    "width=\"{w}\" height=\"{h}\" fill=\"#2b6cb0\"><title>{t}</title>"
	    "</rect><text x=\"{lx}\" y=\"{ly}\" text-anchor=\"middle\" "
	    "font-size=\"{f}\">{l}</text>", "x", x, "y", y, "w", w, "h", h,
	    "t", title, "lx", lx, "ly", ly, "f", WR_FONT, "l", initial,
	    (char *)NULL);
}

/* The bar chart of the 12 months' occupancy. */
static void
wr_chart(struct web_ctx *ctx, const json_t *r)
{
	const json_t	*months = json_object_get(r, "months");
	char		 box[32], label[128];
	int		 m;

	snprintf(box, sizeof box, "0 0 %d %d", WR_W, WR_H);
	snprintf(label, sizeof label, "%s %lld", W(ctx, "Taux d'occupation "
	    "par mois en", "Bezettingsgraad per maand in", "Belegungsquote "
	    "pro Monat im Jahr", "Occupancy by month in"), (long long)
	    json_integer_value(json_object_get(r, "year")));
	html_tpl(ctx->body, "<svg class=\"chart\" viewBox=\"{b}\" "
	    "role=\"img\" aria-label=\"{l}\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">", "b", box, "l", label,
	    (char *)NULL);
	wr_scale(ctx);
	for (m = 1; m <= 12; m++)
		wr_bar(ctx, m, json_array_get(months, (size_t)m - 1));
	html_raw(ctx->body, "</svg>");
}

/*
 * The last day of a period that ends at to: the day before when to is a
 * midnight (a past year ends at "2026-01-01T00:00:00", and people write
 * "du 1er janvier au 31 décembre"), else to's day; as "YYYY-MM-DD" in buf,
 * or to itself when it does not read as a time.
 */
static const char *
wr_last_day(const char *to, char *buf, size_t len)
{
	struct recur_civil	 c;
	char			*cause = NULL;

	if (to == NULL || strlen(to) < 19 || strncmp(to + 10, "T00:00:00",
	    9) != 0)
		return to;
	util_strlcpy(buf, to, len < 11 ? len : 11);
	if (recur_date_parse(buf, &c, &cause) == -1) {
		free(cause);
		return to;
	}
	recur_secs_civil(recur_civil_secs(&c) - 86400, &c);
	snprintf(buf, len, "%04d-%02d-%02d", c.year, c.month, c.day);
	return buf;
}

/*
 * The days in each state of the period observed.  The report counts them
 * to a tenth of a day: under that ("0,0 jours" in every row) the period
 * says "moins de deux heures" and the table, which would say nothing, is
 * left out.
 */
static void
wr_days(struct web_ctx *ctx, const json_t *r)
{
	static const char *const states[] = { "occupied", "vacant",
	    "reserved", "unavailable" };
	const json_t	*days = json_object_get(r, "days");
	double		 observed = json_number_value(json_object_get(r,
			    "days_observed"));
	const char	*f = web_str(r, "from"), *t = web_str(r, "to");
	char		 n[32], span[64], from[128], to[128], last[16];
	size_t		 i;

	if (observed < 0.1)
		snprintf(span, sizeof span, "%s", W(ctx, "moins de deux heures",
		    "minder dan twee uur", "weniger als zwei Stunden",
		    "less than two hours"));
	else
		snprintf(span, sizeof span, "%s %s", wr_dec(ctx, observed, n,
		    sizeof n), W(ctx, "jours", "dagen", "Tage", "days"));
	web_date(ctx, f, DATEFMT_DATE, from, sizeof from);
	web_date(ctx, wr_last_day(t, last, sizeof last), DATEFMT_DATE, to,
	    sizeof to);
	if (strcmp(from, to) == 0)
		html_tpl(ctx->body, "<p>{p} {f} ({s})</p>", "p", W(ctx,
		    "Période observée : le", "Waargenomen periode:",
		    "Beobachteter Zeitraum:", "Period observed:"), "f", from,
		    "s", span, (char *)NULL);
	else
		html_tpl(ctx->body, "<p>{p} {f} {a} {t} ({s})</p>", "p",
		    W(ctx, "Période observée : du", "Waargenomen periode: van",
		    "Beobachteter Zeitraum: vom", "Period observed: from"),
		    "f", from, "a", W(ctx, "au", "tot", "bis", "to"), "t", to,
		    "s", span, (char *)NULL);
	if (observed < 0.1)
		return;
	html_tpl(ctx->body, "<div class=\"table-wrap\"><table class=\"list\">"
	    "<thead><tr><th>{s}</th><th>{d}</th></tr></thead><tbody>", "s",
	    W(ctx, "État", "Toestand", "Zustand", "State"), "d", W(ctx,
	    "Jours", "Dagen", "Tage", "Days"), (char *)NULL);
	for (i = 0; i < sizeof states / sizeof states[0]; i++)
		html_tpl(ctx->body, "<tr><td>{s}</td><td>{n}</td></tr>", "s",
		    i == 0 ? W(ctx, "occupé", "bezet", "belegt", "occupied") :
		    i == 1 ? W(ctx, "libre", "vrij", "frei", "free") :
		    i == 2 ? W(ctx, "réservé", "gereserveerd", "reserviert",
		    "reserved") : W(ctx, "indisponible", "niet beschikbaar",
		    "nicht verfügbar", "unavailable"), "n", wr_dec(ctx,
		    json_number_value(json_object_get(days, states[i])), n,
		    sizeof n), (char *)NULL);
	html_raw(ctx->body, "</tbody></table></div>");
}

/* What the alerts did and how long a claim took. */
static void
wr_alerts(struct web_ctx *ctx, const json_t *r)
{
	char	 n[4][24], med[48], worst[48];
	int	 i;
	static const char *const keys[] = { "alerts", "claimed", "escalated",
	    "unanswered" };

	for (i = 0; i < 4; i++)
		snprintf(n[i], sizeof n[i], "%lld", (long long)
		    json_integer_value(json_object_get(r, keys[i])));
	html_tpl(ctx->body, "<section class=\"card\"><h2>{h}</h2><ul>"
	    "<li>{a} : {na}</li><li>{c} : {nc}</li><li>{e} : {ne}</li>"
	    "<li>{u} : {nu}</li></ul>", "h", W(ctx, "Alertes", "Alarmen",
	    "Alarme", "Alerts"), "a", W(ctx, "alertes", "alarmen", "Alarme",
	    "alerts"), "na", n[0], "c", W(ctx, "réservées", "gereserveerd",
	    "reserviert", "claimed"), "nc", n[1], "e", W(ctx, "escaladées",
	    "geëscaleerd", "eskaliert", "escalated"), "ne", n[2], "u", W(ctx,
	    "sans réponse", "zonder antwoord", "ohne Antwort", "unanswered"),
	    "nu", n[3], (char *)NULL);
	html_tpl(ctx->body, "<p>{t} : {m} {mv}, {w} {wv}</p></section>", "t",
	    W(ctx, "Temps de réponse", "Reactietijd", "Antwortzeit",
	    "Time to claim"), "m", W(ctx, "médian", "mediaan", "Median",
	    "median"), "mv", wr_duration(ctx, json_object_get(r,
	    "claim_median_s"), med, sizeof med), "w", W(ctx, "maximal",
	    "maximaal", "längste", "worst"), "wv", wr_duration(ctx,
	    json_object_get(r, "claim_worst_s"), worst, sizeof worst),
	    (char *)NULL);
}

/* The messages by status, from the status. */
static void
wr_outbox(struct web_ctx *ctx, const json_t *status)
{
	const json_t	*o = json_object_get(status, "outbox");
	static const char *const keys[] = { "pending", "sent", "failed",
	    "cancelled" };
	char		 n[4][24];
	int		 i;

	for (i = 0; i < 4; i++)
		snprintf(n[i], sizeof n[i], "%lld", (long long)
		    json_integer_value(json_object_get(o, keys[i])));
	html_tpl(ctx->body, "<section class=\"card\"><h2>{h}</h2><ul>"
	    "<li>{p} : {np}</li><li>{s} : {ns}</li><li>{f} : {nf}</li>"
	    "<li>{c} : {nc}</li></ul></section>", "h", W(ctx, "Messages",
	    "Berichten", "Nachrichten", "Messages"), "p", W(ctx,
	    "en attente", "wachtend", "wartend", "pending"), "np", n[0], "s",
	    W(ctx, "envoyés", "verzonden", "gesendet", "sent"), "ns", n[1],
	    "f", W(ctx, "en échec", "mislukt", "fehlgeschlagen", "failed"),
	    "nf", n[2], "c", W(ctx, "annulés", "geannuleerd", "abgebrochen",
	    "cancelled"), "nc", n[3], (char *)NULL);
}

/* The report r of the page. */
static void
wr_page(struct web_ctx *ctx, const json_t *r, const json_t *status)
{
	const char	*name = web_str(r, "shelter");
	char		 pct[48], year[24];

	snprintf(year, sizeof year, "%lld", (long long)json_integer_value(
	    json_object_get(r, "year")));
	html_tpl(ctx->body, "<h1>{t} — {n} {y}</h1>", "t", ctx->title, "n",
	    name, "y", year, (char *)NULL);
	wr_shelters(ctx, status, name, 2);
	wr_years(ctx, name, json_integer_value(json_object_get(r, "year")));
	html_raw(ctx->body, "<div class=\"grid\"><section class=\"card\">");
	html_tpl(ctx->body, "<p class=\"figure\">{p}</p><p class=\"muted\">"
	    "{l}</p>", "p", wr_pct(ctx, json_object_get(r, "occupancy"), pct,
	    sizeof pct), "l", W(ctx, "taux d'occupation de l'année",
	    "bezettingsgraad van het jaar", "Belegungsquote des Jahres",
	    "occupancy of the year"), (char *)NULL);
	/* a rate over a few hours says little: say so */
	if (json_is_number(json_object_get(r, "occupancy")) &&
	    json_number_value(json_object_get(r, "days_observed")) < 1)
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p>", "m", W(ctx,
		    "Mesuré sur moins d'un jour : à lire avec prudence.",
		    "Gemeten over minder dan een dag: met voorzichtigheid "
		    "lezen.", "Über weniger als einen Tag gemessen: mit "
		    "Vorsicht lesen.", "Measured over less than a day: read "
		    "with care."), (char *)NULL);
	wr_chart(ctx, r);
	if (json_is_number(json_object_get(r, "occupancy")))
		wr_days(ctx, r);
	else
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p>", "m", W(ctx,
		    "Pas de données : aucun historique du logement pour cette "
		    "année.", "Geen gegevens: geen geschiedenis van de woning "
		    "voor dit jaar.", "Keine Daten: kein Verlauf der Wohnung "
		    "für dieses Jahr.", "No data: no history of the apartment "
		    "for this year."), (char *)NULL);
	html_raw(ctx->body, "</section>");
	wr_alerts(ctx, r);
	wr_outbox(ctx, status);
	html_raw(ctx->body, "</div>");
}

/* A page that could not show a report: why (in an error box), and the
 * way to one that can. */
static void
wr_refused(struct web_ctx *ctx, int status, const char *why,
    const json_t *st, const char *shelter)
{
	json_t	*err = json_pack("{ss}", "error", why);

	ctx->status = status;
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", ctx->title, (char *)NULL);
	web_error_box(ctx, err);
	json_decref(err);
	if (shelter != NULL) {
		html_raw(ctx->body, "<p class=\"actions\">");
		wr_link(ctx, shelter, 0, W(ctx, "Rapport de cette année",
		    "Verslag van dit jaar", "Bericht dieses Jahres",
		    "This year's report"), "btn primary");
		html_raw(ctx->body, "</p>");
	} else
		wr_shelters(ctx, st, NULL, 1);
}

/* The report of shelter for year (NULL: this year) on the page. */
static void
wr_report(struct web_ctx *ctx, const json_t *status, const char *shelter,
    const char *year)
{
	json_t	*reply = NULL;
	char	*esc, *yesc, *path, why[512];
	int	 st;

	esc = html_urlencode(shelter);
	yesc = html_urlencode(year != NULL ? year : "");
	xasprintf(&path, "/v1/shelters/%s/report%s%s", esc, year != NULL ?
	    "?year=" : "", yesc);
	free(esc);
	free(yesc);
	st = web_api(ctx, "GET", path, NULL, &reply);
	free(path);
	if (st == 200)
		wr_page(ctx, reply, status);
	else if (st == 400 && year != NULL) {
		snprintf(why, sizeof why, "%s « %s ». %s", W(ctx, "Année "
		    "illisible :", "Onleesbaar jaar:", "Unlesbares Jahr:",
		    "Unreadable year:"), UTF8_CUT(year, 20), W(ctx,
		    "Écrivez-la en quatre chiffres, de 2000 à 2999 : 2026.",
		    "Schrijf het in vier cijfers, van 2000 tot 2999: 2026.",
		    "Schreiben Sie es mit vier Ziffern, von 2000 bis 2999: "
		    "2026.",
		    "Write it with four digits, from 2000 to 2999: 2026."));
		wr_refused(ctx, 400, why, status, shelter);
	} else if (st == 404 || st == 400) {
		snprintf(why, sizeof why, "%s « %s ». %s", W(ctx, "Aucun "
		    "logement ne s'appelle", "Geen woning heet", "Keine "
		    "Wohnung heißt", "No apartment is called"), UTF8_CUT(
		    shelter, 40), W(ctx, "Choisissez-en un ci-dessous.",
		    "Kies er hieronder een.", "Wählen Sie unten eine.",
		    "Pick one below."));
		wr_refused(ctx, 404, why, status, NULL);
	} else
		web_shelter_down(ctx, st);
	json_decref(reply);
}

void
web_report(struct web_ctx *ctx)
{
	json_t		*status = NULL;
	const char	*shelter = web_param(ctx, "shelter"), *year;
	int		 st;

	ctx->title = W(ctx, "Rapport annuel", "Jaarverslag", "Jahresbericht",
	    "Yearly report");
	if ((st = web_api(ctx, "GET", "/v1/status", NULL, &status)) != 200) {
		json_decref(status);
		web_shelter_down(ctx, st);
		return;
	}
	if (shelter == NULL || *shelter == '\0')
		shelter = web_str(json_array_get(json_object_get(status,
		    "shelters"), 0), "name");
	if (shelter == NULL) {
		html_tpl(ctx->body, "<h1>{t}</h1><p class=\"muted\">{m}</p>",
		    "t", ctx->title, "m", W(ctx, "Aucun logement n'est "
		    "configuré ([shelter.NOM] dans stoppvif.ini).",
		    "Geen woning ingesteld ([shelter.NAAM] in stoppvif.ini).",
		    "Keine Wohnung eingerichtet ([shelter.NAME] in "
		    "stoppvif.ini).", "No apartment is configured "
		    "([shelter.NAME] in stoppvif.ini)."), (char *)NULL);
		json_decref(status);
		return;
	}
	year = web_param(ctx, "year");
	wr_report(ctx, status, shelter, year != NULL && *year != '\0' ? year :
	    NULL);
	json_decref(status);
}
