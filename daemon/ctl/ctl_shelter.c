/*
 * ctl_shelter.c: the stoppvifctl commands of the emergency apartments and
 * their alerts:
 *
 *	shelter list | status NAME | report NAME [--year YYYY]
 *	shelter vacate NAME | occupy NAME | unavailable NAME
 *	alerts list | ack CODE [--by ID]
 *
 * The API's shapes are described in shelter.h.  Times come local with their
 * offset and are written in words of the daemon's language; tables are made
 * of a copy of the answer whose cells are display text.  The on-call rota
 * is in ctl_oncall.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "ctl_words.h"
#include "datefmt.h"
#include "util.h"

/* The name of a {"id", "name"} member, or NULL. */
static const char *
ctl_who(json_t *o, const char *key)
{
	return ctl_str(json_object_get(o, key), "name");
}

/* Print an aligned "label : value" line, and free value. */
static void
ctl_field(struct ctl *c, const char *label, char *value)
{
	printf("%s%*s : ", label, (int)(17 - ctl_width(label)), "");
	ctl_wrap(stdout, *value != '\0' ? value : "-", 20, 20,
	    ctl_columns(c));
	free(value);
}

/* The NAME argument of a shelter command, or exit 2. */
static const char *
ctl_shelter_name(int argc, char **argv, const struct ctl_cmd *cmd)
{
	if (argc != 1)
		ctl_cmd_usage(cmd);
	if (*argv[0] == '\0')
		ctl_die(EXIT_USAGE, "nom de logement vide");
	return argv[0];
}

/* ctl_call() on /v1/shelters/NAME, followed by tail ("/vacate", ""). */
static json_t *
ctl_shelter_call(struct ctl *c, const char *method, const char *name,
    const char *tail)
{
	char	*esc, *path;
	json_t	*ans;

	if ((esc = curl_easy_escape(NULL, name, 0)) == NULL)
		ctl_die(EXIT_REFUSED, "libcurl ne sait pas encoder le nom");
	xasprintf(&path, "/v1/shelters/%s%s", esc, tail);
	curl_free(esc);
	ans = ctl_call(c, method, path, NULL);
	free(path);
	return ans;
}

/* The level of an alert: "1", "2, 3 relances", "2, sans réponse". */
static char *
ctl_alert_level(json_t *a)
{
	long long	 level = ctl_num(a, "level"), repeats = ctl_num(a,
			    "repeats");
	char		*s;

	if (json_is_true(json_object_get(a, "exhausted")) &&
	    !json_is_string(json_object_get(a, "claimed_at")))
		xasprintf(&s, "%lld, sans réponse", level);
	else if (repeats > 0)
		xasprintf(&s, "%lld, %lld relance%s", level, repeats,
		    ctl_plural(repeats));
	else
		xasprintf(&s, "%lld", level);
	return s;
}

/* What the state of a shelter leaves to say: its open alert, or who holds
 * it and until when. */
static char *
ctl_shelter_detail(struct ctl *c, json_t *sh)
{
	json_t		*a = json_object_get(sh, "alert");
	const char	*who = ctl_who(sh, "reserved_by");
	char		*until, *level, *s;

	if (json_is_string(json_object_get(sh, "reserved_until"))) {
		until = ctl_when_of(c, sh, "reserved_until");
		xasprintf(&s, "%s%sjusqu'au %s", who ? who : "", who ? " " :
		    "", until);
		free(until);
	} else if (json_is_object(a)) {
		level = ctl_alert_level(a);
		xasprintf(&s, "alerte %s, niveau %s", ctl_str(a, "code") ?
		    ctl_str(a, "code") : "?", level);
		free(level);
	} else
		s = xstrdup("-");
	return s;
}

/* One shelter as a row of display text. */
static json_t *
ctl_shelter_view(struct ctl *c, json_t *sh)
{
	json_t	*v = json_copy(sh);

	json_object_set_new(v, "state", json_string(ctl_word(CTL_W_SHELTER, 
	    ctl_str(sh, "state"))));
	ctl_set_text(v, "since", ctl_when_of(c, sh, "since"));
	ctl_set_text(v, "detail", ctl_shelter_detail(c, sh));
	return v;
}

