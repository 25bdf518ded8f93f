/*
 * ctl.c: stoppvifctl, the client of the control API.
 *
 *	stoppvifctl [-c FILE] [--json] COMMAND ...
 *
 * A table maps command words to a handler and its options.  Handlers build
 * a JSON request, send it over the daemon's Unix socket with libcurl, and
 * print the answer: aligned text for people, the JSON as is with --json.
 * Exit codes: 0 done, 1 refused or failed, 2 usage error, 3 daemon not
 * reachable.  The commands of the shelters, their alerts and the on-call
 * rota are in ctl_shelter.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "config.h"
#include "ctl_expand.h"
#include "ctl_int.h"
#include "datefmt.h"
#include "log.h"
#include "recur.h"
#include "utf8.h"
#include "util.h"

static int	ctl_status(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_people_add(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_people_list(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_people_show(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_people_edit(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_people_remove(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_audit(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_reload(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_offline(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_add(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_list(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_show(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_edit(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_remove(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_import(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_events_export(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_agenda(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_outbox_list(struct ctl *, const struct ctl_cmd *, int,
	    char **);
static int	ctl_outbox_retry(struct ctl *, const struct ctl_cmd *, int,
	    char **);

#define PERSON_FLAGS "--name N --role R[,R...] [--commune C] [--org O]" \
	" [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]" \
	" [--quiet-hours HH:MM-HH:MM|none]"

#define EVENT_FLAGS "--title T --dtstart LOCAL [--tz ZONE] [--rrule RULE]" \
	" [--duration 2h] [--kind platform|training|cabane|awareness|other]" \
	" [--location L] [--commune C] [--description D] [--remind 7d,1d]" \
	" [--audience role:R|person:ID,...] [--channels email,sms]" \
	" [--skip-holidays BE] [--exdate LOCAL,...] [--uid UID]"

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", NULL, ctl_status, "status" },
	{ "people", "add", ctl_people_add, "people add " PERSON_FLAGS },
	{ "people", "list", ctl_people_list, "people list [--role R]" },
	{ "people", "show", ctl_people_show, "people show ID" },
	{ "people", "edit", ctl_people_edit,
	    "people edit ID [--name N] [--role R,...] [--commune C] [--org O]"
	    " [--email E] [--phone P] [--lang L] [--pubkey KEY]" },
	{ "people", "remove", ctl_people_remove, "people remove ID" },
	{ "audit", NULL, ctl_audit, "audit [--limit N]" },
	{ "reload", NULL, ctl_reload, "reload" },
	{ "events", "add", ctl_events_add, "events add " EVENT_FLAGS },
	{ "events", "list", ctl_events_list, "events list" },
	{ "events", "show", ctl_events_show, "events show ID" },
	{ "events", "edit", ctl_events_edit, "events edit ID [same flags as "
	    "events add]" },
	{ "events", "remove", ctl_events_remove, "events remove ID" },
	{ "events", "import", ctl_events_import, "events import FILE.ics" },
	{ "events", "export", ctl_events_export, "events export [FILE.ics]" },
	{ "agenda", NULL, ctl_agenda, "agenda [--from YYYY-MM-DD] [--days N]" },
	{ "oncall", "set", ctl_oncall_set,
	    "oncall set PERSON --from LOCAL --to LOCAL" },
	{ "oncall", "show", ctl_oncall_show, "oncall show [--at LOCAL]" },
	{ "oncall", "remove", ctl_oncall_remove, "oncall remove ID" },
	{ "shelter", "list", ctl_shelter_list, "shelter list" },
	{ "shelter", "status", ctl_shelter_status, "shelter status NAME" },
	{ "shelter", "vacate", ctl_shelter_move, "shelter vacate NAME" },
	{ "shelter", "occupy", ctl_shelter_move, "shelter occupy NAME" },
	{ "shelter", "unavailable", ctl_shelter_move,
	    "shelter unavailable NAME" },
	{ "shelter", "report", ctl_shelter_report,
	    "shelter report NAME [--year YYYY]" },
	{ "alerts", "list", ctl_alerts_list, "alerts list" },
	{ "alerts", "ack", ctl_alerts_ack, "alerts ack CODE [--by ID]" },
	{ "outbox", "list", ctl_outbox_list,
	    "outbox list [--status pending|sent|failed|cancelled] [--show-body]" },
	{ "outbox", "retry", ctl_outbox_retry, "outbox retry ID" },
	{ "expand", NULL, ctl_offline, "expand --dtstart YYYY-MM-DDTHH:MM:SS "
	    "--tz ZONE --rrule RULE [--count N] [--until YYYY-MM-DDTHH:MM:SS] "
	    "[--exdate LOCAL,...] [--skip-holidays BE]" },
	{ "holidays", NULL, ctl_offline, "holidays BE YEAR" },
};
#define NCMDS	(sizeof ctl_cmds / sizeof ctl_cmds[0])

static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: stoppvifctl [-c FILE] [--json] COMMAND ...\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(stderr, "  %s\n", ctl_cmds[i].usage);
	exit(EXIT_USAGE);
}

/* Usage of one command, and exit 2. */
void
ctl_cmd_usage(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: stoppvifctl [-c FILE] [--json] %s\n",
	    cmd->usage);
	exit(EXIT_USAGE);
}

