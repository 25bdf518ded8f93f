/*
 * ctl_events.c: the stoppvifctl commands of the calendar:
 *
 *	events add --title T --dtstart LOCAL [--tz ZONE] [--rrule RULE] ...
 *	events list | show ID | remove ID
 *	events edit ID [the flags of events add]
 *	events export [FILE.ics]	(events import: ctl_import.c)
 *	agenda [--from YYYY-MM-DD] [--days N]
 *
 * The flags become the fields of a JSON event as the API takes them; the
 * daemon checks them.  The agenda shows the occurrences to come with
 * their reminders, times in the daemon's language.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "ctl_words.h"
#include "util.h"

/* Options of events add and events edit. */
static const struct option ctl_event_opts[] = {
	{ "title", required_argument, NULL, 't' },
	{ "dtstart", required_argument, NULL, 's' },
	{ "tz", required_argument, NULL, 'z' },
	{ "rrule", required_argument, NULL, 'r' },
	{ "duration", required_argument, NULL, 'd' },
	{ "kind", required_argument, NULL, 'k' },
	{ "location", required_argument, NULL, 'l' },
	{ "commune", required_argument, NULL, 'C' },
	{ "description", required_argument, NULL, 'D' },
	{ "remind", required_argument, NULL, 'R' },
	{ "audience", required_argument, NULL, 'a' },
	{ "channels", required_argument, NULL, 'c' },
	{ "skip-holidays", required_argument, NULL, 'H' },
	{ "exdate", required_argument, NULL, 'x' },
	{ "uid", required_argument, NULL, 'u' },
	{ NULL, 0, NULL, 0 }
};

/* The JSON key of an event option (but --exdate), or NULL. */
static const char *
ctl_event_key(int ch)
{
	switch (ch) {
	case 't': return "title";
	case 's': return "dtstart";
	case 'z': return "tz";
	case 'r': return "rrule";
	case 'd': return "duration";
	case 'k': return "kind";
	case 'l': return "location";
	case 'C': return "commune";
	case 'D': return "description";
	case 'R': return "remind";
	case 'a': return "audience";
	case 'c': return "channels";
	case 'H': return "skip_holidays";
	case 'u': return "uid";
	default: return NULL;
	}
}

/* Build an event request from the flags (a ctl_body_fn). */
static json_t *
ctl_event_body(int argc, char **argv, const struct ctl_cmd *cmd, int *optidx)
{
	json_t		*body = json_object(), *ex = NULL;
	const char	*key;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", ctl_event_opts, NULL)) !=
	    -1) {
		if (ch == 'x') {
			if (ex == NULL)
				ex = json_array();
			ctl_list_append(ex, optarg, "--exdate");
			continue;
		}
		if ((key = ctl_event_key(ch)) == NULL)
			ctl_cmd_usage(cmd);
		ctl_body_set(body, key, optarg);
	}
	if (ex != NULL)
		json_object_set_new(body, "exdates", ex);
	*optidx = optind;
	return body;
}

/* events add: "événement 12 ajouté". */
int
ctl_events_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	ctl_created(c, ctl_add(c, cmd, argc, argv, ctl_event_body,
	    "/v1/events"), "événement", "ajouté");
	return 0;
}

/* Value text of an event's field in words: its kind, audience, channels;
 * NULL for the other fields. */
static char *
ctl_event_words(const char *key, json_t *v)
{
	if (strcmp(key, "kind") == 0)
		return xstrdup(ctl_word(CTL_W_KIND, json_string_value(v)));
	if (strcmp(key, "audience") == 0)
		return ctl_audience_text(v);
	if (strcmp(key, "channels") == 0)
		return ctl_words(CTL_W_CHANNEL, v);
	return NULL;
}