/* One move of a shelter's history as a row of display text. */
static json_t *
ctl_move_view(struct ctl *c, json_t *m)
{
	json_t		*v = json_copy(m), *actor = json_object_get(m, "actor");
	const char	*from = ctl_str(m, "from");
	char		*s;

	ctl_set_text(v, "at", ctl_when_of(c, m, "at"));
	if (from != NULL)
		xasprintf(&s, "%s → %s", ctl_word(CTL_W_SHELTER, from),
		    ctl_word(CTL_W_SHELTER, ctl_str(m, "to")));
	else
		s = xstrdup(ctl_word(CTL_W_SHELTER, ctl_str(m, "to")));
	ctl_set_text(v, "move", s);
	json_object_set_new(v, "cause", json_string(ctl_word(CTL_W_CAUSE,
	    ctl_str(m, "cause"))));
	if (json_is_object(actor))
		ctl_set_text(v, "actor", ctl_text(json_object_get(actor,
		    "name")));
	else
		ctl_set_text(v, "actor", ctl_actor_text(json_string_value(
		    actor)));
	return v;
}

/* One alert as a row of display text. */
static json_t *
ctl_alert_view(struct ctl *c, json_t *a)
{
	json_t		*v = json_copy(a);
	const char	*who = ctl_who(a, "claimed_by"), *via;

	via = ctl_str(a, "via");
	json_object_set_new(v, "status", json_string(ctl_word(CTL_W_ALERT, 
	    ctl_str(a, "status"))));
	ctl_set_text(v, "opened", ctl_when_of(c, a, "opened"));
	ctl_set_text(v, "level", ctl_alert_level(a));
	json_object_set_new(v, "claimed_by", json_string(who ? who : "—"));
	json_object_set_new(v, "via", json_string(via ? ctl_word(CTL_W_VIA,
	    via) : "—"));
	return v;
}

/* The alert part of a shelter shown by shelter status. */
static void
ctl_shelter_alert_print(struct ctl *c, json_t *a)
{
	long long	 n = ctl_num(a, "notified");
	char		*s, *level;

	if (!json_is_object(a)) {
		ctl_field(c, "alerte", xstrdup("-"));
		return;
	}
	level = ctl_alert_level(a);
	xasprintf(&s, "%s (%s), niveau %s, envoyée à %lld personne%s",
	    ctl_str(a, "code") ? ctl_str(a, "code") : "?",
	    ctl_word(CTL_W_ALERT, ctl_str(a, "status")), level, n,
	    ctl_plural(n));
	free(level);
	ctl_field(c, "alerte", s);
	ctl_field(c, "ouverte le", ctl_when_of(c, a, "opened"));
	ctl_field(c, "prochain envoi", ctl_when_of(c, a, "next"));
}

/* Print a shelter field by field, then its history. */
static void
ctl_shelter_print(struct ctl *c, json_t *sh)
{
	static const struct ctl_col cols[] = {
		{ "QUAND", "at", 0 }, { "CHANGEMENT", "move", CTL_COL_WRAP },
		{ "CAUSE", "cause", CTL_COL_WRAP },
		{ "PAR", "actor", CTL_COL_WRAP },
	};
	json_t		*who = json_object_get(sh, "reserved_by");
	json_t		*hist = json_object_get(sh, "history");
	char		*s;

	ctl_field(c, "nom", ctl_text(json_object_get(sh, "name")));
	ctl_field(c, "titre", ctl_text(json_object_get(sh, "title")));
	ctl_field(c, "état", xstrdup(ctl_word(CTL_W_SHELTER, ctl_str(sh,
	    "state"))));
	ctl_field(c, "depuis", ctl_when_of(c, sh, "since"));
	ctl_shelter_alert_print(c, json_object_get(sh, "alert"));
	if (json_is_object(who)) {
		xasprintf(&s, "%s (n° %lld)", ctl_str(who, "name") ?
		    ctl_str(who, "name") : "?", ctl_num(who, "id"));
		ctl_field(c, "réservé par", s);
	} else
		ctl_field(c, "réservé par", xstrdup("-"));
	ctl_field(c, "jusqu'au", ctl_when_of(c, sh, "reserved_until"));
	if (json_array_size(hist) == 0) {
		printf("\nhistorique : aucun changement\n");
		return;
	}
	printf("\n");
	ctl_view_table(c, hist, cols, nitems(cols), ctl_move_view);
}