void
ctl_die(int code, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "stoppvifctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* Load the configuration, once, to find the socket and the time zone. */
static struct config *
ctl_config(struct ctl *c)
{
	char	*cause = NULL, *def = NULL, *clean;

	if (c->conf != NULL)
		return c->conf;
	if (c->file == NULL)
		c->file = def = config_default_file();
	c->conf = config_load_partial(c->file, &cause);
	if (cause != NULL && !utf8_valid(cause, strlen(cause))) {
		/* it quotes a file saved in Latin-1: print UTF-8 */
		clean = utf8_sanitize(cause);
		free(cause);
		cause = clean;
	}
	if (c->conf == NULL)
		ctl_die(EXIT_REFUSED, "%s", cause);
	if (cause != NULL) {
		/* The daemon may still run on the previous, good version. */
		fprintf(stderr, "stoppvifctl: attention, %s contient des "
		    "erreurs (stoppvifd -t les détaille) :\n%s\n", c->file,
		    cause);
		free(cause);
	}
	free(def);
	setenv("TZ", c->conf->timezone, 1);
	tzset();
	return c->conf;
}

/* libcurl write callback: append to a growing buffer. */
static size_t
ctl_write(char *ptr, size_t size, size_t n, void *arg)
{
	struct { char *p; size_t len; } *b = arg;

	b->p = xreallocarray(b->p, b->len + size * n + 1, 1);
	memcpy(b->p + b->len, ptr, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

/* Say why the daemon cannot be reached, and exit 3. */
static void __attribute__((noreturn))
ctl_unreachable(const char *socket, CURLcode rc)
{
	struct stat	 sb;

	if (stat(socket, &sb) == -1 && errno == ENOENT)
		ctl_die(EXIT_DOWN, "le démon stoppvifd n'est pas démarré (pas "
		    "de socket %s)", socket);
	if (access(socket, R_OK | W_OK) == -1)
		ctl_die(EXIT_DOWN, "pas le droit d'ouvrir %s : demandez à "
		    "l'administrateur de vous ajouter au groupe du démon et à "
		    "[api] allow_gids", socket);
	ctl_die(EXIT_DOWN, "le démon stoppvifd ne répond pas sur %s (%s) : "
	    "est-il démarré ?", socket, curl_easy_strerror(rc));
}

/*
 * Send one request to the daemon; returns the decoded JSON answer (new
 * reference).  Exits 3 when the daemon cannot be reached and 1 on an error
 * answer, printing {"error", "field"} as "field: error".
 */
json_t *
ctl_call(struct ctl *c, const char *method, const char *path, json_t *body)
{
	struct config		*conf = ctl_config(c);
	struct curl_slist	*hdrs = NULL;
	struct { char *p; size_t len; } buf = { NULL, 0 };
	json_error_t		 jerr;
	json_t			*ans, *err, *field;
	CURL			*curl;
	CURLcode		 rc;
	char			*url, *text = NULL;
	long			 status = 0;

	if ((curl = curl_easy_init()) == NULL)
		ctl_die(EXIT_REFUSED, "libcurl cannot start");
	xasprintf(&url, "http://localhost%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, conf->socket);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			ctl_die(EXIT_REFUSED, "requête impossible à écrire en "
			    "JSON (texte UTF-8 attendu)");
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(hdrs);
	free(text);
	free(url);
	if (rc != CURLE_OK)
		ctl_unreachable(conf->socket, rc);
	if (status == 413)
		ctl_die(EXIT_REFUSED, "requête trop grande pour le démon "
		    "([api] max_body)");
	ans = buf.p ? json_loads(buf.p, 0, &jerr) : NULL;
	free(buf.p);
	if (ans == NULL)
		ctl_die(EXIT_REFUSED, "réponse illisible du démon (HTTP %ld)",
		    status);
	if (status >= 400) {
		err = json_object_get(ans, "error");
		field = json_object_get(ans, "field");
		if (c->json)
			json_dumpf(ans, stdout, JSON_INDENT(2));
		if (c->json)
			putchar('\n');
		fprintf(stderr, "stoppvifctl: %s%s%s\n", json_is_string(field) ?
		    json_string_value(field) : "", json_is_string(field) ?
		    ": " : "", json_is_string(err) ? json_string_value(err) :
		    "erreur inconnue");
		json_decref(ans);
		exit(EXIT_REFUSED);
	}
	return ans;
}

/* ctl_call() on BASE/ID (/v1/people/12, /v1/events/3). */
json_t *
ctl_call_id(struct ctl *c, const char *method, const char *base, int64_t id,
    json_t *body)
{
	char	*path;
	json_t	*ans;

	xasprintf(&path, "%s/%lld", base, (long long)id);
	ans = ctl_call(c, method, path, body);
	free(path);
	return ans;
}

/* Print a JSON answer for --json. */
void
ctl_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
}

/* Print an answer: as JSON with --json, else with print; then free it. */
void
ctl_answer(struct ctl *c, json_t *ans, void (*print)(struct ctl *, json_t *))
{
	if (c->json)
		ctl_print_json(ans);
	else
		print(c, ans);
	json_decref(ans);
}

/* Display width of a UTF-8 string: its code points. */
size_t
ctl_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* A JSON value as display text (arrays joined with commas). */
char *
ctl_text(json_t *v)
{
	char	*s = NULL, *tmp;
	json_t	*item;
	size_t	 i;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return s;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			xasprintf(&tmp, "%s%s%s", s ? s : "", s ? "," : "",
			    json_is_string(item) ? json_string_value(item) : "?");
			free(s);
			s = tmp;
		}
		return s ? s : xstrdup("");
	}
	return xstrdup(json_is_true(v) ? "oui" : json_is_false(v) ? "non" : "-");
}

