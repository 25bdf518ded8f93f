/*
 * ctl_io.c: the bottom of stoppvifctl, shared by every command file.
 *
 * It loads the configuration (to find the socket, the time zone and the
 * language), sends one request to the daemon over its Unix socket with
 * libcurl and decodes the JSON answer, ends the program with a message and
 * an exit code, and writes answers for people: aligned tables, "label :
 * value" records, times in the configured zone or in words.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "config.h"
#include "ctl_io.h"
#include "datefmt.h"
#include "recur.h"
#include "utf8.h"
#include "util.h"

/* The growing buffer of an answer. */
struct ctl_buf {
	char	*p;
	size_t	 len;
};

/* Usage of one command, and exit 2. */
void
ctl_cmd_usage(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: stoppvifctl [-c FILE] [--json] %s\n",
	    cmd->usage);
	exit(EXIT_USAGE);
}

/* Say "stoppvifctl: " and the message on stderr, and exit with code. */
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
	struct ctl_buf	*b = arg;

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

/* A libcurl handle for method on url, through the socket, into buf. */
static CURL *
ctl_curl(const char *socket, const char *method, const char *url,
    struct ctl_buf *buf)
{
	CURL	*curl;

	if ((curl = curl_easy_init()) == NULL)
		ctl_die(EXIT_REFUSED, "libcurl cannot start");
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, buf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	return curl;
}

/*
 * Send one request: returns the bytes of the answer (NULL when it had
 * none; the caller frees them) and sets *status to its HTTP status.  Exits
 * 3 when the daemon cannot be reached.
 */
static char *
ctl_send(struct config *conf, const char *method, const char *path,
    json_t *body, long *status)
{
	struct curl_slist	*hdrs = NULL;
	struct ctl_buf		 buf = { NULL, 0 };
	CURL			*curl;
	CURLcode		 rc;
	char			*url, *text = NULL;

	xasprintf(&url, "http://localhost%s", path);
	curl = ctl_curl(conf->socket, method, url, &buf);
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			ctl_die(EXIT_REFUSED, "requête impossible à écrire en "
			    "JSON (texte UTF-8 attendu)");
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
	}
	rc = curl_easy_perform(curl);
	*status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(hdrs);
	free(text);
	free(url);
	if (rc != CURLE_OK)
		ctl_unreachable(conf->socket, rc);
	return buf.p;
}

/* Print an error answer as "field: error" (and as JSON with --json), free
 * it, and exit 1. */
static void __attribute__((noreturn))
ctl_refused(struct ctl *c, json_t *ans)
{
	json_t	*err = json_object_get(ans, "error");
	json_t	*field = json_object_get(ans, "field");

	if (c->json) {
		json_dumpf(ans, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	fprintf(stderr, "stoppvifctl: %s%s%s\n", json_is_string(field) ?
	    json_string_value(field) : "", json_is_string(field) ? ": " : "",
	    json_is_string(err) ? json_string_value(err) : "erreur inconnue");
	json_decref(ans);
	exit(EXIT_REFUSED);
}

/* Send one request to the daemon and decode its answer (ctl_io.h). */
json_t *
ctl_call(struct ctl *c, const char *method, const char *path, json_t *body)
{
	struct config	*conf = ctl_config(c);
	json_error_t	 jerr;
	json_t		*ans;
	char		*text;
	long		 status;

	text = ctl_send(conf, method, path, body, &status);
	if (status == 413)
		ctl_die(EXIT_REFUSED, "requête trop grande pour le démon "
		    "([api] max_body)");
	ans = text != NULL ? json_loads(text, 0, &jerr) : NULL;
	free(text);
	if (ans == NULL)
		ctl_die(EXIT_REFUSED, "réponse illisible du démon (HTTP %ld)",
		    status);
	if (status >= 400)
		ctl_refused(c, ans);
	return ans;
}

/* ctl_call() on BASE/ID. */
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

/* A path with one URL-encoded query parameter, when value is set. */
char *
ctl_query(const char *base, const char *key, const char *value)
{
	char	*esc, *path;

	if (value == NULL)
		return xstrdup(base);
	if ((esc = curl_easy_escape(NULL, value, 0)) == NULL)
		ctl_die(EXIT_REFUSED, "libcurl ne sait pas encoder --%s", key);
	xasprintf(&path, "%s?%s=%s", base, key, esc);
	curl_free(esc);
	return path;
}

/* Print a JSON answer for --json. */
void
ctl_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
}

/* Print an answer with print, or as JSON with --json; free it. */
void
ctl_answer(struct ctl *c, json_t *ans, ctl_printer print)
{
	if (c->json)
		ctl_print_json(ans);
	else
		print(c, ans);
	json_decref(ans);
}

/* Print a message, or the answer as JSON with --json; free it. */
void
ctl_done(struct ctl *c, json_t *ans, const char *fmt, ...)
{
	va_list	 ap;

	if (c->json)
		ctl_print_json(ans);
	else {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	json_decref(ans);
}

/* The ID of what a POST created, alone on a line. */
void
ctl_created(struct ctl *c, json_t *ans)
{
	ctl_done(c, ans, "%lld\n", (long long)json_integer_value(
	    json_object_get(ans, "id")));
}

/* Append the items of a comma- or space-separated list to arr. */
void
ctl_list_append(json_t *arr, const char *list, const char *opt)
{
	char	*copy, *tok, *save = NULL;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save))
		if (json_array_append_new(arr, json_string(tok)) == -1)
			ctl_die(EXIT_USAGE, "%s : texte UTF-8 attendu", opt);
	free(copy);
}

