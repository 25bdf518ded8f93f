/*
 * ctl.c: stoppvifctl, the client of the control API.
 *
 *	stoppvifctl [-c FILE] [--json] COMMAND ...
 *
 * A table maps command words to a handler and its options.  Handlers build
 * a JSON request, send it over the daemon's Unix socket with libcurl, and
 * print the answer: aligned text for people, the JSON as is with --json.
 * Exit codes: 0 done, 1 refused or failed, 2 usage error, 3 daemon not
 * reachable.
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
#include "log.h"
#include "util.h"

#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_DOWN	3

struct ctl {
	const char	*file;		/* configuration file */
	struct config	*conf;
	int		 json;
};

struct ctl_cmd;
typedef int (*ctl_handler)(struct ctl *, const struct ctl_cmd *, int,
    char **);

struct ctl_cmd {
	const char	*word1, *word2;
	ctl_handler	 fn;
	const char	*usage;
};

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

#define PERSON_FLAGS "--name N --role R[,R...] [--commune C] [--org O]" \
	" [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]"

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
static void __attribute__((noreturn))
cmd_usage(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: stoppvifctl [-c FILE] [--json] %s\n",
	    cmd->usage);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
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
	char	*cause = NULL, *def = NULL;

	if (c->conf != NULL)
		return c->conf;
	if (c->file == NULL)
		c->file = def = config_default_file();
	c->conf = config_load_partial(c->file, &cause);
	if (c->conf == NULL)
		die(EXIT_REFUSED, "%s", cause);
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
		die(EXIT_DOWN, "le démon stoppvifd n'est pas démarré (pas de "
		    "socket %s)", socket);
	if (access(socket, R_OK | W_OK) == -1)
		die(EXIT_DOWN, "pas le droit d'ouvrir %s : demandez à "
		    "l'administrateur de vous ajouter au groupe du démon et à "
		    "[api] allow_gids", socket);
	die(EXIT_DOWN, "le démon stoppvifd ne répond pas sur %s (%s) : "
	    "est-il démarré ?", socket, curl_easy_strerror(rc));
}

/*
 * Send one request to the daemon; returns the decoded JSON answer (new
 * reference).  Exits 3 when the daemon cannot be reached and 1 on an error
 * answer, printing {"error", "field"} as "field: error".
 */
static json_t *
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
		die(EXIT_REFUSED, "libcurl cannot start");
	xasprintf(&url, "http://localhost%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, conf->socket);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
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
		die(EXIT_REFUSED, "requête trop grande pour le démon "
		    "([api] max_body)");
	ans = buf.p ? json_loads(buf.p, 0, &jerr) : NULL;
	free(buf.p);
	if (ans == NULL)
		die(EXIT_REFUSED, "réponse illisible du démon (HTTP %ld)",
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

/* ctl_call() on /v1/people/ID. */
static json_t *
ctl_call_person(struct ctl *c, const char *method, int64_t id, json_t *body)
{
	char	*path;
	json_t	*ans;

	xasprintf(&path, "/v1/people/%lld", (long long)id);
	ans = ctl_call(c, method, path, body);
	free(path);
	return ans;
}

/* Print a JSON answer for --json. */
static void
ctl_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
}

/* Display width of a UTF-8 string: its code points. */
static size_t
ctl_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* A JSON value as display text (arrays joined with commas). */
static char *
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

/* A column of a table: header and the object key it shows. */
struct ctl_col {
	const char	*title;
	const char	*key;
};

/* Print an array of objects as an aligned table. */
static void
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
static int64_t
ctl_id(int argc, char **argv, const struct ctl_cmd *cmd)
{
	int64_t	 id;

	if (argc != 1) {
		cmd_usage(cmd);
	}
	if (util_parse_int(argv[0], 1, INT64_MAX, &id) == -1)
		die(EXIT_USAGE, "« %s » n'est pas un numéro de personne",
		    argv[0]);
	return id;
}

static int
ctl_status(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*s;
	long	 up;

	if (argc != 0)
		cmd_usage(cmd);
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
				json_array_append_new(roles, json_string(tok));
			free(copy);
			continue;
		case 'n': key = "name"; break;
		case 'C': key = "commune"; break;
		case 'o': key = "org"; break;
		case 'e': key = "email"; break;
		case 'p': key = "phone"; break;
		case 'l': key = "lang"; break;
		case 'k': key = "pubkey"; break;
		default:
			cmd_usage(cmd);
		}
		if (json_object_set_new(body, key, json_string(optarg)) == -1)
			die(EXIT_USAGE, "--%s : texte UTF-8 attendu", key);
	}
	if (roles != NULL)
		json_object_set_new(body, "roles", roles);
	*optidx = optind;
	return body;
}

/* Print one person as aligned "label : value" lines. */
static void
ctl_person_print(json_t *p)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id" }, { "nom", "name" }, { "rôles", "roles" },
		{ "commune", "commune" }, { "organisme", "org" },
		{ "e-mail", "email" }, { "téléphone", "phone" },
		{ "langue", "lang" }, { "clé publique", "pubkey" },
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
		printf("%s%*s : %s\n", rows[i].title, (int)(12 -
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
		cmd_usage(cmd);
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
			cmd_usage(cmd);
		role = optarg;
	}
	if (optind != argc + 1)
		cmd_usage(cmd);
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

static int
ctl_people_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_person(c, "GET", id, NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_person_print(ans);
	json_decref(ans);
	return 0;
}

static int
ctl_people_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*body, *ans;
	int64_t	 id;
	int	 idx;

	body = ctl_person_body(argc + 1, argv - 1, cmd, &idx);
	id = ctl_id(argc + 1 - idx, argv - 1 + idx, cmd);
	if (json_object_size(body) == 0) {
		json_decref(body);
		die(EXIT_USAGE, "rien à modifier : donnez au moins une option, "
		    "par ex. --phone");
	}
	ans = ctl_call_person(c, "PATCH", id, body);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_person_print(ans);
	json_decref(ans);
	json_decref(body);
	return 0;
}

static int
ctl_people_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);
	json_t	*ans;

	ans = ctl_call_person(c, "DELETE", id, NULL);
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
			cmd_usage(cmd);
		if (util_parse_int(optarg, 1, 100000, &limit) == -1)
			die(EXIT_USAGE, "--limit : nombre de 1 à 100000 attendu");
	}
	if (optind != argc + 1)
		cmd_usage(cmd);
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
		cmd_usage(cmd);
	ans = ctl_call(c, "POST", "/v1/reload", NULL);
	if (c->json)
		ctl_print_json(ans);
	else
		printf("configuration rechargée\n");
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