/* Print an array of objects as an aligned table. */
void
ctl_table(json_t *rows, const struct ctl_col *cols, size_t ncols,
    char *(*fmt)(const char *, json_t *))
{
	size_t	 nrows = json_array_size(rows), r, k, *w, pad;
	char	**cells;

	w = xcalloc(ncols, sizeof *w);
	cells = xcalloc((nrows + 1) * ncols, sizeof *cells);
	for (k = 0; k < ncols; k++)
		cells[k] = xstrdup(cols[k].title);
	for (r = 0; r < nrows; r++) {
		for (k = 0; k < ncols; k++) {
			json_t	*v = json_object_get(json_array_get(rows, r),
			    cols[k].key);

			cells[(r + 1) * ncols + k] = fmt != NULL ?
			    fmt(cols[k].key, v) : ctl_text(v);
		}
	}
	for (r = 0; r <= nrows; r++)
		for (k = 0; k < ncols; k++)
			if (ctl_width(cells[r * ncols + k]) > w[k])
				w[k] = ctl_width(cells[r * ncols + k]);
	for (r = 0; r <= nrows; r++) {
		for (k = 0; k < ncols; k++) {
			fputs(cells[r * ncols + k], stdout);
			if (k + 1 == ncols)
				break;
			pad = w[k] - ctl_width(cells[r * ncols + k]) + 2;
			printf("%*s", (int)pad, "");
		}
		putchar('\n');
	}
	for (r = 0; r < (nrows + 1) * ncols; r++)
		free(cells[r]);
	free(cells);
	free(w);
}

/* A UTC time "YYYY-MM-DDTHH:MM:SSZ" in the configured zone. */
static char *
ctl_localtime(const char *utc)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];

	memset(&tm, 0, sizeof tm);
	if (utc == NULL || strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return xstrdup(utc ? utc : "-");
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%d/%m/%Y %H:%M", &tm);
	return xstrdup(buf);
}

/* Parse the ID argument of a command. */
int64_t
ctl_id(int argc, char **argv, const struct ctl_cmd *cmd)
{
	int64_t	 id;

	if (argc != 1) {
		ctl_cmd_usage(cmd);
	}
	if (util_parse_int(argv[0], 1, INT64_MAX, &id) == -1)
		ctl_die(EXIT_USAGE, "« %s » n'est pas un numéro (entier "
		    "positif attendu)", argv[0]);
	return id;
}

/* The outbox counts and the next reminder of a status answer. */
static void
ctl_status_outbox(struct ctl *c, json_t *s)
{
	json_t	*o = json_object_get(s, "outbox");
	json_t	*next = json_object_get(json_object_get(s, "scheduler"),
		    "next_reminder");
	char	*when;

	printf("messages : %lld en attente, %lld envoyé(s), %lld en échec, "
	    "%lld annulé(s)\n",
	    (long long)json_integer_value(json_object_get(o, "pending")),
	    (long long)json_integer_value(json_object_get(o, "sent")),
	    (long long)json_integer_value(json_object_get(o, "failed")),
	    (long long)json_integer_value(json_object_get(o, "cancelled")));
	when = json_is_string(next) ? ctl_localtime(json_string_value(next)) :
	    xstrdup("aucun");
	printf("prochain rappel : %s\n", when);
	free(when);
}

