/*
 * web_rota.c: the console's page of the on-call rota (coordinator): one
 * ISO week ("/rota?week=2027-W02", the current one by default), a row per
 * day with who is on call, the week's slots with a button that removes
 * each, and the form that assigns a slot to a person of the oncall role.
 *
 * Times are local times of the daemon's zone, as the API takes and gives
 * them; the week asks the API for the slots overlapping it
 * (GET /v1/oncall?from=&to=).  A refusal of the API is shown under the
 * field it names, in the API's words.
 */
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

#define WR_YEAR_MIN	1971
#define WR_YEAR_MAX	9998

/* An ISO week: its year and number, and the day number (tz.h) of its
 * Monday. */
struct wr_week {
	int64_t	 year;
	int	 week;
	int64_t	 monday;
};

/* The ISO week holding day number days. */
static void
wr_week_of(int64_t days, struct wr_week *w)
{
	int64_t	 thursday, y;
	int	 m, d;

	/* 1970-01-01 was a Thursday: day 0 has weekday 3 (Monday 0) */
	w->monday = days - (((days + 3) % 7) + 7) % 7;
	thursday = w->monday + 3;
	tz_civil_from_days(thursday, &y, &m, &d);
	w->year = y;
	w->week = (int)((thursday - tz_days_from_civil(y, 1, 1)) / 7) + 1;
}

/*
 * Parse "YYYY-Www" (also "YYYY-Ww" and a lower-case w) into *w: 0, or -1
 * when it is no week (2027-W99, 2026-W53 when 2026 has 52).
 */
static int
wr_week_parse(const char *s, struct wr_week *w)
{
	long long	 year;
	int64_t		 jan4;
	int		 week, n = 0;
	char		 wc;

	if (s == NULL || strlen(s) > 8 || sscanf(s, "%4lld-%c%2d%n",
	    &year, &wc, &week, &n) != 3 || s[n] != '\0' ||
	    (wc != 'W' && wc != 'w') || year < WR_YEAR_MIN ||
	    year > WR_YEAR_MAX || week < 1 || week > 53)
		return -1;
	/* 4 January is always in week 1 */
	jan4 = tz_days_from_civil(year, 1, 4);
	wr_week_of(jan4 + 7 * (int64_t)(week - 1), w);
	return w->year == year && w->week == week ? 0 : -1;
}

/* "2027-W02" of w into buf. */
static const char *
wr_week_text(const struct wr_week *w, char *buf, size_t len)
{
	snprintf(buf, len, "%04lld-W%02d", (long long)w->year, w->week);
	return buf;
}

/* "2027-01-04" (or with "T08:00") of day number days into buf. */
static const char *
wr_day_text(int64_t days, const char *time, char *buf, size_t len)
{
	int64_t	 y;
	int	 m, d;

	tz_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02d-%02d%s%s", (long long)y, m, d,
	    time != NULL ? "T" : "", time != NULL ? time : "");
	return buf;
}

/* Today's day number in the daemon's zone. */
static int64_t
wr_today(const struct web_ctx *ctx)
{
	const struct tz	*zone;
	int64_t		 local = ctx->now;

	if (ctx->env != NULL && (zone = tz_cached((*ctx->env->conf)->timezone,
	    NULL)) != NULL)
		local += tz_offset_at(zone, ctx->now);
	return (local - (((local % 86400) + 86400) % 86400)) / 86400;
}

/* The local time of an API time ("2027-01-04T08:00:00+01:00") in
 * zone-less seconds, or -1 when unreadable. */
static int64_t
wr_local_secs(const char *t)
{
	struct recur_civil	 c;
	char			 civil[20], *cause = NULL;

	if (t == NULL || strlen(t) < 19)
		return -1;
	util_strlcpy(civil, t, sizeof civil);
	if (recur_civil_parse(civil, &c, &cause) == -1) {
		free(cause);
		return -1;
	}
	return recur_civil_secs(&c);
}