/* Set a string member of a request, or exit 2 naming the option. */
void
ctl_body_set(json_t *body, const char *key, const char *value)
{
	if (json_object_set_new(body, key, json_string(value)) == -1)
		ctl_die(EXIT_USAGE, "--%s : texte UTF-8 attendu", key);
}

/* The add commands: the flags become a POST of path; prints the new ID. */
int
ctl_add(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
    ctl_body_fn body_fn, const char *path)
{
	json_t	*body, *ans;
	int	 idx;

	body = body_fn(argc + 1, argv - 1, cmd, &idx);
	if (idx != argc + 1) {
		json_decref(body);
		ctl_cmd_usage(cmd);
	}
	ans = ctl_call(c, "POST", path, body);
	json_decref(body);
	ctl_created(c, ans);
	return 0;
}

/* The edit commands: the flags become a PATCH of BASE/ID. */
int
ctl_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
    ctl_body_fn body_fn, const char *base, ctl_printer print,
    const char *hint)
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

/* The single ID argument of a command, or exit 2. */
int64_t
ctl_id(int argc, char **argv, const struct ctl_cmd *cmd)
{
	int64_t	 id;

	if (argc != 1)
		ctl_cmd_usage(cmd);
	if (util_parse_int(argv[0], 1, INT64_MAX, &id) == -1)
		ctl_die(EXIT_USAGE, "« %s » n'est pas un numéro (entier "
		    "positif attendu)", argv[0]);
	return id;
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

/* A JSON value as display text: arrays joined with commas, booleans as
 * "oui" and "non", anything else "-". */
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
			    json_is_string(item) ? json_string_value(item) :
			    "?");
			free(s);
			s = tmp;
		}
		return s ? s : xstrdup("");
	}
	return xstrdup(json_is_true(v) ? "oui" : json_is_false(v) ? "non" :
	    "-");
}

const char *
ctl_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Integer or real alike: the API writes some counts as reals. */
long long
ctl_num(json_t *o, const char *key)
{
	return (long long)json_number_value(json_object_get(o, key));
}

const char *
ctl_plural(long long n)
{
	return n > 1 ? "s" : "";
}

void
ctl_set_text(json_t *o, const char *key, char *s)
{
	json_object_set_new(o, key, json_string(s));
	free(s);
}