static int
ctl_status(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*s;
	long	 up;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	s = ctl_call(c, "GET", "/v1/status", NULL);
	if (c->json)
		ctl_print_json(s);
	else {
		up = (long)json_integer_value(json_object_get(s, "uptime"));
		printf("stoppvifd %s, pid %lld, en marche depuis %ldj %02ldh"
		    "%02ldm\n", json_string_value(json_object_get(s,
		    "version")), (long long)json_integer_value(
		    json_object_get(s, "pid")), up / 86400, up / 3600 % 24,
		    up / 60 % 60);
		printf("annuaire : %lld personne(s)\n", (long long)
		    json_integer_value(json_object_get(s, "people")));
		printf("calendrier : %lld événement(s)\n", (long long)
		    json_integer_value(json_object_get(s, "events")));
		ctl_status_outbox(c, s);
		ctl_status_shelters(c, s);
	}
	json_decref(s);
	return 0;
}

/* Options shared by people add and people edit. */
static const struct option ctl_person_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "role", required_argument, NULL, 'r' },
	{ "commune", required_argument, NULL, 'C' },
	{ "org", required_argument, NULL, 'o' },
	{ "email", required_argument, NULL, 'e' },
	{ "phone", required_argument, NULL, 'p' },
	{ "lang", required_argument, NULL, 'l' },
	{ "pubkey", required_argument, NULL, 'k' },
	{ "quiet-hours", required_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

/* Build a person request from the flags; *optidx is set to the first
 * argument that is not an option. */
static json_t *
ctl_person_body(int argc, char **argv, const struct ctl_cmd *cmd,
    int *optidx)
{
	json_t		*body = json_object(), *roles = NULL;
	char		*copy, *tok, *save = NULL;
	const char	*key;
	int		 ch;

	optind = 0;	/* GNU getopt permutes: the ID may come first */
	while ((ch = getopt_long(argc, argv, "", ctl_person_opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'r':
			if (roles == NULL)
				roles = json_array();
			copy = xstrdup(optarg);
			for (tok = strtok_r(copy, ", ", &save); tok != NULL;
			    tok = strtok_r(NULL, ", ", &save))
				if (json_array_append_new(roles,
				    json_string(tok)) == -1)
					ctl_die(EXIT_USAGE, "--role : texte UTF-8 "
					    "attendu");
			free(copy);
			continue;
		case 'n': key = "name"; break;
		case 'C': key = "commune"; break;
		case 'o': key = "org"; break;
		case 'e': key = "email"; break;
		case 'p': key = "phone"; break;
		case 'l': key = "lang"; break;
		case 'k': key = "pubkey"; break;
		case 'q': key = "quiet_hours"; break;
		default:
			ctl_cmd_usage(cmd);
		}
		if (json_object_set_new(body, key, json_string(optarg)) == -1)
			ctl_die(EXIT_USAGE, "--%s : texte UTF-8 attendu", key);
	}
	if (roles != NULL)
		json_object_set_new(body, "roles", roles);
	*optidx = optind;
	return body;
}

/* Print one person as aligned "label : value" lines. */
static void
ctl_person_print(struct ctl *c, json_t *p)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id" }, { "nom", "name" }, { "rôles", "roles" },
		{ "commune", "commune" }, { "organisme", "org" },
		{ "e-mail", "email" }, { "téléphone", "phone" },
		{ "langue", "lang" }, { "clé publique", "pubkey" },
		{ "heures calmes", "quiet_hours" },
		{ "créé", "created" }, { "modifié", "updated" },
	};
	size_t	 i;
	char	*v;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_t	*val = json_object_get(p, rows[i].key);

		if (strcmp(rows[i].key, "created") == 0 ||
		    strcmp(rows[i].key, "updated") == 0)
			v = ctl_localtime(json_string_value(val));
		else
			v = ctl_text(val);
		printf("%s%*s : %s\n", rows[i].title, (int)(13 -
		    ctl_width(rows[i].title)), "", v);
		free(v);
	}
}

static int
ctl_people_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*body, *ans;
	int	 idx;

	body = ctl_person_body(argc + 1, argv - 1, cmd, &idx);
	if (idx != argc + 1) {
		json_decref(body);
		ctl_cmd_usage(cmd);
	}
	ans = ctl_call(c, "POST", "/v1/people", body);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("%lld\n", (long long)json_integer_value(
		    json_object_get(ans, "id")));
	json_decref(ans);
	json_decref(body);
	return 0;
}