/* The week a local time "YYYY-MM-DDTHH:MM" falls in; -1 if unreadable. */
static int
wr_week_of_local(const char *s, struct wr_week *w)
{
	struct recur_civil	 c;
	char			*cause = NULL;

	if (s == NULL || recur_civil_parse(s, &c, &cause) == -1) {
		free(cause);
		return -1;
	}
	wr_week_of(tz_days_from_civil(c.year, c.month, c.day), w);
	return 0;
}

/* "lun. 4 janv. 2027 08:00 → lun. 11 janv. 2027 08:00" of slot s. */
static void
wr_span(struct web_ctx *ctx, const json_t *s)
{
	char	 a[DATEFMT_LEN], b[DATEFMT_LEN];

	html_tpl(ctx->body, "{a} → {b}", "a", web_date(ctx, web_str(s, "from"),
	    DATEFMT_SHORT, a, sizeof a), "b", web_date(ctx, web_str(s, "to"),
	    DATEFMT_SHORT, b, sizeof b), (char *)NULL);
}

/* The week's table: a row per day, Monday first, with the slots that
 * overlap it. */
static void
wr_table(struct web_ctx *ctx, const struct wr_week *w, const json_t *slots)
{
	const json_t	*s;
	char		 day[16], label[DATEFMT_LEN];
	int64_t		 d, start, today = wr_today(ctx);
	size_t		 i, n;

	html_tpl(ctx->body, "<div class=\"table-wrap\">"
	    "<table class=\"week rota\"><thead><tr><th scope=\"col\">{d}</th>"
	    "<th scope=\"col\">{o}</th></tr></thead><tbody>",
	    "d", W(ctx, "Jour", "Dag", "Tag", "Day"),
	    "o", W(ctx, "De garde", "Van wacht", "Bereitschaft", "On call"),
	    (char *)NULL);
	for (d = w->monday; d < w->monday + 7; d++) {
		wr_day_text(d, NULL, day, sizeof day);
		html_tpl(ctx->body, "<tr><th scope=\"row\"{!c}>{l}</th>"
		    "<td{!c}>", "c", d == today ? " class=\"today\"" : "",
		    "l", web_date(ctx, day, DATEFMT_DATE, label, sizeof label),
		    (char *)NULL);
		start = d * 86400;
		n = 0;
		json_array_foreach(slots, i, s) {
			if (wr_local_secs(web_str(s, "from")) >= start + 86400 ||
			    wr_local_secs(web_str(s, "to")) <= start)
				continue;
			html_tpl(ctx->body, "<div class=\"occ\"><strong>{n}"
			    "</strong> <span class=\"muted\">", "n",
			    web_str(s, "name"), (char *)NULL);
			wr_span(ctx, s);
			html_raw(ctx->body, "</span></div>");
			n++;
		}
		if (n == 0)
			html_tpl(ctx->body, "<span class=\"bad\">{t}</span>",
			    "t", W(ctx, "Personne n'est de garde", "Niemand van "
			    "wacht", "Niemand in Bereitschaft", "Nobody on "
			    "call"), (char *)NULL);
		html_raw(ctx->body, "</td></tr>");
	}
	html_raw(ctx->body, "</tbody></table></div>");
}

/* The week's slots, each with the button that removes it. */
static void
wr_slots(struct web_ctx *ctx, const struct wr_week *w, const json_t *slots)
{
	const json_t	*s;
	char		 wk[16], action[80];
	size_t		 i;

	if (json_array_size(slots) == 0)
		return;
	wr_week_text(w, wk, sizeof wk);
	html_tpl(ctx->body, "<section class=\"card\"><h2>{t}</h2>"
	    "<ul class=\"slots\">", "t", W(ctx, "Gardes de la semaine",
	    "Wachtdiensten van de week", "Bereitschaften der Woche",
	    "This week's slots"), (char *)NULL);
	json_array_foreach(slots, i, s) {
		html_tpl(ctx->body, "<li><strong>{n}</strong> "
		    "<span class=\"muted\">", "n", web_str(s, "name"),
		    (char *)NULL);
		wr_span(ctx, s);
		snprintf(action, sizeof action, "/rota/%lld/remove?week=%s",
		    (long long)json_integer_value(json_object_get(s, "id")),
		    wk);
		html_raw(ctx->body, "</span>");
		web_form_begin(ctx, action);
		html_tpl(ctx->body, "<button class=\"btn danger\" "
		    "type=\"submit\">{r}</button>", "r", W(ctx, "Retirer",
		    "Verwijderen", "Entfernen", "Remove"), (char *)NULL);
		web_form_end(ctx);
		html_raw(ctx->body, "</li>");
	}
	html_raw(ctx->body, "</ul></section>");
}