/* What vacate, occupy and unavailable did. */
static void
ctl_moved_print(json_t *sh, const char *name)
{
	json_t		*a = json_object_get(sh, "alert");
	const char	*state = ctl_str(sh, "state"), *code;
	long long	 n = ctl_num(a, "notified");

	if (ctl_str(sh, "name") != NULL)
		name = ctl_str(sh, "name");
	code = ctl_str(a, "code") ? ctl_str(a, "code") : "?";
	if (state == NULL || strcmp(state, "vacant") != 0 ||
	    !json_is_object(a))
		printf("%s : %s\n", name, ctl_word(CTL_W_SHELTER, state));
	else if (n == 0)
		printf("%s : libre, alerte %s ouverte, mais personne n'a été "
		    "alerté\n", name, code);
	else
		printf("%s : libre, alerte %s envoyée à %lld personne%s\n",
		    name, code, n, ctl_plural(n));
}

/* A number with one decimal and a French decimal comma. */
static char *
ctl_decimal(json_t *v)
{
	char	*s, *dot;

	if (!json_is_number(v))
		return xstrdup("—");
	xasprintf(&s, "%.1f", json_number_value(v));
	if ((dot = strchr(s, '.')) != NULL)
		*dot = ',';
	return s;
}

/* A percentage as French writes it: "62,5 %". */
static char *
ctl_percent(json_t *v)
{
	char	*n = ctl_decimal(v), *s;

	if (!json_is_number(v))
		return n;
	xasprintf(&s, "%s %%", n);
	free(n);
	return s;
}

/* A count of days, "213,0 jours", "1,5 jour". */
static char *
ctl_days(json_t *v)
{
	char	*n = ctl_decimal(v), *s;

	if (!json_is_number(v))
		return n;
	xasprintf(&s, "%s jour%s", n, json_number_value(v) >= 2 ? "s" : "");
	free(n);
	return s;
}

/* A time in seconds for people: "45 s", "12 min", "1 h 05", "2 j 03 h";
 * "—" when there is none. */
static char *
ctl_duration(json_t *v)
{
	long long	 t;
	char		*s;

	if (!json_is_number(v))
		return xstrdup("—");
	t = (long long)json_number_value(v);
	if (t < 60)
		xasprintf(&s, "%lld s", t);
	else if (t < 3600)
		xasprintf(&s, "%lld min", t / 60);
	else if (t < 86400)
		xasprintf(&s, "%lld h %02lld", t / 3600, t / 60 % 60);
	else
		xasprintf(&s, "%lld j %02lld h", t / 86400, t / 3600 % 24);
	return s;
}

/* The date of a time or a date of the API, in words. */
static char *
ctl_day(struct ctl *c, const char *iso)
{
	char	*s, *day;

	if (iso == NULL || strlen(iso) < 10)
		return xstrdup(iso != NULL ? iso : "?");
	/* the daemon's "YYYY-MM-DD...": ctl_when reads it, else shows it */
	xasprintf(&s, "%.10sT00:00:00", iso);
	day = ctl_when(c, s, DATEFMT_DATE);
	free(s);
	return day;
}

/* The period a report covers. */
static char *
ctl_period(struct ctl *c, json_t *r)
{
	char	*from, *to, *days, *s;

	from = ctl_day(c, ctl_str(r, "from"));
	to = ctl_day(c, ctl_str(r, "to"));
	days = ctl_days(json_object_get(r, "days_observed"));
	xasprintf(&s, "du %s au %s (%s)", from, to, days);
	free(from);
	free(to);
	free(days);
	return s;
}