static int
ctl_people_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "N°", "id" }, { "NOM", "name" }, { "RÔLES", "roles" },
		{ "COMMUNE", "commune" }, { "ORGANISME", "org" },
		{ "E-MAIL", "email" }, { "TÉLÉPHONE", "phone" },
		{ "LANGUE", "lang" },
	};
	const char	*role = NULL;
	char		*path, *esc;
	json_t		*ans;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch != 'r')
			ctl_cmd_usage(cmd);
		role = optarg;
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	if (role != NULL) {
		esc = curl_easy_escape(NULL, role, 0);
		xasprintf(&path, "/v1/people?role=%s", esc);
		curl_free(esc);
	} else
		path = xstrdup("/v1/people");
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucune personne%s%s\n", role ? " avec le rôle " : "",
		    role ? role : "");
	else
		ctl_table(ans, cols, sizeof cols / sizeof cols[0], NULL);
	json_decref(ans);
	return 0;
}

/*
 * `people edit` and `events edit`: the flags (before or after the ID) become
 * a PATCH of BASE/ID, the answer is printed with print.  hint is an option
 * to suggest when none was given.
 */
static int
ctl_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
    json_t *(*body_fn)(int, char **, const struct ctl_cmd *, int *),
    const char *base, void (*print)(struct ctl *, json_t *), const char *hint)
{
	json_t	*body, *ans;
	int64_t	 id;
	int	 idx;

	body = body_fn(argc + 1, argv - 1, cmd, &idx);
	id = ctl_id(argc + 1 - idx, argv - 1 + idx, cmd);
	if (json_object_size(body) == 0) {
		json_decref(body);
		ctl_die(EXIT_USAGE, "rien à modifier : donnez au moins une "
		    "option, par ex. %s", hint);
	}
	ans = ctl_call_id(c, "PATCH", base, id, body);
	ctl_answer(c, ans, print);
	json_decref(body);
	return 0;
}

static int
ctl_people_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_id(c, "GET", "/v1/people", id, NULL);
	ctl_answer(c, ans, ctl_person_print);
	return 0;
}

static int
ctl_people_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return ctl_edit(c, cmd, argc, argv, ctl_person_body, "/v1/people",
	    ctl_person_print, "--phone");
}

static int
ctl_people_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_id(c, "DELETE", "/v1/people", id, NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("personne %lld effacée : ses coordonnées sont "
		    "illisibles\n", (long long)id);
	json_decref(ans);
	return 0;
}

/* Cell text for the audit table: local times. */
static char *
ctl_audit_cell(const char *key, json_t *v)
{
	if (strcmp(key, "at") == 0)
		return ctl_localtime(json_string_value(v));
	return ctl_text(v);
}

static int
ctl_audit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "N°", "id" }, { "QUAND", "at" }, { "UID", "uid" },
		{ "ACTION", "action" }, { "OBJET", "object" },
		{ "ID", "object_id" },
	};
	int64_t	 limit = 50;
	char	*path;
	json_t	*ans;
	int	 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch != 'l')
			ctl_cmd_usage(cmd);
		if (util_parse_int(optarg, 1, 100000, &limit) == -1)
			ctl_die(EXIT_USAGE, "--limit : nombre de 1 à 100000 "
			    "attendu");
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	xasprintf(&path, "/v1/audit?limit=%lld", (long long)limit);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_table(ans, cols, sizeof cols / sizeof cols[0],
		    ctl_audit_cell);
	json_decref(ans);
	return 0;
}

static int
ctl_reload(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*ans;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "POST", "/v1/reload", NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("configuration rechargée\n");
	json_decref(ans);
	return 0;
}

/* expand and holidays need no daemon: see ctl_expand.c. */
static int
ctl_offline(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	/* argv[-1] is the command word, as getopt wants argv[0]. */
	if (strcmp(cmd->word1, "expand") == 0)
		return ctl_expand(argc + 1, argv - 1);
	return ctl_holidays(argc + 1, argv - 1);
}

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

/* The JSON key of an event option. */
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