/* Cell text for the events table: the next occurrence for people. */
static char *
ctl_event_cell(struct ctl *c, const char *key, json_t *v)
{
	char	*s;

	if (strcmp(key, "next") == 0)
		return ctl_when(c, json_string_value(v), DATEFMT_SHORT);
	if ((s = ctl_event_words(key, v)) != NULL)
		return s;
	return ctl_text(v);
}

/* events list: every event with its next occurrence. */
int
ctl_events_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct ctl_col cols[] = {
		{ "N°", "id", 0 }, { "TITRE", "title", CTL_COL_WRAP },
		{ "TYPE", "kind", 0 }, { "PROCHAINE", "next", 0 },
		{ "DURÉE", "duration", 0 },
		{ "RAPPELS", "remind", CTL_COL_WRAP },
		{ "PUBLIC", "audience", CTL_COL_WRAP },
		{ "RÈGLE", "rrule", CTL_COL_WRAP | CTL_COL_OPT },
	};
	json_t	*ans;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/events", NULL);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucun événement\n");
	else
		ctl_table(c, ans, cols, nitems(cols), ctl_event_cell);
	json_decref(ans);
	return 0;
}

/* The exceptions of an event in words, one date after another. */
static char *
ctl_exdates_text(struct ctl *c, json_t *v)
{
	json_t	*x;
	char	*s = NULL, *when, *tmp;
	size_t	 i;

	json_array_foreach(v, i, x) {
		when = ctl_when(c, json_string_value(x), DATEFMT_LONG);
		xasprintf(&tmp, "%s%s%s", s ? s : "", s ? ", " : "", when);
		free(when);
		free(s);
		s = tmp;
	}
	return s != NULL ? s : xstrdup("");
}

/* Value text of an event's field: every time in the same words, the
 * kind, audience and channels in words, holidays. */
static char *
ctl_event_field(struct ctl *c, const char *key, json_t *v)
{
	char	*s;

	if (strcmp(key, "next") == 0 || strcmp(key, "dtstart") == 0)
		return ctl_when(c, json_string_value(v), DATEFMT_LONG);
	if (strcmp(key, "created") == 0 || strcmp(key, "updated") == 0)
		return ctl_utc_when(c, json_string_value(v), DATEFMT_LONG);
	if (strcmp(key, "exdates") == 0)
		return ctl_exdates_text(c, v);
	if (strcmp(key, "skip_holidays") == 0)
		return xstrdup(json_is_string(v) ? "sautés (BE)" :
		    "non sautés");
	if ((s = ctl_event_words(key, v)) != NULL)
		return s;
	return ctl_text(v);
}

/* Print one event as aligned "label : value" lines. */
static void
ctl_event_print(struct ctl *c, json_t *e)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id", 0 }, { "titre", "title", 0 },
		{ "type", "kind", 0 },
		{ "début", "dtstart", 0 }, { "fuseau", "tz", 0 },
		{ "règle", "rrule", 0 }, { "durée", "duration", 0 },
		{ "lieu", "location", 0 }, { "commune", "commune", 0 },
		{ "rappels", "remind", 0 }, { "public", "audience", 0 },
		{ "canaux", "channels", 0 },
		{ "jours fériés", "skip_holidays", 0 },
		{ "exceptions", "exdates", 0 }, { "prochaine", "next", 0 },
		{ "description", "description", 0 }, { "uid", "uid", 0 },
		{ "créé", "created", 0 }, { "modifié", "updated", 0 },
	};

	ctl_record(c, e, rows, nitems(rows), 12, 1, ctl_event_field);
}

/* events show ID: one event, field by field. */
int
ctl_events_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_answer(c, ctl_call_id(c, "GET", "/v1/events", id, NULL),
	    ctl_event_print);
	return 0;
}

/* events edit ID: change the fields given, show the event. */
int
ctl_events_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return ctl_edit(c, cmd, argc, argv, ctl_event_body, "/v1/events",
	    ctl_event_print, "--dtstart");
}