/* The French words of a shelter state; the state itself when unknown. */
const char *
ctl_state_text(const char *state)
{
	static const struct {
		const char	*state, *text;
	} states[] = {
		{ "occupied", "occupé" },
		{ "vacant", "libre (alerte ouverte)" },
		{ "reserved", "réservé" },
		{ "unavailable", "indisponible" },
	};
	size_t	 i;

	for (i = 0; state != NULL && i < nitems(states); i++)
		if (strcmp(states[i].state, state) == 0)
			return states[i].text;
	return state != NULL ? state : "?";
}

/* A UTC time "YYYY-MM-DDTHH:MM:SSZ" in the configured zone, "dd/mm/YYYY
 * HH:MM". */
char *
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

/* A time member of an object, short ("-" when null). */
char *
ctl_when_of(struct ctl *c, json_t *o, const char *key)
{
	return ctl_when(c, ctl_str(o, key), DATEFMT_SHORT);
}

/* The cells of a table as text, the titles first, then row by row. */
static char **
ctl_cells(struct ctl *c, json_t *rows, const struct ctl_col *cols,
    size_t ncols, ctl_cell fmt)
{
	size_t	 nrows = json_array_size(rows), r, k;
	char	**cells;
	json_t	*v;

	cells = xcalloc((nrows + 1) * ncols, sizeof *cells);
	for (k = 0; k < ncols; k++)
		cells[k] = xstrdup(cols[k].title);
	for (r = 0; r < nrows; r++) {
		for (k = 0; k < ncols; k++) {
			v = json_object_get(json_array_get(rows, r),
			    cols[k].key);
			cells[(r + 1) * ncols + k] = fmt != NULL ?
			    fmt(c, cols[k].key, v) : ctl_text(v);
		}
	}
	return cells;
}

/* Print nlines lines of ncols cells in aligned columns. */
static void
ctl_print_cells(char **cells, size_t nlines, size_t ncols)
{
	size_t	 r, k, *w, pad;

	w = xcalloc(ncols, sizeof *w);
	for (r = 0; r < nlines; r++)
		for (k = 0; k < ncols; k++)
			if (ctl_width(cells[r * ncols + k]) > w[k])
				w[k] = ctl_width(cells[r * ncols + k]);
	for (r = 0; r < nlines; r++) {
		for (k = 0; k < ncols; k++) {
			fputs(cells[r * ncols + k], stdout);
			if (k + 1 == ncols)
				break;
			pad = w[k] - ctl_width(cells[r * ncols + k]) + 2;
			printf("%*s", (int)pad, "");
		}
		putchar('\n');
	}
	free(w);
}

/* Print an array of objects as an aligned table, one column per key. */
void
ctl_table(struct ctl *c, json_t *rows, const struct ctl_col *cols,
    size_t ncols, ctl_cell fmt)
{
	size_t	 nlines = json_array_size(rows) + 1, i;
	char	**cells;

	cells = ctl_cells(c, rows, cols, ncols, fmt);
	ctl_print_cells(cells, nlines, ncols);
	for (i = 0; i < nlines * ncols; i++)
		free(cells[i]);
	free(cells);
}

/* Print rows as a table, each row first made display text by view. */
void
ctl_view_table(struct ctl *c, json_t *rows, const struct ctl_col *cols,
    size_t ncols, ctl_view view)
{
	json_t	*out = json_array(), *r;
	size_t	 i;

	json_array_foreach(rows, i, r)
		json_array_append_new(out, view(c, r));
	ctl_table(c, out, cols, ncols, NULL);
	json_decref(out);
}

/* Print an object as aligned "title : value" lines. */
void
ctl_record(struct ctl *c, json_t *o, const struct ctl_col *rows,
    size_t nrows, size_t width, int dash, ctl_cell fmt)
{
	json_t	*val;
	size_t	 i;
	char	*v;

	for (i = 0; i < nrows; i++) {
		val = json_object_get(o, rows[i].key);
		v = fmt != NULL ? fmt(c, rows[i].key, val) : ctl_text(val);
		printf("%s%*s : %s\n", rows[i].title, (int)(width -
		    ctl_width(rows[i].title)), "", dash && *v == '\0' ? "-" :
		    v);
		free(v);
	}
}