/* Build an event request from the flags; *optidx as ctl_person_body. */
static json_t *
ctl_event_body(int argc, char **argv, const struct ctl_cmd *cmd, int *optidx)
{
	json_t		*body = json_object(), *ex = NULL;
	const char	*key;
	char		*copy, *tok, *save = NULL;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", ctl_event_opts, NULL)) !=
	    -1) {
		if (ch == 'x') {
			if (ex == NULL)
				ex = json_array();
			copy = xstrdup(optarg);
			for (tok = strtok_r(copy, ", ", &save); tok != NULL;
			    tok = strtok_r(NULL, ", ", &save))
				if (json_array_append_new(ex,
				    json_string(tok)) == -1)
					ctl_die(EXIT_USAGE, "--exdate : texte UTF-8 "
					    "attendu");
			free(copy);
			continue;
		}
		if ((key = ctl_event_key(ch)) == NULL)
			ctl_cmd_usage(cmd);
		if (json_object_set_new(body, key, json_string(optarg)) == -1)
			ctl_die(EXIT_USAGE, "--%s : texte UTF-8 attendu", key);
	}
	if (ex != NULL)
		json_object_set_new(body, "exdates", ex);
	*optidx = optind;
	return body;
}

/* "2026-01-07T14:00:00+01:00" written for people in the daemon's
 * language ("mer. 7 janv. 2026 14:00"); the text itself when unreadable. */
char *
ctl_when(struct ctl *c, const char *iso, enum datefmt_style style)
{
	struct recur_civil	 t;
	char			 buf[DATEFMT_LEN], *date;

	if (iso == NULL)
		return xstrdup("-");
	date = xstrndup(iso, 19);
	if (strlen(iso) < 19 || recur_civil_parse(date, &t, NULL) == -1) {
		free(date);
		return xstrdup(iso);
	}
	free(date);
	return xstrdup(datefmt(ctl_config(c)->language, style, &t, buf,
	    sizeof buf));
}

static int
ctl_events_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*body, *ans;
	int	 idx;

	body = ctl_event_body(argc + 1, argv - 1, cmd, &idx);
	if (idx != argc + 1) {
		json_decref(body);
		ctl_cmd_usage(cmd);
	}
	ans = ctl_call(c, "POST", "/v1/events", body);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("%lld\n", (long long)json_integer_value(
		    json_object_get(ans, "id")));
	json_decref(ans);
	json_decref(body);
	return 0;
}

/* The ctl_c of the current command, for table cells. */
static struct ctl *ctl_cur;

/* Cell text for the events table: the next occurrence for people. */
static char *
ctl_event_cell(const char *key, json_t *v)
{
	if (strcmp(key, "next") == 0)
		return ctl_when(ctl_cur, json_string_value(v), DATEFMT_SHORT);
	return ctl_text(v);
}

static int
ctl_events_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct ctl_col cols[] = {
		{ "N°", "id" }, { "TITRE", "title" }, { "TYPE", "kind" },
		{ "PROCHAINE", "next" }, { "DURÉE", "duration" },
		{ "RAPPELS", "remind" }, { "PUBLIC", "audience" },
		{ "RÈGLE", "rrule" },
	};
	json_t	*ans;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/events", NULL);
	ctl_cur = c;
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucun événement\n");
	else
		ctl_table(ans, cols, sizeof cols / sizeof cols[0],
		    ctl_event_cell);
	json_decref(ans);
	return 0;
}

/* Print one event as aligned "label : value" lines. */
static void
ctl_event_print(struct ctl *c, json_t *e)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id" }, { "titre", "title" }, { "type", "kind" },
		{ "début", "dtstart" }, { "fuseau", "tz" },
		{ "règle", "rrule" }, { "durée", "duration" },
		{ "lieu", "location" }, { "commune", "commune" },
		{ "rappels", "remind" }, { "public", "audience" },
		{ "canaux", "channels" }, { "jours fériés", "skip_holidays" },
		{ "exceptions", "exdates" }, { "prochaine", "next" },
		{ "description", "description" }, { "uid", "uid" },
		{ "créé", "created" }, { "modifié", "updated" },
	};
	size_t	 i;
	char	*v;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_t	*val = json_object_get(e, rows[i].key);

		if (strcmp(rows[i].key, "next") == 0)
			v = ctl_when(c, json_string_value(val), DATEFMT_LONG);
		else if (strcmp(rows[i].key, "created") == 0 ||
		    strcmp(rows[i].key, "updated") == 0)
			v = ctl_localtime(json_string_value(val));
		else if (strcmp(rows[i].key, "skip_holidays") == 0)
			v = xstrdup(json_is_string(val) ? "sautés (BE)" :
			    "non sautés");
		else
			v = ctl_text(val);
		printf("%s%*s : %s\n", rows[i].title, (int)(12 -
		    ctl_width(rows[i].title)), "", *v ? v : "-");
		free(v);
	}
}

static int
ctl_events_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_id(c, "GET", "/v1/events", id, NULL);
	ctl_answer(c, ans, ctl_event_print);
	return 0;
}