/* The alerts line of a report. */
static char *
ctl_report_alerts(json_t *r)
{
	long long	 n[4];
	char		*s;

	n[0] = ctl_num(r, "alerts");
	n[1] = ctl_num(r, "claimed");
	n[2] = ctl_num(r, "escalated");
	n[3] = ctl_num(r, "unanswered");
	if (n[0] == 0)
		return xstrdup("aucune");
	xasprintf(&s, "%lld (%lld réservée%s, %lld escaladée%s, %lld sans "
	    "réponse)", n[0], n[1], ctl_plural(n[1]), n[2], ctl_plural(n[2]),
	    n[3]);
	return s;
}

/* The times from vacate to claim of a report: median and worst. */
static char *
ctl_claim_times(json_t *r)
{
	json_t	*m = json_object_get(r, "claim_median_s");
	json_t	*w = json_object_get(r, "claim_worst_s");
	char	*median, *worst, *s;

	if (!json_is_number(m) && !json_is_number(w))
		return xstrdup("—");
	median = ctl_duration(m);
	worst = ctl_duration(w);
	xasprintf(&s, "médian %s, maximal %s", median, worst);
	free(median);
	free(worst);
	return s;
}

/* The days of a report in each state, and the rate of occupation; "pas
 * de données" for a year the shelter has no history of. */
static void
ctl_report_days(struct ctl *c, json_t *r)
{
	json_t	*days = json_object_get(r, "days");

	if (json_number_value(json_object_get(r, "days_observed")) <= 0) {
		ctl_field(c, "période observée", xstrdup("pas de données : "
		    "aucun historique du logement pour cette année"));
		ctl_field(c, "taux d'occupation", xstrdup("pas de données"));
		return;
	}
	ctl_field(c, "période observée", ctl_period(c, r));
	ctl_field(c, "occupé", ctl_days(json_object_get(days, "occupied")));
	ctl_field(c, "libre", ctl_days(json_object_get(days, "vacant")));
	ctl_field(c, "réservé", ctl_days(json_object_get(days, "reserved")));
	ctl_field(c, "indisponible", ctl_days(json_object_get(days,
	    "unavailable")));
	ctl_field(c, "taux d'occupation", ctl_percent(json_object_get(r,
	    "occupancy")));
}

/* The occupancy of each month with history: "janv. 100,0 %, févr. ...";
 * a month without ("—") only between two with. */
static char *
ctl_report_months(json_t *r)
{
	json_t	*months = json_object_get(r, "months"), *occ;
	char	*out = xstrdup(""), *n, *s;
	size_t	 i, first = 12, last = 0;

	for (i = 0; i < 12; i++)
		if (json_is_number(json_object_get(json_array_get(months, i),
		    "occupancy"))) {
			if (first == 12)
				first = i;
			last = i;
		}
	for (i = first; i < 12 && i <= last; i++) {
		occ = json_object_get(json_array_get(months, i), "occupancy");
		n = json_is_number(occ) ? ctl_percent(occ) : xstrdup("—");
		xasprintf(&s, "%s%s%s %s", out, *out != '\0' ? ", " : "",
		    datefmt_month("fr", (int)i + 1, 1), n);
		free(n);
		free(out);
		out = s;
	}
	return out;
}

/* Print a shelter's report for people. */
static void
ctl_report_print(struct ctl *c, json_t *r)
{
	printf("logement %s, année %lld\n", ctl_str(r, "shelter") ?
	    ctl_str(r, "shelter") : "?", ctl_num(r, "year"));
	ctl_report_days(c, r);
	if (json_number_value(json_object_get(r, "days_observed")) > 0)
		ctl_field(c, "par mois", ctl_report_months(r));
	ctl_field(c, "alertes", ctl_report_alerts(r));
	ctl_field(c, "temps de réponse", ctl_claim_times(r));
}

/* The one-line answer to alerts ack. */
static void
ctl_claim_print(struct ctl *c, json_t *cl)
{
	const char	*who = ctl_who(cl, "claimed_by");
	char		*until = ctl_when_of(c, cl, "reserved_until");

	printf("alerte %s : %s réservé%s%s jusqu'au %s\n", ctl_str(cl, "code") ?
	    ctl_str(cl, "code") : "?", ctl_str(cl, "shelter") ? ctl_str(cl,
	    "shelter") : "?", who ? " par " : "", who ? who : "", until);
	free(until);
}