/* The select of the people of the oncall role; err the API's refusal. */
static void
wr_person_input(struct web_ctx *ctx, const json_t *people, const char *cur,
    const json_t *err)
{
	const json_t	*p;
	const char	*f = web_str(err, "field"), *msg = NULL;
	char		 id[24];
	size_t		 i;

	if (f != NULL && strcmp(f, "person") == 0)
		msg = web_str(err, "error");
	html_tpl(ctx->body, "<div class=\"field\"><label for=\"f-person\">{l} "
	    "<span class=\"muted\" aria-hidden=\"true\">*</span></label>"
	    "<select id=\"f-person\" name=\"person\" required{!inv}>"
	    "<option value=\"\">{c}</option>",
	    "l", W(ctx, "Personne de garde", "Persoon van wacht",
	    "Person in Bereitschaft", "Person on call"),
	    "inv", msg != NULL ? " aria-invalid=\"true\" aria-describedby=\""
	    "e-person\"" : "",
	    "c", W(ctx, "— choisir —", "— kiezen —", "— wählen —",
	    "— choose —"), (char *)NULL);
	json_array_foreach(people, i, p) {
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(
		    json_object_get(p, "id")));
		html_tpl(ctx->body, "<option value=\"{id}\"{!s}>{n}</option>",
		    "id", id, "s", cur != NULL && strcmp(cur, id) == 0 ?
		    " selected" : "", "n", web_str(p, "name"), (char *)NULL);
	}
	html_raw(ctx->body, "</select>");
	if (json_array_size(people) == 0)
		html_tpl(ctx->body, "<span class=\"hint\">{h} <a href=\"/people"
		    "\">{p}</a></span>", "h", W(ctx, "Personne n'a le rôle "
		    "« de garde » : donnez-le dans", "Niemand heeft de rol "
		    "\"wachtdienst\": geef die in", "Niemand hat die Rolle "
		    "„Bereitschaft“: vergeben Sie sie unter", "Nobody has the "
		    "\"on call\" role: give it in"), "p", W(ctx, "Personnes",
		    "Personen", "Personen", "People"), (char *)NULL);
	if (msg != NULL)
		html_tpl(ctx->body, "<p class=\"error\" id=\"e-person\">"
		    "{m}</p>", "m", msg, (char *)NULL);
	html_raw(ctx->body, "</div>");
}

/*
 * The form that assigns a slot, for week w: the values typed (NULL: a
 * week from Monday 08:00), err the API's refusal or NULL.
 */