/* events remove ID: the event and its pending reminders. */
int
ctl_events_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_done(c, ctl_call_id(c, "DELETE", "/v1/events", id, NULL),
	    "événement %lld supprimé, ses rappels en attente sont annulés\n",
	    (long long)id);
	return 0;
}

/* events export [FILE.ics]: every event as iCalendar. */
int
ctl_events_export(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t		*ans;
	const char	*text;
	FILE		*fp = stdout;

	if (argc > 1)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/events/export", NULL);
	text = ctl_str(ans, "ics");
	if (argc == 1 && (fp = fopen(argv[0], "w")) == NULL)
		ctl_die(EXIT_REFUSED, "%s : %s", argv[0], strerror(errno));
	if (c->json && argc == 0)
		ctl_print_json(ans);
	else if (fputs(text ? text : "", fp) == EOF ||
	    (fp != stdout && fclose(fp) == EOF))
		ctl_die(EXIT_REFUSED, "%s : écriture impossible", argc ?
		    argv[0] : "sortie");
	if (argc == 1 && !c->json)
		fprintf(stderr, "événements exportés dans %s\n", argv[0]);
	json_decref(ans);
	return 0;
}

/* One agenda item for people. */
static void
ctl_agenda_print(struct ctl *c, json_t *it)
{
	json_t	*v;
	char	*start, *end, *when, *line, *tmp;
	size_t	 i;
	long long n = json_integer_value(json_object_get(it, "audience"));

	start = ctl_when(c, ctl_str(it, "start"), DATEFMT_SHORT);
	end = ctl_when(c, ctl_str(it, "end"), DATEFMT_SHORT);
	/* The end's time alone when it is the same day. */
	xasprintf(&line, "%s–%s  %s%s%s%s — %lld personne%s", start,
	    strncmp(start, end, strlen(start) - 5) == 0 ?
	    end + strlen(start) - 5 : end, ctl_str(it, "title"),
	    ctl_str(it, "commune") ? " (" : "", ctl_str(it, "commune") ?
	    ctl_str(it, "commune") : "", ctl_str(it, "commune") ? ")" : "",
	    n, ctl_plural(n));
	ctl_wrap(stdout, line, 0, 4, ctl_columns(c));
	free(line);
	line = NULL;
	json_array_foreach(json_object_get(it, "reminders"), i, v) {
		when = ctl_when(c, json_string_value(v), DATEFMT_SHORT);
		xasprintf(&tmp, "%s%s%s", line ? line : "", line ? ", " : "",
		    when);
		free(line);
		free(when);
		line = tmp;
	}
	if (line != NULL) {
		fputs("    rappels : ", stdout);
		ctl_wrap(stdout, line, 14, 14, ctl_columns(c));
	}
	free(line);
	free(start);
	free(end);
}

/* The path of agenda: the number of days, and the first one if given. */
static char *
ctl_agenda_path(const char *from, int64_t days)
{
	char	*path, *esc;

	esc = curl_easy_escape(NULL, from ? from : "", 0);
	xasprintf(&path, "/v1/agenda?days=%lld%s%s", (long long)days,
	    from ? "&from=" : "", from ? esc : "");
	curl_free(esc);
	return path;
}

/* agenda: the occurrences of the next days, with their reminders. */
int
ctl_agenda(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL;
	int64_t		 days = 30;
	char		*path;
	json_t		*ans, *it;
	size_t		 i;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch == 'f')
			from = optarg;
		else if (ch != 'd')
			ctl_cmd_usage(cmd);
		else if (util_parse_int(optarg, 1, 732, &days) == -1)
			ctl_die(EXIT_USAGE, "--days : nombre de 1 à 732 "
			    "attendu");
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	path = ctl_agenda_path(from, days);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("rien au calendrier pendant ces %lld jours\n",
		    (long long)days);
	else
		json_array_foreach(ans, i, it)
			ctl_agenda_print(c, it);
	json_decref(ans);
	return 0;
}