/* shelter list: every shelter, its state and open alert. */
int
ctl_shelter_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct ctl_col cols[] = {
		{ "NOM", "name", 0 }, { "TITRE", "title", CTL_COL_WRAP },
		{ "ÉTAT", "state", 0 }, { "DEPUIS", "since", 0 },
		{ "ALERTE OU RÉSERVATION", "detail", CTL_COL_WRAP },
	};
	json_t	*ans;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/shelters", NULL);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucun logement : voyez les sections [shelter.NOM] de "
		    "la configuration\n");
	else
		ctl_view_table(c, ans, cols, nitems(cols), ctl_shelter_view);
	json_decref(ans);
	return 0;
}

/* shelter status NAME: one shelter and its history. */
int
ctl_shelter_status(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	const char	*name = ctl_shelter_name(argc, argv, cmd);

	ctl_answer(c, ctl_shelter_call(c, "GET", name, ""), ctl_shelter_print);
	return 0;
}

/* shelter vacate, occupy and unavailable: the second word is the move. */
int
ctl_shelter_move(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	const char	*name = ctl_shelter_name(argc, argv, cmd);
	json_t		*ans;
	char		*tail;

	xasprintf(&tail, "/%s", cmd->word2);
	ans = ctl_shelter_call(c, "POST", name, tail);
	free(tail);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_moved_print(ans, name);
	json_decref(ans);
	return 0;
}

/* shelter report NAME: a year of a shelter in figures. */
int
ctl_shelter_report(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*name;
	int64_t		 year = 0;
	char		*tail;
	int		 ch;

	optind = 0;	/* NAME may come before or after --year */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch != 'y')
			ctl_cmd_usage(cmd);
		if (util_parse_int(optarg, 1970, 9999, &year) == -1)
			ctl_die(EXIT_USAGE, "--year : année de 1970 à 9999 "
			    "attendue");
	}
	name = ctl_shelter_name(argc + 1 - optind, argv - 1 + optind, cmd);
	if (year != 0)
		xasprintf(&tail, "/report?year=%lld", (long long)year);
	else
		tail = xstrdup("/report");
	ctl_answer(c, ctl_shelter_call(c, "GET", name, tail),
	    ctl_report_print);
	free(tail);
	return 0;
}

/* alerts list: the alerts, open or closed. */
int
ctl_alerts_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct ctl_col cols[] = {
		{ "N°", "id", 0 }, { "LOGEMENT", "shelter", 0 },
		{ "CODE", "code", 0 }, { "ÉTAT", "status", 0 },
		{ "OUVERTE", "opened", 0 }, { "NIVEAU", "level", CTL_COL_WRAP },
		{ "RÉSERVÉE PAR", "claimed_by", CTL_COL_WRAP },
		{ "VIA", "via", 0 },
	};
	json_t	*ans;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/alerts", NULL);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucune alerte\n");
	else
		ctl_view_table(c, ans, cols, nitems(cols), ctl_alert_view);
	json_decref(ans);
	return 0;
}

/* alerts ack CODE: claim the shelter of an alert (for person --by). */
int
ctl_alerts_ack(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	json_t	*body, *ans;
	int64_t	 by = 0;
	int	 ch;

	optind = 0;	/* CODE may come before or after --by */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch != 'b')
			ctl_cmd_usage(cmd);
		if (util_parse_int(optarg, 1, INT64_MAX, &by) == -1)
			ctl_die(EXIT_USAGE, "--by : « %s » n'est pas un numéro "
			    "de personne (entier positif attendu)", optarg);
	}
	if (optind != argc)
		ctl_cmd_usage(cmd);
	if ((body = json_pack("{ss}", "code", argv[optind - 1])) == NULL)
		ctl_die(EXIT_USAGE, "code : texte UTF-8 attendu");
	if (by != 0)
		json_object_set_new(body, "by", json_integer(by));
	ans = ctl_call(c, "POST", "/v1/alerts/ack", body);
	json_decref(body);
	ctl_answer(c, ans, ctl_claim_print);
	return 0;
}