static void
wr_form(struct web_ctx *ctx, const struct wr_week *w, const json_t *err)
{
	struct web_input	 in;
	json_t			*people = NULL;
	const char		*from = web_param(ctx, "from");
	const char		*to = web_param(ctx, "to");
	const char		*f = web_str(err, "field");
	char			 wk[16], action[40], a[24], b[24];

	if (web_api(ctx, "GET", "/v1/people?role=oncall", NULL, &people) !=
	    200 || !json_is_array(people)) {
		json_decref(people);
		people = json_array();
	}
	snprintf(action, sizeof action, "/rota?week=%s",
	    wr_week_text(w, wk, sizeof wk));
	html_tpl(ctx->body, "<section class=\"card\"><h2>{t}</h2>", "t",
	    W(ctx, "Ajouter une garde", "Wachtdienst toevoegen",
	    "Bereitschaft hinzufügen", "Add a slot"), (char *)NULL);
	if (err != NULL && (f == NULL || (strcmp(f, "person") != 0 &&
	    strcmp(f, "from") != 0 && strcmp(f, "to") != 0)))
		web_error_box(ctx, err);
	web_form_begin(ctx, action);
	wr_person_input(ctx, people, web_param(ctx, "person"), err);
	memset(&in, 0, sizeof in);
	in.name = "from";
	in.type = "datetime-local";
	in.label = W(ctx, "Du", "Van", "Von", "From");
	in.value = from != NULL ? from : wr_day_text(w->monday, "08:00", a,
	    sizeof a);
	in.required = 1;
	web_input(ctx, &in, err);
	in.name = "to";
	in.label = W(ctx, "Au (non compris)", "Tot (niet inbegrepen)",
	    "Bis (ausschließlich)", "To (excluded)");
	in.value = to != NULL ? to : wr_day_text(w->monday + 7, "08:00", b,
	    sizeof b);
	web_input(ctx, &in, err);
	html_tpl(ctx->body, "<p class=\"actions\"><button class=\"btn primary\""
	    " type=\"submit\">{b}</button></p>", "b", W(ctx, "Ajouter",
	    "Toevoegen", "Hinzufügen", "Add"), (char *)NULL);
	web_form_end(ctx);
	html_raw(ctx->body, "</section>");
	json_decref(people);
}

/* The box saying that week bad could not be read. */
static void
wr_bad_week(struct web_ctx *ctx, const char *bad)
{
	html_tpl(ctx->body, "<div class=\"error-box\" role=\"alert\">"
	    "<p>{m} « {w} » : {h}</p></div>",
	    "m", W(ctx, "Semaine illisible", "Onleesbare week",
	    "Unlesbare Woche", "Unreadable week"),
	    "w", UTF8_CUT(bad, 32),
	    "h", W(ctx, "une semaine s'écrit AAAA-Wnn, par exemple 2027-W02 ; "
	    "voici la semaine en cours.", "een week schrijft men JJJJ-Wnn, "
	    "bijvoorbeeld 2027-W02; hier is de huidige week.", "eine Woche "
	    "schreibt sich JJJJ-Wnn, zum Beispiel 2027-W02; hier ist die "
	    "aktuelle Woche.", "a week is written YYYY-Wnn, for example "
	    "2027-W02; here is the current week."), (char *)NULL);
}

/*
 * The page of week w: err the API's refusal of an assignment, or NULL;
 * bad the week asked when it could not be read.
 */
static void
wr_page(struct web_ctx *ctx, const struct wr_week *w, const json_t *err,
    const char *bad)
{
	struct wr_week	 prev, next;
	json_t		*slots = NULL;
	char		 path[96], a[24], b[24], pw[16], nw[16];
	char		 first[DATEFMT_LEN];
	int		 status;

	ctx->title = W(ctx, "Permanences", "Permanenties", "Bereitschaft",
	    "On-call rota");
	wr_week_of(w->monday - 7, &prev);
	wr_week_of(w->monday + 7, &next);
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", ctx->title, (char *)NULL);
	if (bad != NULL)
		wr_bad_week(ctx, bad);
	html_tpl(ctx->body, "<p class=\"actions\"><a class=\"btn\" "
	    "href=\"/rota?week={pw}\">← {p}</a> <strong>{s} {f}</strong> "
	    "<a class=\"btn\" href=\"/rota?week={nw}\">{x} →</a></p>",
	    "pw", wr_week_text(&prev, pw, sizeof pw),
	    "p", W(ctx, "Semaine précédente", "Vorige week", "Vorige Woche",
	    "Previous week"),
	    "s", W(ctx, "Semaine du", "Week van", "Woche vom", "Week of"),
	    "f", web_date(ctx, wr_day_text(w->monday, NULL, a, sizeof a),
	    DATEFMT_DATE, first, sizeof first),
	    "nw", wr_week_text(&next, nw, sizeof nw),
	    "x", W(ctx, "Semaine suivante", "Volgende week", "Nächste Woche",
	    "Next week"), (char *)NULL);
	snprintf(path, sizeof path, "/v1/oncall?from=%s&to=%s",
	    wr_day_text(w->monday, "00:00", a, sizeof a),
	    wr_day_text(w->monday + 7, "00:00", b, sizeof b));
	if ((status = web_api(ctx, "GET", path, NULL, &slots)) != 200 ||
	    !json_is_array(slots)) {
		web_error_box(ctx, slots);
		json_decref(slots);
		slots = json_array();
	}
	wr_table(ctx, w, slots);
	html_raw(ctx->body, "<div class=\"grid\">");
	wr_form(ctx, w, err);
	wr_slots(ctx, w, slots);
	html_raw(ctx->body, "</div>");
	json_decref(slots);
}