static int
ctl_events_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return ctl_edit(c, cmd, argc, argv, ctl_event_body, "/v1/events",
	    ctl_event_print, "--dtstart");
}

static int
ctl_events_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_id(c, "DELETE", "/v1/events", id, NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("événement %lld supprimé, ses rappels en attente sont "
		    "annulés\n", (long long)id);
	json_decref(ans);
	return 0;
}

/* Read a whole file (or stdin for "-") as a NUL-terminated string. */
static char *
ctl_slurp(const char *path)
{
	FILE	*fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char	*buf = NULL;
	size_t	 len = 0, n;

	if (fp == NULL)
		ctl_die(EXIT_REFUSED, "%s : %s", path, strerror(errno));
	do {
		buf = xreallocarray(buf, len + 65536 + 1, 1);
		n = fread(buf + len, 1, 65536, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp))
		ctl_die(EXIT_REFUSED, "%s : lecture impossible", path);
	if (fp != stdin)
		fclose(fp);
	buf[len] = '\0';
	if (strlen(buf) != len)
		ctl_die(EXIT_REFUSED, "%s : ce n'est pas un fichier texte",
		    path);
	return buf;
}

/*
 * Outlook folds lines at 75 octets even inside a character, which leaves
 * the file invalid UTF-8 (a JSON string cannot carry it).  Move the bytes
 * that continue a character from after each fold to before it, in place:
 * unfolding gives the same text and every line keeps its number.
 */
static void
ctl_ics_refold(char *s)
{
	char	 fold[3], *p, *q;
	size_t	 brk, k;

	for (p = s; *p != '\0'; p++) {
		if (*p != '\r' && *p != '\n')
			continue;
		brk = p[0] == '\r' && p[1] == '\n' ? 2 : 1;
		if (p[brk] != ' ' && p[brk] != '\t') {
			p += brk - 1;
			continue;
		}
		q = p + brk + 1;
		for (k = 0; ((unsigned char)q[k] & 0xc0) == 0x80; k++)
			;
		memcpy(fold, p, brk + 1);
		memmove(p, q, k);
		memcpy(p + k, fold, brk + 1);
		p += k + brk;		/* on the blank; the loop steps over */
	}
}

static int
ctl_events_import(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*body, *ans, *item;
	size_t	 i;
	char	*text;

	if (argc != 1)
		ctl_cmd_usage(cmd);
	text = ctl_slurp(argv[0]);
	ctl_ics_refold(text);
	if ((body = json_pack("{ss}", "ics", text)) == NULL)
		ctl_die(EXIT_REFUSED, "%s : texte UTF-8 attendu (fichier en "
		    "Latin-1 ? réenregistrez-le en UTF-8)", argv[0]);
	free(text);
	ans = ctl_call(c, "POST", "/v1/events/import", body);
	json_decref(body);
	if (c->json)
		ctl_print_json(ans);
	else {
		printf("%lld événement(s) ajouté(s), %lld mis à jour\n",
		    (long long)json_integer_value(json_object_get(ans,
		    "added")), (long long)json_integer_value(
		    json_object_get(ans, "updated")));
		json_array_foreach(json_object_get(ans, "ignored"), i, item)
			printf("  non importé : %s\n", json_string_value(item));
	}
	json_decref(ans);
	return 0;
}

static int
ctl_events_export(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t		*ans;
	const char	*text;
	FILE		*fp = stdout;

	if (argc > 1)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/events/export", NULL);
	text = json_string_value(json_object_get(ans, "ics"));
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
	char	*start, *end, *when;
	size_t	 i;
	long long n = json_integer_value(json_object_get(it, "audience"));

	start = ctl_when(c, json_string_value(json_object_get(it, "start")),
	    DATEFMT_SHORT);
	end = ctl_when(c, json_string_value(json_object_get(it, "end")),
	    DATEFMT_SHORT);
	/* The end's time alone when it is the same day. */
	printf("%s–%s  %s", start, strncmp(start, end, strlen(start) - 5) ==
	    0 ? end + strlen(start) - 5 : end, json_string_value(
	    json_object_get(it, "title")));
	if (json_is_string(json_object_get(it, "commune")))
		printf(" (%s)", json_string_value(json_object_get(it,
		    "commune")));
	printf(" — %lld personne%s\n", n, n > 1 ? "s" : "");
	json_array_foreach(json_object_get(it, "reminders"), i, v) {
		when = ctl_when(c, json_string_value(v), DATEFMT_SHORT);
		printf("%s%s", i == 0 ? "    rappels : " : ", ", when);
		free(when);
	}
	if (json_array_size(json_object_get(it, "reminders")) > 0)
		putchar('\n');
	free(start);
	free(end);
}

