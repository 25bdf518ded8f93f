/*
 * web_cal_form.c: the event form of the console, with its recurrence
 * chooser in plain words.
 *
 * The inputs carry the API's JSON field names (title, dtstart, duration,
 * rrule...), so that a refusal of POST /v1/events is shown under the input
 * it names, in the words the CLI uses.  The chooser's own inputs (freq,
 * interval, byday, monthly, nth, weekday, mday, skip_month, end, until,
 * count) make a struct recur_words, whose RRULE is sent as "rrule"; a rule
 * typed in the advanced field is sent instead, as it is.  The chooser's
 * parts are shown or hidden by frequency with data-show attributes (cal.js
 * does it when scripts run; without them every part is shown and works).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar.h"
#include "chan.h"
#include "datefmt.h"
#include "html.h"
#include "recur.h"
#include "recur_words.h"
#include "util.h"
#include "web_cal.h"
#include "web_int.h"

#define WCF_LIST_LEN	1024	/* bytes of a list joined for an input */
#define WCF_DATE_LEN	128

static const char *const wcf_freqs[] = { "once", "daily", "weekly",
	"monthly", "yearly" };
static const char *const wcf_modes[] = { "start", "nth", "mday" };
static const char *const wcf_ends[] = { "never", "until", "count" };
static const char *const wcf_wdays[] = { "MO", "TU", "WE", "TH", "FR",
	"SA", "SU" };

/* The index of s in names (n of them), or -1. */
static int
wcf_index(const char *const *names, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

void
web_cal_form_defaults(struct web_cal_form *f)
{
	memset(f, 0, sizeof *f);
	f->kind = "other";
	f->duration = "1h";
	f->channels = CHAN_BIT(CHAN_EMAIL);
	recur_words_init(&f->w);
}

void
web_cal_form_clear(struct web_cal_form *f)
{
	size_t	 i;

	for (i = 0; i < sizeof f->own / sizeof f->own[0]; i++)
		free(f->own[i]);
	memset(f, 0, sizeof *f);
}

/* The strings of JSON array a joined with ", " (new string). */
static char *
wcf_join(const json_t *a)
{
	char		 buf[WCF_LIST_LEN] = "";
	const json_t	*v;
	size_t		 i;

	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			continue;
		if (*buf != '\0')
			util_strlcat(buf, ", ", sizeof buf);
		util_strlcat(buf, json_string_value(v), sizeof buf);
	}
	return xstrdup(buf);
}

void
web_cal_form_from_event(struct web_cal_form *f, const json_t *ev)
{
	const json_t	*v;
	const char	*rrule = web_str(ev, "rrule");
	size_t		 i;
	int		 c;

	web_cal_form_defaults(f);
	f->title = web_str(ev, "title");
	f->kind = web_str(ev, "kind");
	f->dtstart = web_str(ev, "dtstart");
	f->duration = web_str(ev, "duration");
	f->location = web_str(ev, "location");
	f->commune = web_str(ev, "commune");
	f->description = web_str(ev, "description");
	f->remind = f->own[0] = wcf_join(json_object_get(ev, "remind"));
	f->audience = f->own[1] = wcf_join(json_object_get(ev, "audience"));
	f->skip_holidays = web_str(ev, "skip_holidays") != NULL;
	f->channels = 0;
	json_array_foreach(json_object_get(ev, "channels"), i, v)
		if ((c = chan_parse(json_string_value(v))) != -1)
			f->channels |= CHAN_BIT(c);
	/* a rule the chooser cannot show stays as it is, in the advanced
	 * field */
	if (recur_words_parse(rrule, &f->w) == -1)
		f->rrule = rrule;
}

/* An error of the form, shaped as the API's (new reference). */
static json_t *
wcf_error(const char *field, const char *message)
{
	return json_pack("{ss ss}", "error", message, "field", field);
}