/* The week of ?week=, or the current one; *bad the text when it is no
 * week (the current one is then given). */
static void
wr_week_asked(struct web_ctx *ctx, struct wr_week *w, const char **bad)
{
	const char	*s = web_query(ctx, "week");

	*bad = NULL;
	if (s != NULL && *s != '\0' && wr_week_parse(s, w) == 0)
		return;
	if (s != NULL && *s != '\0')
		*bad = s;
	wr_week_of(wr_today(ctx), w);
}

void
web_rota_week(struct web_ctx *ctx)
{
	struct wr_week	 w;
	const char	*bad;

	wr_week_asked(ctx, &w, &bad);
	if (bad != NULL)
		ctx->status = 400;
	wr_page(ctx, &w, NULL, bad);
}

void
web_rota_assign(struct web_ctx *ctx)
{
	struct wr_week	 w;
	json_t		*body = json_object(), *reply = NULL;
	const char	*person = web_param(ctx, "person"), *bad;
	const char	*from = web_param(ctx, "from");
	const char	*to = web_param(ctx, "to");
	char		 loc[40], wk[16];
	int64_t		 id;
	int		 status;

	if (person != NULL && util_parse_int(person, 1, INT64_MAX, &id) == 0)
		json_object_set_new(body, "person", json_integer(id));
	else if (person != NULL && *person != '\0')
		json_object_set_new(body, "person", json_string(person));
	if (from != NULL && *from != '\0')
		json_object_set_new(body, "from", json_string(from));
	if (to != NULL && *to != '\0')
		json_object_set_new(body, "to", json_string(to));
	status = web_api(ctx, "POST", "/v1/oncall", body, &reply);
	if (status == 200 || status == 201) {
		if (wr_week_of_local(from, &w) == -1)
			wr_week_asked(ctx, &w, &bad);
		snprintf(loc, sizeof loc, "/rota?week=%s",
		    wr_week_text(&w, wk, sizeof wk));
		web_flash(ctx, W(ctx, "Garde ajoutée", "Wachtdienst toegevoegd",
		    "Bereitschaft hinzugefügt", "Slot added"));
		web_redirect(ctx, loc);
	} else {
		ctx->status = status >= 500 ? status : 400;
		wr_week_asked(ctx, &w, &bad);
		wr_page(ctx, &w, reply, NULL);
	}
	json_decref(reply);
	json_decref(body);
}

void
web_rota_remove(struct web_ctx *ctx)
{
	struct wr_week	 w;
	json_t		*reply = NULL;
	const char	*bad;
	char		 path[48], loc[40], wk[16];
	int		 status;

	snprintf(path, sizeof path, "/v1/oncall/%lld", (long long)ctx->id);
	status = web_api(ctx, "DELETE", path, NULL, &reply);
	if (status != 200) {
		web_fail(ctx, status >= 400 ? status : 500,
		    web_str(reply, "error") != NULL ? web_str(reply, "error") :
		    W(ctx, "Le service n'a pas répondu.", "De dienst "
		    "antwoordde niet.", "Der Dienst hat nicht geantwortet.",
		    "The service did not answer."));
		json_decref(reply);
		return;
	}
	wr_week_asked(ctx, &w, &bad);
	snprintf(loc, sizeof loc, "/rota?week=%s",
	    wr_week_text(&w, wk, sizeof wk));
	web_flash(ctx, W(ctx, "Garde retirée", "Wachtdienst verwijderd",
	    "Bereitschaft entfernt", "Slot removed"));
	web_redirect(ctx, loc);
	json_decref(reply);
}