static int
ctl_agenda(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL;
	int64_t		 days = 30;
	char		*path, *esc;
	json_t		*ans, *it;
	size_t		 i;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch == 'f')
			from = optarg;
		else if (ch == 'd' && util_parse_int(optarg, 1, 732, &days) ==
		    0)
			continue;
		else if (ch == 'd')
			ctl_die(EXIT_USAGE, "--days : nombre de 1 à 732 "
			    "attendu");
		else
			ctl_cmd_usage(cmd);
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	esc = curl_easy_escape(NULL, from ? from : "", 0);
	xasprintf(&path, "/v1/agenda?days=%lld%s%s", (long long)days,
	    from ? "&from=" : "", from ? esc : "");
	curl_free(esc);
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

/* What each listed message says (--show-body), after the table. */
static void
ctl_outbox_bodies(json_t *rows)
{
	json_t	*m;
	size_t	 i;

	json_array_foreach(rows, i, m) {
		printf("\n— message %lld à %s\n", (long long)json_integer_value(
		    json_object_get(m, "id")), json_is_string(json_object_get(m,
		    "to")) ? json_string_value(json_object_get(m, "to")) : "?");
		if (json_is_string(json_object_get(m, "subject")))
			printf("Objet : %s\n", json_string_value(
			    json_object_get(m, "subject")));
		if (json_is_string(json_object_get(m, "body")))
			printf("%s\n", json_string_value(json_object_get(m,
			    "body")));
		else if (json_is_string(json_object_get(m, "render_error")))
			printf("(illisible : %s)\n", json_string_value(
			    json_object_get(m, "render_error")));
	}
}

/* Cell text for the outbox table: local times. */
static char *
ctl_outbox_cell(const char *key, json_t *v)
{
	if (strcmp(key, "not_before") == 0 || strcmp(key, "occurrence") == 0)
		return ctl_localtime(json_string_value(v));
	return ctl_text(v);
}

static int
ctl_outbox_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "show-body", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "N°", "id" }, { "ÉTAT", "status" }, { "TYPE", "kind" },
		{ "CANAL", "channel" }, { "PERSONNE", "person" },
		{ "ÉVÉNEMENT", "event" }, { "OCCURRENCE", "occurrence" },
		{ "À PARTIR DE", "not_before" }, { "ESSAIS", "attempts" },
	};
	const char	*status = NULL;
	char		*path, *esc;
	json_t		*ans;
	int		 ch, bodies = 0;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch == 'b')
			bodies = 1;
		else if (ch == 's')
			status = optarg;
		else
			ctl_cmd_usage(cmd);
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	esc = curl_easy_escape(NULL, status ? status : "", 0);
	xasprintf(&path, "/v1/outbox?limit=1000%s%s%s", status ? "&status=" :
	    "", status ? esc : "", bodies ? "&body=1" : "");
	curl_free(esc);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucun message%s%s\n", status ? " à l'état " : "",
		    status ? status : "");
	else
		ctl_table(ans, cols, sizeof cols / sizeof cols[0],
		    ctl_outbox_cell);
	if (!c->json && bodies)
		ctl_outbox_bodies(ans);
	json_decref(ans);
	return 0;
}

static int
ctl_outbox_retry(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_id(c, "POST", "/v1/outbox", id, NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("message %lld remis en file : il part maintenant\n",
		    (long long)id);
	json_decref(ans);
	return 0;
}

/* Every command accepts --json, before or after its words: take it out. */
static void
ctl_take_json(struct ctl *c, int *argc, char **argv)
{
	int	 i, o = 1;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[o++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else
			argv[o++] = argv[i];
	}
	argv[o] = NULL;
	*argc = o;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 c;
	size_t		 i;
	int		 ch, rc, used;

	memset(&c, 0, sizeof c);
	log_init("stoppvifctl", 1, LOG_LEVEL_WARN);
	ctl_take_json(&c, &argc, argv);
	while ((ch = getopt_long(argc, argv, "+c:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c.file = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	for (i = 0; i < NCMDS; i++) {
		if (strcmp(argv[0], ctl_cmds[i].word1) != 0)
			continue;
		if (ctl_cmds[i].word2 == NULL)
			break;
		if (argc > 1 && strcmp(argv[1], ctl_cmds[i].word2) == 0)
			break;
	}
	if (i == NCMDS)
		usage();
	used = ctl_cmds[i].word2 == NULL ? 1 : 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = ctl_cmds[i].fn(&c, &ctl_cmds[i], argc - used, argv + used);
	curl_global_cleanup();
	config_free(c.conf);
	return rc;
}
