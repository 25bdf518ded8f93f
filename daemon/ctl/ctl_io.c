/*
 * ctl_io.c: the bottom of stoppvifctl, shared by every command file.
 *
 * It loads the configuration (to find the socket, the time zone and the
 * language), sends one request to the daemon over its Unix socket with
 * libcurl and decodes the JSON answer, ends the program with a message and
 * an exit code, and writes answers for people: aligned tables, "label :
 * value" records, times in the configured zone or in words.
 */
#include <sys/param.h>
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
#include "ctl_words.h"
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
		    "l'administrateur de vous ajouter au groupe du démon et de "
		    "vous donner un rôle ([api] admins, coordinators ou "
		    "viewers)", socket);
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
	json_t		*err = json_object_get(ans, "error");
	json_t		*field = json_object_get(ans, "field");
	const char	*why, *french;

	if (c->json) {
		json_dumpf(ans, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	why = json_is_string(err) ? json_string_value(err) : "erreur inconnue";
	if ((french = ctl_store_error(why)) != NULL)
		why = french;
	fprintf(stderr, "stoppvifctl: %s%s%s\n", json_is_string(field) ?
	    json_string_value(field) : "", json_is_string(field) ? ": " : "",
	    why);
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

/* What a POST created: "personne 33 ajoutée". */
void
ctl_created(struct ctl *c, json_t *ans, const char *noun,
    const char *participle)
{
	ctl_done(c, ans, "%s %lld %s\n", noun, (long long)json_integer_value(
	    json_object_get(ans, "id")), participle);
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

/* The add commands: the flags become a POST of path; the answer. */
json_t *
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
	return ans;
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

/* Display width of the first len bytes of a UTF-8 string. */
static size_t
ctl_width_n(const char *s, size_t len)
{
	size_t	 n = 0, i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
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

size_t
ctl_columns(struct ctl *c)
{
	return c->wide ? 0 : CTL_COLUMNS;
}

/*
 * The bytes of the first line of s in width characters (0: no limit),
 * ending before a newline, at the last blank or after the last comma,
 * semicolon or at sign that lets it, else after width characters; *next
 * is where the next line starts.
 */
static size_t
ctl_break(const char *s, size_t width, const char **next)
{
	size_t		 len = strlen(s), i = 0, n = 0, k, brk = 0, after = 0;
	uint32_t	 cp;

	while (i < len && (width == 0 || n < width)) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp == '\n') {
			*next = s + i + 1;
			return i;
		}
		if (cp == ' ' && i > 0) {
			brk = i;
			after = i + 1;
		} else if (cp == ',' || cp == ';' || cp == '@') {
			brk = after = i + k;
		}
		i += k;
		n++;
	}
	if (i < len && s[i] == ' ') {
		brk = i;
		after = i + 1;
	} else if (i == len || brk == 0)
		brk = after = i;
	*next = s + after;
	return brk;
}

/* Print s wrapped to width on fp (ctl_io.h). */
void
ctl_wrap(FILE *fp, const char *s, size_t used, size_t indent, size_t width)
{
	const char	*next;
	size_t		 len, room;

	room = width == 0 ? 0 : width > used + 10 ? width - used : 10;
	for (;;) {
		len = ctl_break(s, room, &next);
		fwrite(s, 1, len, fp);
		fputc('\n', fp);
		if (*next == '\0')
			break;
		s = next;
		fprintf(fp, "%*s", (int)indent, "");
		room = width == 0 ? 0 : width > indent + 10 ? width - indent :
		    10;
	}
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

/* A UTC time in the configured zone, in words. */
char *
ctl_utc_when(struct ctl *c, const char *utc, enum datefmt_style style)
{
	struct recur_civil	 t;
	struct tm		 tm;
	time_t			 secs;
	char			 buf[DATEFMT_LEN];
	const char		*lang = ctl_config(c)->language;

	memset(&tm, 0, sizeof tm);
	if (utc == NULL || strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return xstrdup(utc ? utc : "-");
	secs = timegm(&tm);
	localtime_r(&secs, &tm);
	t.year = tm.tm_year + 1900;
	t.month = tm.tm_mon + 1;
	t.day = tm.tm_mday;
	t.hour = tm.tm_hour;
	t.minute = tm.tm_min;
	t.second = tm.tm_sec;
	return xstrdup(datefmt(lang, style, &t, buf, sizeof buf));
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

/* The width of a table: its shown columns and the blanks between them. */
static size_t
ctl_total(const size_t *w, const int *show, size_t ncols)
{
	size_t	 k, total = 0, n = 0;

	for (k = 0; k < ncols; k++)
		if (show[k]) {
			total += w[k];
			n++;
		}
	return total + (n > 1 ? 2 * (n - 1) : 0);
}

/* Narrow the widest shown column having the flags need, down to floor
 * (or its title), until the table fits CTL_COLUMNS or none can give. */
static void
ctl_narrow(const struct ctl_col *cols, size_t ncols, size_t *w,
    const int *show, unsigned need, size_t floor)
{
	size_t	 k, widest, min;

	while (ctl_total(w, show, ncols) > CTL_COLUMNS) {
		widest = ncols;
		for (k = 0; k < ncols; k++) {
			min = MAX(floor, ctl_width(cols[k].title));
			if (show[k] && (cols[k].flags & need) == need &&
			    w[k] > min && (widest == ncols || w[k] > w[widest]))
				widest = k;
		}
		if (widest == ncols)
			return;
		w[widest]--;
	}
}

/* Fit a table in CTL_COLUMNS: leave out optional columns from the right,
 * then narrow the wrapped ones, then any. */
static void
ctl_fit(const struct ctl_col *cols, size_t ncols, size_t *w, int *show)
{
	size_t	 k;

	for (k = ncols; k-- > 0 && ctl_total(w, show, ncols) > CTL_COLUMNS;)
		if (cols[k].flags & CTL_COL_OPT)
			show[k] = 0;
	ctl_narrow(cols, ncols, w, show, CTL_COL_WRAP, 12);
	ctl_narrow(cols, ncols, w, show, 0, 4);
}

/* Print one row of cells, on as many lines as its wrapped cells take. */
static void
ctl_print_row(char **row, const size_t *w, const int *show, size_t ncols)
{
	const char	**pos, *next;
	size_t		 k, len, owed;
	int		 more = 1;

	pos = xcalloc(ncols, sizeof *pos);
	for (k = 0; k < ncols; k++)
		pos[k] = row[k];
	while (more) {
		more = 0;
		owed = 0;
		for (k = 0; k < ncols; k++) {
			if (!show[k])
				continue;
			len = ctl_break(pos[k], w[k], &next);
			if (len > 0) {
				/* len ends at a character boundary */
				printf("%*s", (int)owed, "");
				fwrite(pos[k], 1, len, stdout);
			}
			owed = (len > 0 ? 0 : owed) + w[k] + 2 -
			    ctl_width_n(pos[k], len);
			pos[k] = next;
			more |= *next != '\0';
		}
		putchar('\n');
	}
	free(pos);
}

/* Print nlines lines of cells in aligned columns, fitted to the view. */
static void
ctl_print_cells(struct ctl *c, char **cells, size_t nlines,
    const struct ctl_col *cols, size_t ncols)
{
	size_t	 r, k, *w;
	int	*show;

	w = xcalloc(ncols, sizeof *w);
	show = xcalloc(ncols, sizeof *show);
	for (k = 0; k < ncols; k++)
		show[k] = 1;
	for (r = 0; r < nlines; r++)
		for (k = 0; k < ncols; k++)
			w[k] = MAX(w[k], ctl_width(cells[r * ncols + k]));
	if (!c->wide)
		ctl_fit(cols, ncols, w, show);
	for (r = 0; r < nlines; r++)
		ctl_print_row(cells + r * ncols, w, show, ncols);
	free(show);
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
	ctl_print_cells(c, cells, nlines, cols, ncols);
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
		printf("%s%*s : ", rows[i].title, (int)(width -
		    ctl_width(rows[i].title)), "");
		ctl_wrap(stdout, dash && *v == '\0' ? "-" : v, width + 3,
		    width + 3, ctl_columns(c));
		free(v);
	}
}