/* An integer parameter in [lo, hi]; blank gives def.  0 or -1. */
static int
wcf_int(struct web_ctx *ctx, const char *name, int lo, int hi, int def,
    int *out)
{
	const char	*s = web_param(ctx, name);
	int64_t		 v;

	if (s == NULL || *s == '\0') {
		*out = def;
		return 0;
	}
	if (util_parse_int(s, lo, hi, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* The checkboxes byday and skip_month into the chooser. */
static void
wcf_sets(struct web_ctx *ctx, struct recur_words *w)
{
	const char	*s;
	int64_t		 m;
	size_t		 i;
	int		 d;

	for (i = 0; i < 7 && (s = web_param_n(ctx, "byday", i)) != NULL; i++)
		if ((d = wcf_index(wcf_wdays, 7, s)) != -1)
			w->days |= 1u << d;
	for (i = 0; i < 12 && (s = web_param_n(ctx, "skip_month", i)) !=
	    NULL; i++)
		if (util_parse_int(s, 1, 12, &m) == 0)
			w->skip |= 1u << m;
}

/* The end of the chooser: never, until a date, a count.  0 or -1 with
 * *field set. */
static int
wcf_end(struct web_ctx *ctx, struct recur_words *w, const char **field)
{
	struct recur_civil	 c;
	const char		*s;
	char			*cause = NULL;

	w->end = wcf_index(wcf_ends, 3, web_param(ctx, "end"));
	if (w->end == -1)
		w->end = RW_END_NEVER;
	if (w->end == RW_END_COUNT && wcf_int(ctx, "count", 1,
	    RW_MAX_COUNT, 0, &w->count) == -1) {
		*field = "count";
		return -1;
	}
	if (w->end == RW_END_COUNT && w->count == 0) {
		*field = "count";
		return -1;
	}
	if (w->end != RW_END_UNTIL)
		return 0;
	s = web_param(ctx, "until");
	if (s == NULL || strlen(s) != 10 || recur_date_parse(s, &c,
	    &cause) == -1) {
		free(cause);
		*field = "until";
		return -1;
	}
	w->until_year = c.year;
	w->until_month = c.month;
	w->until_day = c.day;
	return 0;
}

/* What to tell of the chooser's input field. */
static const char *
wcf_field_message(struct web_ctx *ctx, const char *field)
{
	if (strcmp(field, "interval") == 0)
		return W(ctx, "Un nombre de 1 à 99, par ex. 3 pour « tous les "
		    "3 mois »", "Een getal van 1 tot 99, bv. 3 voor « om de 3 "
		    "maanden »", "Eine Zahl von 1 bis 99, z. B. 3 für „alle 3 "
		    "Monate“", "A number from 1 to 99, e.g. 3 for “every 3 "
		    "months”");
	if (strcmp(field, "mday") == 0)
		return W(ctx, "Un jour du mois de 1 à 31", "Een dag van de "
		    "maand van 1 tot 31", "Ein Tag des Monats von 1 bis 31",
		    "A day of the month from 1 to 31");
	if (strcmp(field, "count") == 0)
		return W(ctx, "Un nombre de fois de 1 à 999", "Een aantal keer "
		    "van 1 tot 999", "Eine Anzahl von 1 bis 999", "A number of "
		    "times from 1 to 999");
	if (strcmp(field, "until") == 0)
		return W(ctx, "Une date qui existe, par ex. 2027-06-30",
		    "Een bestaande datum, bv. 2027-06-30", "Ein gültiges "
		    "Datum, z. B. 2027-06-30", "A date that exists, e.g. "
		    "2027-06-30");
	if (strcmp(field, "skip_month") == 0)
		return W(ctx, "Tous les mois sont exclus : gardez-en au moins "
		    "un", "Alle maanden zijn uitgesloten: houd er minstens één",
		    "Alle Monate sind ausgeschlossen: behalten Sie mindestens "
		    "einen", "Every month is left out: keep at least one");
	return W(ctx, "Choix invalide : choisissez dans la liste",
	    "Ongeldige keuze: kies uit de lijst", "Ungültige Auswahl: "
	    "wählen Sie aus der Liste", "Invalid choice: pick one from the "
	    "list");
}

/* The chooser from the request; 0 or -1 with *field set. */
static int
wcf_chooser(struct web_ctx *ctx, struct recur_words *w, const char **field)
{
	const char	*s;
	int64_t		 v;

	recur_words_init(w);
	*field = "freq";
	if ((w->freq = wcf_index(wcf_freqs, 5, web_param(ctx, "freq"))) ==
	    -1) {
		w->freq = RW_ONCE;
		return web_param(ctx, "freq") == NULL ? 0 : -1;
	}
	if (w->freq == RW_ONCE)
		return 0;
	*field = "interval";
	if (wcf_int(ctx, "interval", 1, RW_MAX_INTERVAL, 1, &w->interval) ==
	    -1)
		return -1;
	wcf_sets(ctx, w);
	if (w->freq == RW_YEARLY)
		w->skip = 0;
	if (w->freq != RW_WEEKLY)
		w->days = 0;
	*field = "skip_month";
	if (w->skip == 0x1ffeu)
		return -1;
	if (w->freq == RW_MONTHLY) {
		*field = "monthly";
		if ((w->mode = wcf_index(wcf_modes, 3, web_param(ctx,
		    "monthly"))) == -1)
			w->mode = RW_MONTH_START;
		s = web_param(ctx, "nth");
		if (w->mode == RW_MONTH_NTH && (s == NULL ||
		    util_parse_int(s, -1, 4, &v) == -1 || v == 0 ||
		    (w->weekday = wcf_index(wcf_wdays, 7, web_param(ctx,
		    "weekday"))) == -1))
			return -1;
		if (w->mode == RW_MONTH_NTH)
			w->nth = (int)v;
		*field = "mday";
		if (w->mode == RW_MONTH_DAY && (wcf_int(ctx, "mday", 1, 31, 0,
		    &w->mday) == -1 || w->mday == 0))
			return -1;
	}
	if (wcf_end(ctx, w, field) == -1)
		return -1;
	return recur_words_check(w, field);
}

/* A text parameter, "" when absent or unreadable. */
static const char *
wcf_param(struct web_ctx *ctx, const char *name)
{
	const char	*s = web_param(ctx, name);

	return s != NULL ? s : "";
}

int
web_cal_form_from_params(struct web_ctx *ctx, struct web_cal_form *f,
    json_t **err)
{
	const char	*field, *s;
	size_t		 i;
	int		 c;

	web_cal_form_defaults(f);
	*err = NULL;
	f->title = wcf_param(ctx, "title");
	f->kind = wcf_param(ctx, "kind");
	f->dtstart = wcf_param(ctx, "dtstart");
	f->duration = wcf_param(ctx, "duration");
	f->location = wcf_param(ctx, "location");
	f->commune = wcf_param(ctx, "commune");
	f->description = wcf_param(ctx, "description");
	f->remind = wcf_param(ctx, "remind");
	f->audience = wcf_param(ctx, "audience");
	f->rrule = wcf_param(ctx, "rrule");
	f->skip_holidays = web_param(ctx, "skip_holidays") != NULL;
	f->interval = web_param(ctx, "interval");
	f->mday = web_param(ctx, "mday");
	f->until = web_param(ctx, "until");
	f->count = web_param(ctx, "count");
	f->channels = 0;
	for (i = 0; i < CHAN_COUNT && (s = web_param_n(ctx, "channels", i)) !=
	    NULL; i++)
		if ((c = chan_parse(s)) != -1)
			f->channels |= CHAN_BIT(c);
	if (wcf_chooser(ctx, &f->w, &field) == -1) {
		*err = wcf_error(field, wcf_field_message(ctx, field));
		return -1;
	}
	return 0;
}

/* s, or JSON null when it is empty. */
static json_t *
wcf_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

json_t *
web_cal_form_body(const struct web_cal_form *f)
{
	json_t	*body, *ch = json_array();
	char	 rule[RECUR_WORDS_RRULE_LEN] = "";
	int	 c;

	for (c = 0; c < CHAN_COUNT; c++)
		if (f->channels & CHAN_BIT(c))
			json_array_append_new(ch, json_string(chan_name(c)));
	if (f->rrule != NULL && *f->rrule != '\0')
		util_strlcpy(rule, f->rrule, sizeof rule);
	else if (recur_words_rrule(&f->w, rule, sizeof rule) == -1)
		*rule = '\0';
	body = json_pack("{ss ss ss so so so so ss ss so sb}",
	    "title", f->title != NULL ? f->title : "",
	    "kind", f->kind != NULL ? f->kind : "",
	    "dtstart", f->dtstart != NULL ? f->dtstart : "",
	    "duration", wcf_or_null(f->duration),
	    "location", wcf_or_null(f->location),
	    "commune", wcf_or_null(f->commune),
	    "description", wcf_or_null(f->description),
	    "remind", f->remind != NULL ? f->remind : "",
	    "audience", f->audience != NULL ? f->audience : "",
	    "channels", ch, "skip_holidays", f->skip_holidays);
	if (body == NULL)	/* not reached: the values are valid UTF-8 */
		body = json_object();
	/* a long advanced rule goes as typed, for the API to judge */
	json_object_set_new(body, "rrule", f->rrule != NULL &&
	    *f->rrule != '\0' ? json_string(f->rrule) : wcf_or_null(rule));
	return body;
}

int
web_cal_form_status(int status)
{
	return status >= 400 && status < 500 ? status : 500;
}

/* -------------------------------------------------------------------------
 * Writing the form.
 */

/* The fields the form shows, whose errors are written under them. */
static const char *const wcf_shown[] = { "title", "kind", "dtstart",
	"duration", "location", "commune", "description", "remind",
	"audience", "channels", "skip_holidays", "rrule", "freq", "interval",
	"monthly", "mday", "skip_month", "until", "count", NULL };

/* The message of err when it is about field. */
static const char *
wcf_err_for(const json_t *err, const char *field)
{
	const char	*f = web_str(err, "field");

	return f != NULL && strcmp(f, field) == 0 ? web_str(err, "error") :
	    NULL;
}

/* Under a field written here (not by web_input): its error, if any. */
static void
wcf_error_line(struct web_ctx *ctx, const json_t *err, const char *field)
{
	const char	*msg = wcf_err_for(err, field);

	if (msg != NULL)
		html_tpl(ctx->body, "<p class=\"error\" id=\"e-{n}\">{m}</p>",
		    "n", field, "m", msg, (char *)NULL);
}

/* One <option>, selected when it is the current value. */
static void
wcf_option(struct web_ctx *ctx, const char *value, const char *label,
    int selected)
{
	html_tpl(ctx->body, "<option value=\"{v}\"{!s}>{l}</option>", "v",
	    value, "s", selected ? " selected" : "", "l", label, (char *)NULL);
}

/* A checkbox or radio input with its label after it. */
static void
wcf_check(struct web_ctx *ctx, const char *type, const char *name,
    const char *value, const char *label, int checked)
{
	html_tpl(ctx->body, "<label class=\"choice\"><input type=\"{t}\" "
	    "name=\"{n}\" value=\"{v}\"{!c}> {l}</label>", "t", type, "n", name,
	    "v", value, "c", checked ? " checked" : "", "l", label,
	    (char *)NULL);
}

/* The kind of the event, a select of the calendar's kinds. */
static void
wcf_kind(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err)
{
	static const char *const labels[][LANG_COUNT] = {
		{ "Plateforme", "Platform", "Plattform", "Platform" },
		{ "Formation", "Opleiding", "Schulung", "Training" },
		{ "La Cabane", "La Cabane", "La Cabane", "La Cabane" },
		{ "Sensibilisation", "Sensibilisering", "Sensibilisierung",
		    "Awareness" },
		{ "Autre", "Andere", "Andere", "Other" },
	};
	size_t	 i;

	html_tpl(ctx->body, "<div class=\"field\"><label for=\"f-kind\">{l}"
	    "</label><select id=\"f-kind\" name=\"kind\">", "l", W(ctx, "Type",
	    "Soort", "Art", "Kind"), (char *)NULL);
	for (i = 0; calendar_kinds[i] != NULL; i++)
		wcf_option(ctx, calendar_kinds[i], i < sizeof labels /
		    sizeof labels[0] ? labels[i][ctx->lang] : calendar_kinds[i],
		    f->kind != NULL && strcmp(f->kind, calendar_kinds[i]) == 0);
	html_raw(ctx->body, "</select>");
	wcf_error_line(ctx, err, "kind");
	html_raw(ctx->body, "</div>");
}

/* What and when: the first card of the form. */
static void
wcf_what(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err)
{
	struct web_input	 in[] = {
		{ "title", W(ctx, "Titre", "Titel", "Titel", "Title"), "text",
		    f->title, NULL, 1 },
		{ "dtstart", W(ctx, "Début (première date)", "Begin (eerste "
		    "datum)", "Beginn (erster Termin)", "Start (first date)"),
		    "datetime-local", f->dtstart, W(ctx, "Le jour et l'heure de "
		    "la première fois, à l'heure d'ici", "De dag en het uur "
		    "van de eerste keer, plaatselijke tijd", "Tag und Uhrzeit "
		    "des ersten Termins, Ortszeit", "The day and time of the "
		    "first one, local time"), 1 },
		{ "duration", W(ctx, "Durée", "Duur", "Dauer", "Duration"),
		    "text", f->duration, W(ctx, "Par ex. 2h, 90m, 1h30m",
		    "Bv. 2h, 90m, 1h30m", "Z. B. 2h, 90m, 1h30m",
		    "E.g. 2h, 90m, 1h30m"), 0 },
		{ "location", W(ctx, "Lieu", "Plaats", "Ort", "Place"), "text",
		    f->location, NULL, 0 },
		{ "commune", W(ctx, "Commune", "Gemeente", "Gemeinde",
		    "Municipality"), "text", f->commune, NULL, 0 },
		{ "description", W(ctx, "Description", "Beschrijving",
		    "Beschreibung", "Description"), "textarea",
		    f->description, NULL, 0 },
	};
	size_t	 i;

	html_raw(ctx->body, "<div class=\"card\">");
	web_input(ctx, &in[0], err);
	wcf_kind(ctx, f, err);
	for (i = 1; i < sizeof in / sizeof in[0]; i++)
		web_input(ctx, &in[i], err);
	html_raw(ctx->body, "<div class=\"field\">");
	wcf_check(ctx, "checkbox", "skip_holidays", "1", W(ctx, "Pas les jours "
	    "fériés ni les jours de fermeture", "Niet op feestdagen en "
	    "sluitingsdagen", "Nicht an Feiertagen und Schließtagen",
	    "Not on public holidays and closure days"), f->skip_holidays);
	wcf_error_line(ctx, err, "skip_holidays");
	html_raw(ctx->body, "</div></div>");
}

/* The chooser's frequency and interval. */
static void
wcf_freq(struct web_ctx *ctx, const struct recur_words *w,
    const char *typed, const json_t *err)
{
	const char	*labels[] = {
		W(ctx, "Une seule fois", "Eén keer", "Einmalig", "Once"),
		W(ctx, "Chaque jour", "Elke dag", "Jeden Tag", "Every day"),
		W(ctx, "Chaque semaine", "Elke week", "Jede Woche",
		    "Every week"),
		W(ctx, "Chaque mois", "Elke maand", "Jeden Monat",
		    "Every month"),
		W(ctx, "Chaque année", "Elk jaar", "Jedes Jahr", "Every year"),
	};
	struct web_input	 in = { "interval", W(ctx, "Tous les",
	    "Om de", "Alle", "Every"), "number", NULL, W(ctx, "Nombre de "
	    "jours, semaines, mois ou années entre deux dates (1 : chaque "
	    "fois)",
	    "Aantal dagen, weken, maanden of jaren tussen twee data (1: elke "
	    "keer)", "Anzahl Tage, Wochen, Monate oder Jahre zwischen zwei "
	    "Terminen (1: jedes Mal)", "Days, weeks, months or years between "
	    "two dates (1: each time)"), 0 };
	char		 n[16];
	int		 i;

	html_tpl(ctx->body, "<div class=\"field\"><label for=\"f-freq\">{l}"
	    "</label><select id=\"f-freq\" name=\"freq\" data-recur-freq>",
	    "l", W(ctx, "Répétition", "Herhaling", "Wiederholung", "Repeat"),
	    (char *)NULL);
	for (i = RW_ONCE; i <= RW_YEARLY; i++)
		wcf_option(ctx, wcf_freqs[i], labels[i], w->freq == i);
	html_raw(ctx->body, "</select>");
	wcf_error_line(ctx, err, "freq");
	html_raw(ctx->body, "</div><div data-show=\"daily weekly monthly "
	    "yearly\">");
	snprintf(n, sizeof n, "%d", w->interval);
	in.value = typed != NULL ? typed : n;
	web_input(ctx, &in, err);
	html_raw(ctx->body, "</div>");
}

/* The weekdays of a weekly rule. */
static void
wcf_days(struct web_ctx *ctx, const struct recur_words *w)
{
	int	 d;

	html_tpl(ctx->body, "<fieldset class=\"field choices\" "
	    "data-show=\"weekly\">"
	    "<legend>{l}</legend>", "l", W(ctx, "Chaque semaine, les jours",
	    "Elke week, op", "Jede Woche, am", "Every week, on"),
	    (char *)NULL);
	for (d = 0; d < 7; d++)
		wcf_check(ctx, "checkbox", "byday", wcf_wdays[d],
		    recur_words_weekday(ctx->lcode, d), w->days >> d & 1);
	html_tpl(ctx->body, "<p class=\"hint\">{h}</p></fieldset>", "h",
	    W(ctx, "Aucun jour coché : le jour de la première date",
	    "Geen dag aangevinkt: de dag van de eerste datum", "Kein Tag "
	    "gewählt: der Tag des ersten Termins", "No day ticked: the day of "
	    "the first date"), (char *)NULL);
}

/*
 * A small input inside a sentence of the chooser ("le [15] du mois"), its
 * label given to screen readers, its error (if any) under the choices.
 */
static void
wcf_inline(struct web_ctx *ctx, const char *type, const char *name,
    const char *value, const char *label, const json_t *err)
{
	int	 bad = wcf_err_for(err, name) != NULL;

	html_tpl(ctx->body, "<input class=\"inline\" type=\"{t}\" id=\"f-{n}\" "
	    "name=\"{n}\" value=\"{v}\" aria-label=\"{l}\"{!ai}{!db}{n2}{!de}>",
	    "t", type, "n", name, "v", value, "l", label, "ai", bad ?
	    " aria-invalid=\"true\"" : "", "db", bad ?
	    " aria-describedby=\"e-" : "", "n2", bad ? name : "", "de",
	    bad ? "\"" : "", (char *)NULL);
}

/* The start of one choice of a fieldset: its radio and the words after. */
static void
wcf_row(struct web_ctx *ctx, const char *name, const char *value,
    const char *label, int checked)
{
	html_raw(ctx->body, "<div class=\"choice-row\">");
	wcf_check(ctx, "radio", name, value, label, checked);
}

/* The day of the month of a monthly rule. */
static void
wcf_month_day(struct web_ctx *ctx, const struct recur_words *w,
    const char *typed, const json_t *err)
{
	static const int nths[] = { 1, 2, 3, 4, RW_LAST };
	char	 n[16];
	size_t	 i;

	html_tpl(ctx->body, "<fieldset class=\"field choices\" data-show="
	    "\"monthly\"><legend>{l}</legend>", "l", W(ctx, "Chaque mois, quel "
	    "jour", "Elke maand, welke dag", "Jeden Monat, welcher Tag",
	    "Every month, which day"), (char *)NULL);
	wcf_row(ctx, "monthly", "nth", W(ctx, "le", "op de", "am", "on the"),
	    w->mode == RW_MONTH_NTH);
	html_tpl(ctx->body, "<select name=\"nth\" aria-label=\"{l}\">", "l",
	    W(ctx, "rang", "rang", "Rang", "rank"), (char *)NULL);
	for (i = 0; i < sizeof nths / sizeof nths[0]; i++) {
		snprintf(n, sizeof n, "%d", nths[i]);
		wcf_option(ctx, n, recur_words_ordinal(ctx->lcode, nths[i]),
		    w->nth == nths[i]);
	}
	html_tpl(ctx->body, "</select><select name=\"weekday\" "
	    "aria-label=\"{l}\">", "l", W(ctx, "jour", "dag", "Tag", "day"),
	    (char *)NULL);
	for (i = 0; i < 7; i++)
		wcf_option(ctx, wcf_wdays[i], recur_words_weekday(ctx->lcode,
		    (int)i), w->weekday == (int)i);
	html_tpl(ctx->body, "</select> {m}</div>", "m", W(ctx, "du mois",
	    "van de maand", "im Monat", "of the month"), (char *)NULL);
	wcf_row(ctx, "monthly", "mday", W(ctx, "le", "op de", "am", "on day"),
	    w->mode == RW_MONTH_DAY);
	snprintf(n, sizeof n, "%d", w->mday);
	wcf_inline(ctx, "number", "mday", typed != NULL ? typed : n,
	    W(ctx, "Jour du mois", "Dag van de maand", "Tag des Monats",
	    "Day of the month"), err);
	html_tpl(ctx->body, " {m}</div>", "m", W(ctx, "du mois",
	    "van de maand", "des Monats", "of the month"), (char *)NULL);
	wcf_row(ctx, "monthly", "start", W(ctx, "le même jour que la première "
	    "date", "dezelfde dag als de eerste datum", "am selben Tag wie der "
	    "erste Termin", "the same day as the first date"),
	    w->mode == RW_MONTH_START);
	html_raw(ctx->body, "</div>");
	wcf_error_line(ctx, err, "monthly");
	wcf_error_line(ctx, err, "mday");
	html_raw(ctx->body, "</fieldset>");
}

/* The months left out. */
static void
wcf_skip(struct web_ctx *ctx, const struct recur_words *w,
    const json_t *err)
{
	char	 n[16];
	int	 m;

	html_tpl(ctx->body, "<fieldset class=\"field choices\" data-show="
	    "\"daily weekly monthly\"><legend>{l}</legend>", "l", W(ctx,
	    "Sauf en", "Behalve in", "Außer im", "Except in"), (char *)NULL);
	for (m = 1; m <= 12; m++) {
		snprintf(n, sizeof n, "%d", m);
		wcf_check(ctx, "checkbox", "skip_month", n,
		    recur_words_month(ctx->lcode, m), w->skip >> m & 1);
	}
	wcf_error_line(ctx, err, "skip_month");
	html_raw(ctx->body, "</fieldset>");
}

/* The end of the series: never, on a date, after a number of times. */
static void
wcf_limits(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err)
{
	const struct recur_words	*w = &f->w;
	char				 n[16] = "", d[16] = "";

	wcf_skip(ctx, w, err);
	if (w->end == RW_END_UNTIL)
		snprintf(d, sizeof d, "%04d-%02d-%02d", w->until_year,
		    w->until_month, w->until_day);
	if (w->end == RW_END_COUNT)
		snprintf(n, sizeof n, "%d", w->count);
	html_tpl(ctx->body, "<fieldset class=\"field choices\" data-show="
	    "\"daily weekly monthly yearly\"><legend>{l}</legend>", "l",
	    W(ctx, "Fin", "Einde", "Ende", "End"), (char *)NULL);
	wcf_row(ctx, "end", "never", W(ctx, "jamais", "nooit", "nie",
	    "never"), w->end == RW_END_NEVER);
	html_raw(ctx->body, "</div>");
	wcf_row(ctx, "end", "until", W(ctx, "jusqu'au", "tot en met",
	    "bis zum", "until"), w->end == RW_END_UNTIL);
	wcf_inline(ctx, "date", "until", f->until != NULL ? f->until : d,
	    W(ctx, "Date de fin", "Einddatum", "Enddatum", "End date"), err);
	html_raw(ctx->body, "</div>");
	wcf_row(ctx, "end", "count", W(ctx, "après", "na", "nach", "after"),
	    w->end == RW_END_COUNT);
	wcf_inline(ctx, "number", "count", f->count != NULL ? f->count : n,
	    W(ctx, "Nombre de fois", "Aantal keer", "Anzahl",
	    "Number of times"), err);
	html_tpl(ctx->body, " {f}</div>", "f", W(ctx, "fois", "keer", "Mal",
	    "times"), (char *)NULL);
	wcf_error_line(ctx, err, "until");
	wcf_error_line(ctx, err, "count");
	html_raw(ctx->body, "</fieldset>");
}

/* The recurrence chooser, and the advanced field. */
static void
wcf_recur(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err)
{
	struct web_input	 adv = { "rrule", W(ctx,
	    "Règle avancée (RRULE)", "Geavanceerde regel (RRULE)",
	    "Erweiterte Regel (RRULE)",
	    "Advanced rule (RRULE)"), "text", f->rrule, W(ctx, "Pour les "
	    "experts : rempli, il remplace les choix ci-dessus (par ex. "
	    "FREQ=MONTHLY;BYDAY=1WE)", "Voor experts: ingevuld vervangt het "
	    "de keuzes hierboven (bv. FREQ=MONTHLY;BYDAY=1WE)", "Für "
	    "Fachleute: ausgefüllt ersetzt es die Auswahl oben (z. B. "
	    "FREQ=MONTHLY;BYDAY=1WE)", "For experts: when filled in, it "
	    "replaces the choices above (e.g. FREQ=MONTHLY;BYDAY=1WE)"), 0 };
	int	 open = (f->rrule != NULL && *f->rrule != '\0') ||
	    wcf_err_for(err, "rrule") != NULL;

	html_tpl(ctx->body, "<fieldset class=\"card recur\" data-recur>"
	    "<legend>{l}</legend>", "l", W(ctx, "Quand revient-il ?",
	    "Wanneer komt het terug?", "Wann wiederholt er sich?",
	    "When does it come back?"), (char *)NULL);
	wcf_freq(ctx, &f->w, f->interval, err);
	wcf_days(ctx, &f->w);
	wcf_month_day(ctx, &f->w, f->mday, err);
	wcf_limits(ctx, f, err);
	html_tpl(ctx->body, "<details{!o}><summary>{l}</summary>", "o",
	    open ? " open" : "", "l", adv.label, (char *)NULL);
	web_input(ctx, &adv, err);
	html_raw(ctx->body, "</details></fieldset>");
}

/* Who is reminded, when and how: the last card. */
static void
wcf_who(struct web_ctx *ctx, const struct web_cal_form *f,
    const json_t *err)
{
	struct web_input	 in[] = {
		{ "remind", W(ctx, "Rappels avant le début", "Herinneringen "
		    "vooraf", "Erinnerungen vorher", "Reminders before the "
		    "start"), "text", f->remind, W(ctx, "Par ex. 7d, 1d : "
		    "une semaine et un jour avant ; vide : aucun",
		    "Bv. 7d, 1d: een "
		    "week en een dag vooraf; leeg: geen", "Z. B. 7d, 1d: eine "
		    "Woche und einen Tag vorher; leer: keine", "E.g. 7d, 1d: a "
		    "week and a day before; empty: none"), 0 },
		{ "audience", W(ctx, "Qui prévenir", "Wie verwittigen",
		    "Wer benachrichtigt wird", "Who is told"), "text",
		    f->audience, W(ctx, "Par ex. role:referent, person:12",
		    "Bv. role:referent, person:12", "Z. B. role:referent, "
		    "person:12", "E.g. role:referent, person:12"), 0 },
	};
	int	 c;

	html_raw(ctx->body, "<div class=\"card\">");
	web_input(ctx, &in[0], err);
	web_input(ctx, &in[1], err);
	html_tpl(ctx->body, "<fieldset class=\"field choices\"><legend>{l}"
	    "</legend>", "l", W(ctx, "Envoyés par", "Verstuurd via",
	    "Gesendet über", "Sent by"), (char *)NULL);
	for (c = 0; c < CHAN_COUNT; c++)
		wcf_check(ctx, "checkbox", "channels", chan_name(c),
		    c == CHAN_SMS ? "SMS" : W(ctx, "e-mail", "e-mail", "E-Mail",
		    "email"), f->channels >> c & 1);
	wcf_error_line(ctx, err, "channels");
	html_raw(ctx->body, "</fieldset></div>");
}

void
web_cal_form_write(struct web_ctx *ctx, const char *action,
    const struct web_cal_form *f, const json_t *err)
{
	const char	*field = web_str(err, "field");

	/* an error about nothing the form shows: above it, in a box */
	if (web_str(err, "error") != NULL && (field == NULL ||
	    wcf_index(wcf_shown, sizeof wcf_shown / sizeof wcf_shown[0] - 1,
	    field) == -1))
		web_error_box(ctx, err);
	web_form_begin(ctx, action);
	wcf_what(ctx, f, err);
	wcf_recur(ctx, f, err);
	wcf_who(ctx, f, err);
	html_tpl(ctx->body, "<div class=\"actions\"><button class=\"btn\" "
	    "type=\"submit\" name=\"preview\" value=\"1\">{p}</button>"
	    "<button class=\"btn primary\" type=\"submit\" name=\"save\" "
	    "value=\"1\">{s}</button></div>", "p", W(ctx, "Voir les 5 "
	    "prochaines dates", "Toon de 5 volgende data", "Die nächsten 5 "
	    "Termine zeigen", "Show the next 5 dates"), "s", W(ctx,
	    "Enregistrer", "Opslaan", "Speichern", "Save"), (char *)NULL);
	web_form_end(ctx);
	/* shows the chooser's parts by frequency; the form works without */
	html_raw(ctx->body, "<script src=\"/assets/cal.js\" defer></script>");
}

const char *
web_cal_rule_words(struct web_ctx *ctx, const char *rrule, char *buf,
    size_t len)
{
	struct recur_words	 w;

	if (recur_words_parse(rrule, &w) == -1)
		return NULL;
	return recur_words_text(&w, ctx->lcode, buf, len);
}

void
web_cal_preview_write(struct web_ctx *ctx, const json_t *preview)
{
	const char	*rule = web_str(preview, "rule"), *words;
	const json_t	*next = json_object_get(preview, "next"), *v;
	char		 text[RECUR_WORDS_TEXT_LEN], date[WCF_DATE_LEN];
	size_t		 i;

	html_tpl(ctx->body, "<section class=\"card preview\" aria-live="
	    "\"polite\"><h2>{h}</h2>", "h", W(ctx, "Aperçu", "Voorbeeld",
	    "Vorschau", "Preview"), (char *)NULL);
	if ((words = web_cal_rule_words(ctx, rule, text, sizeof text)) != NULL)
		html_tpl(ctx->body, "<p class=\"rule\">{w}</p>", "w", words,
		    (char *)NULL);
	else
		html_tpl(ctx->body, "<p class=\"rule\"><code>{r}</code></p>",
		    "r", rule, (char *)NULL);
	if (json_array_size(next) == 0) {
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p></section>", "m",
		    W(ctx, "Aucune date à venir", "Geen komende data",
		    "Keine kommenden Termine", "No date to come"),
		    (char *)NULL);
		return;
	}
	html_raw(ctx->body, "<ol class=\"next-dates\">");
	json_array_foreach(next, i, v)
		html_tpl(ctx->body, "<li><time datetime=\"{t}\">{d}</time>"
		    "</li>", "t", json_string_value(v), "d", web_date(ctx,
		    json_string_value(v), DATEFMT_LONG, date, sizeof date),
		    (char *)NULL);
	html_raw(ctx->body, "</ol></section>");
}
