/*
 * template_load.c: loading and checking the templates.  Each file of
 * etc/templates/LANG/ is read once, checked (UTF-8, braces, the
 * placeholders its kind offers, the words that may not reach a phone, an
 * alert SMS in one message) and compiled into lines of parts: literal text,
 * or an entry of the placeholder table (template_render.c).  Every problem
 * is reported, one a line, naming the file and the line.  The sender's
 * name is checked here too, against the same rules.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guard.h"
#include "template.h"
#include "template_int.h"
#include "utf8.h"
#include "util.h"

#define TEMPLATE_MAX	(32 * 1024)	/* bytes in one template file */
#define ERRORS_MAX	50		/* problems reported per file */
#define NAME_SHOWN	40		/* bytes of a bad placeholder shown */
#define SENDER_SHOWN	40		/* characters of a refused name shown */

/* The first line of an email template, and the byte order mark. */
static const char	 subject_field[] = "Subject:";
#define SUBJECT_LEN	(sizeof subject_field - 1)
static const char	 utf8_bom[] = "\xef\xbb\xbf";
#define BOM_LEN		(sizeof utf8_bom - 1)

/* The lines of an email template: the subject, a blank line, the body. */
enum { EMAIL_SUBJECT, EMAIL_BLANK, EMAIL_BODY };

/* One load: the problems found so far, one a line. */
struct tload {
	struct tbuf		 errors;
	int			 nerrors;
};

/* One file being compiled. */
struct tparse {
	struct tload		*ld;
	const char		*file;
	const struct tkind	*kind;
	int			 nerrors;
};

/* The lines of a file's text, '\r' before '\n' dropped. */
struct tlines {
	const char	**s;
	size_t		 *n;
	size_t		  count;
};

static void	 tp_error(struct tparse *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 ld_error(struct tload *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 ld_verror(struct tload *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* ---- problems ---- */

/* Record a problem, one line of the load's report. */
static void
ld_verror(struct tload *ld, const char *fmt, va_list ap)
{
	char	*msg;

	xvasprintf(&msg, fmt, ap);
	template_tbuf_add(&ld->errors, msg, strlen(msg));
	template_tbuf_add(&ld->errors, "\n", 1);
	ld->nerrors++;
	free(msg);
}

/* Record a problem that concerns no file's line. */
static void
ld_error(struct tload *ld, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ld_verror(ld, fmt, ap);
	va_end(ap);
}

/* Record "file:line: problem" (line 0: "file: problem"). */
static void
tp_error(struct tparse *tp, int line, const char *fmt, ...)
{
	char	*msg;
	va_list	 ap;

	if (++tp->nerrors > ERRORS_MAX) {
		if (tp->nerrors == ERRORS_MAX + 1)
			ld_error(tp->ld, "%s: too many problems, giving up",
			    tp->file);
		return;
	}
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		ld_error(tp->ld, "%s:%d: %s", tp->file, line, msg);
	else
		ld_error(tp->ld, "%s: %s", tp->file, msg);
	free(msg);
}

/* ---- one line ---- */

/* Append a part to l: literal text (n bytes, none: nothing), or ph. */
static void
tline_add(struct tline *l, const struct tph *ph, const char *text, size_t n)
{
	struct tpart	*p;

	if (ph == NULL && n == 0)
		return;
	l->parts = xreallocarray(l->parts, l->nparts + 1, sizeof *l->parts);
	p = &l->parts[l->nparts++];
	p->ph = ph;
	p->text = ph == NULL ? xstrndup(text, n) : NULL;
}

/* Whether the line s (n bytes) holds nothing but spaces and tabs. */
static int
line_blank(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Check that a line is UTF-8 without control characters. */
static int
line_check(struct tparse *tp, int line, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;
	uint32_t		 c;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD) {
			tp_error(tp, line, "not UTF-8 (byte %zu)", i + 1);
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			tp_error(tp, line, "control character 0x%02x", c);
			return -1;
		}
	}
	return 0;
}

/*
 * Check the literal text of a line, the parts of l from first on, for the
 * words that may not reach a phone: in every line, since an email's first
 * lines show on a lock screen too, and an alert's on the phones of people
 * on call.  Placeholders count as spaces ({shelter} is a name, not a word).
 */
static int
words_check(struct tparse *tp, int line, const struct tline *l, size_t first,
    int phone)
{
	const struct tpart	*p;
	struct tbuf		 b = { NULL, 0, 0 };
	char			*text, *why = NULL;
	size_t			 i;
	int			 rc = 0;

	for (i = first; i < l->nparts; i++) {
		p = &l->parts[i];
		if (p->ph == NULL)
			template_tbuf_add(&b, p->text, strlen(p->text));
		template_tbuf_add(&b, " ", 1);
	}
	text = template_tbuf_take(&b);
	if (guard_phone_check(text, &why) == -1) {
		tp_error(tp, line, "%s: %s are read on phones that others may "
		    "see", why, phone ? "SMS texts and subjects" :
		    (tp->kind->bit & K_ALERTS) ? "alert emails" : "emails");
		free(why);
		rc = -1;
	}
	free(text);
	return rc;
}

/* Report the bad placeholder {name}, shown up to NAME_SHOWN bytes. */
static void
bad_placeholder(struct tparse *tp, int line, const char *name, size_t n,
    const struct tph *ph)
{
	size_t	 shown = n;

	if (ph != NULL && !(ph->kinds & tp->kind->bit)) {
		tp_error(tp, line, "placeholder {%s} is not offered by %s "
		    "messages", ph->name, tp->kind->name);
		return;
	}
	if (ph != NULL) {
		tp_error(tp, line, "{%s} may not appear in an SMS or a subject:"
		    " what it holds must never reach a phone", ph->name);
		return;
	}
	if (shown > NAME_SHOWN) {
		shown = NAME_SHOWN;
		while (shown > 0 && (name[shown] & 0xc0) == 0x80)
			shown--;
	}
	tp_error(tp, line, "unknown placeholder {%.*s%s}", (int)shown, name,
	    shown < n ? "..." : "");
}

/*
 * Compile the "{name}" that starts at s[i] (the line is n bytes): append
 * the literal text before it and the placeholder to l, or report it.
 * Returns where the line goes on; *rc is set to -1 on a problem.
 */
static size_t
compile_placeholder(struct tparse *tp, int line, const char *s, size_t n,
    size_t i, int phone, struct tline *l, struct tbuf *lit, int *rc)
{
	const struct tph	*ph;
	size_t			 j;

	for (j = i + 1; j < n && s[j] != '}' && s[j] != '{'; j++)
		;
	if (j == n || s[j] == '{') {
		tp_error(tp, line, "unbalanced brace \"{\" (write {{ for a "
		    "literal brace)");
		*rc = -1;
		return j;
	}
	ph = template_ph_find(s + i + 1, j - i - 1);
	if (ph == NULL || !(ph->kinds & tp->kind->bit) ||
	    (phone && !ph->phone)) {
		bad_placeholder(tp, line, s + i + 1, j - i - 1, ph);
		*rc = -1;
	} else {
		tline_add(l, NULL, lit->s, lit->len);
		lit->len = 0;
		tline_add(l, ph, NULL, 0);
	}
	return j + 1;
}

/*
 * Compile the text s (n bytes) of line into parts appended to l.  {{ and
 * }} are literal braces; {name} must be a placeholder of the kind (one that
 * may reach a phone when phone is set); the words are checked after.
 * Returns 0 or -1, problems recorded.
 */
static int
compile_line(struct tparse *tp, int line, const char *s, size_t n, int phone,
    struct tline *l)
{
	struct tbuf	 lit = { NULL, 0, 0 };
	size_t		 i = 0, first = l->nparts;
	int		 rc = 0;

	if (line_check(tp, line, s, n) == -1)
		return -1;
	while (i < n) {
		if ((s[i] == '{' || s[i] == '}') && i + 1 < n &&
		    s[i + 1] == s[i]) {
			template_tbuf_add(&lit, &s[i], 1);
			i += 2;
		} else if (s[i] == '}') {
			tp_error(tp, line, "unbalanced brace \"}\" (write }} "
			    "for a literal brace)");
			rc = -1;
			i++;
		} else if (s[i] == '{')
			i = compile_placeholder(tp, line, s, n, i, phone, l,
			    &lit, &rc);
		else
			template_tbuf_add(&lit, &s[i++], 1);
	}
	tline_add(l, NULL, lit.s, lit.len);
	free(lit.s);
	if (words_check(tp, line, l, first, phone) == -1)
		rc = -1;
	return rc;
}

/* ---- one file ---- */

/* Split the len bytes of a file at data into its lines, a BOM dropped. */
static void
split_lines(const char *data, size_t len, struct tlines *tl)
{
	size_t	 i = 0, j;

	memset(tl, 0, sizeof *tl);
	if (len >= BOM_LEN && memcmp(data, utf8_bom, BOM_LEN) == 0)
		i = BOM_LEN;
	while (i < len) {
		for (j = i; j < len && data[j] != '\n'; j++)
			;
		tl->s = xreallocarray(tl->s, tl->count + 1, sizeof *tl->s);
		tl->n = xreallocarray(tl->n, tl->count + 1, sizeof *tl->n);
		tl->s[tl->count] = data + i;
		tl->n[tl->count] = j - i;
		if (j > i && data[j - 1] == '\r')
			tl->n[tl->count]--;
		tl->count++;
		i = j + 1;
	}
}

/* The first line of KIND.email: "Subject: ...", compiled into t. */
static void
parse_subject(struct tparse *tp, const char *s, size_t n, struct tmpl *t)
{
	const int	 line = EMAIL_SUBJECT + 1;

	if (n < SUBJECT_LEN ||
	    strncasecmp(s, subject_field, SUBJECT_LEN) != 0) {
		tp_error(tp, line, "the first line must be \"Subject: ...\"");
		return;
	}
	for (s += SUBJECT_LEN, n -= SUBJECT_LEN; n > 0 &&
	    (*s == ' ' || *s == '\t'); n--)
		s++;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		tp_error(tp, line, "empty subject");
	else
		compile_line(tp, line, s, n, 1, &t->subject);
}

/* KIND.email: "Subject: ...", a blank line, the body. */
static void
parse_email(struct tparse *tp, const struct tlines *tl, struct tmpl *t)
{
	size_t		 last, i;

	if (tl->count == 0 || line_blank(tl->s[EMAIL_SUBJECT],
	    tl->n[EMAIL_SUBJECT])) {
		tp_error(tp, EMAIL_SUBJECT + 1, "empty template: write "
		    "\"Subject: ...\", a blank line and the body");
		return;
	}
	parse_subject(tp, tl->s[EMAIL_SUBJECT], tl->n[EMAIL_SUBJECT], t);
	if (tl->count > EMAIL_BLANK && !line_blank(tl->s[EMAIL_BLANK],
	    tl->n[EMAIL_BLANK]))
		tp_error(tp, EMAIL_BLANK + 1, "a blank line must follow the "
		    "subject");
	for (last = tl->count; last > EMAIL_BODY; last--)
		if (!line_blank(tl->s[last - 1], tl->n[last - 1]))
			break;
	if (last <= EMAIL_BODY) {
		tp_error(tp, tl->count > EMAIL_BLANK ? EMAIL_BODY + 1 :
		    EMAIL_BLANK + 1, "empty body");
		return;
	}
	t->nlines = last - EMAIL_BODY;
	t->lines = xcalloc(t->nlines, sizeof *t->lines);
	for (i = EMAIL_BODY; i < last; i++)
		compile_line(tp, (int)i + 1, tl->s[i], tl->n[i], 0,
		    &t->lines[i - EMAIL_BODY]);
}

/* KIND.sms: one paragraph, its lines joined by spaces. */
static void
parse_sms(struct tparse *tp, const struct tlines *tl, struct tmpl *t)
{
	size_t	 last, i;

	for (last = tl->count; last > 0; last--)
		if (!line_blank(tl->s[last - 1], tl->n[last - 1]))
			break;
	if (last == 0) {
		tp_error(tp, 1, "empty template");
		return;
	}
	t->nlines = 1;
	t->lines = xcalloc(1, sizeof *t->lines);
	for (i = 0; i < last; i++) {
		if (line_blank(tl->s[i], tl->n[i])) {
			tp_error(tp, (int)i + 1, "blank line: an SMS is one "
			    "paragraph");
			continue;
		}
		if (i > 0)
			tline_add(&t->lines[0], NULL, " ", 1);
		compile_line(tp, (int)i + 1, tl->s[i], tl->n[i], 1,
		    &t->lines[0]);
	}
}

/* Read a whole template file (new buffer, NUL-terminated). */
static int
read_file(const char *path, char **data, size_t *len, char **why)
{
	struct stat	 st;
	FILE		*fp;
	char		*buf;
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL) {
		util_cause(why, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		util_cause(why, "not a regular file");
		fclose(fp);
		return -1;
	}
	buf = xmalloc(TEMPLATE_MAX + 2);
	n = fread(buf, 1, TEMPLATE_MAX + 1, fp);
	if (ferror(fp) || n > TEMPLATE_MAX) {
		util_cause(why, ferror(fp) ? "read error" :
		    "too large (over %d bytes)", TEMPLATE_MAX);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/*
 * An alert is urgent and its SMS must go out as one message, the code
 * visible at once: render the SMS template t of lang with the longest
 * plausible params and refuse it when it takes more.
 */
static void
alert_sms_check(struct tparse *tp, const struct tmpl *t, int lang)
{
	char	*why = NULL;
	int	 n;

	if ((n = template_alert_segments(t, tp->kind, lang, "", &why)) == -1) {
		tp_error(tp, 0, "cannot be measured: %s", why);
		free(why);
	} else if (n > 1)
		tp_error(tp, 1, "an alert SMS must fit in one message "
		    "(160 GSM-7 characters, 70 with other characters): "
		    "this one takes %d", n);
}

/* Compile the text of a file (len bytes at data) for channel c into t. */
static void
compile_file(struct tparse *tp, const char *data, size_t len, enum chan c,
    struct tmpl *t)
{
	struct tlines	 tl;

	if (memchr(data, '\0', len) != NULL) {
		tp_error(tp, 0, "contains a NUL byte");
		return;
	}
	split_lines(data, len, &tl);
	if (c == CHAN_EMAIL)
		parse_email(tp, &tl, t);
	else
		parse_sms(tp, &tl, t);
	free(tl.s);
	free(tl.n);
}

/*
 * The kind and channel a file is named after, KIND.CHANNEL, into *k and
 * *c; -1 when the name says none, reported.
 */
static int
file_kind(struct tload *ld, const char *path, const char *name, int *k,
    int *c)
{
	const char	*dot = strrchr(name, '.');

	*k = dot != NULL ? template_kind_find(name, (size_t)(dot - name)) : -1;
	*c = dot != NULL ? chan_parse(dot + 1) : -1;
	if (dot == NULL || *c == -1) {
		ld_error(ld, "%s: not a template: name it KIND.email or "
		    "KIND.sms", path);
		return -1;
	}
	if (*k == -1) {
		ld_error(ld, "%s: unknown message kind \"%.*s\"", path,
		    (int)(dot - name), name);
		return -1;
	}
	return 0;
}

/* Load one file of a language folder; seen marks what was present. */
static void
load_file(struct template_set *ts, struct tload *ld, const char *path,
    const char *name, int lang, int seen[TEMPLATE_NKINDS][CHAN_COUNT])
{
	struct tparse	 tp;
	struct tmpl	*t;
	char		*data, *why = NULL;
	size_t		 len;
	int		 k, c, before = ld->nerrors;

	if (file_kind(ld, path, name, &k, &c) == -1)
		return;
	seen[k][c] = 1;
	if (read_file(path, &data, &len, &why) == -1) {
		ld_error(ld, "%s: %s", path, why);
		free(why);
		return;
	}
	memset(&tp, 0, sizeof tp);
	tp.ld = ld;
	tp.file = path;
	tp.kind = &template_kinds[k];
	t = &ts->t[lang][k][c];
	compile_file(&tp, data, len, (enum chan)c, t);
	free(data);
	if (ld->nerrors == before && c == CHAN_SMS &&
	    (template_kinds[k].bit & K_ONE_SMS))
		alert_sms_check(&tp, t, lang);
	if (ld->nerrors == before)
		t->loaded = 1;
	else
		template_tmpl_free(t);
}

/* ---- the folders ---- */

/* Load the templates of one language folder. */
static void
load_lang(struct template_set *ts, struct tload *ld, const char *dir,
    int lang, int seen[TEMPLATE_NKINDS][CHAN_COUNT])
{
	struct dirent	**ents;
	char		 *path;
	int		  n, i;
	size_t		  len;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		ld_error(ld, "%s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' &&
		    ents[i]->d_name[len - 1] != '~') {
			xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
			load_file(ts, ld, path, ents[i]->d_name, lang, seen);
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
}

/* Load the language folder path called name, or report it. */
static void
load_entry(struct template_set *ts, struct tload *ld, const char *path,
    const char *name, int seen[][TEMPLATE_NKINDS][CHAN_COUNT])
{
	struct stat	 st;
	int		 lang;

	if ((lang = lang_parse(name)) == -1)
		ld_error(ld, "%s: unknown language (the folders are fr, nl, "
		    "de, en)", path);
	else if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		ld_error(ld, "%s: not a folder", path);
	else
		load_lang(ts, ld, path, lang, seen[lang]);
}

/* Report every French template that is missing. */
static void
french_check(struct tload *ld, const char *dir,
    int fr[TEMPLATE_NKINDS][CHAN_COUNT])
{
	size_t	 k, c;

	for (k = 0; k < TEMPLATE_NKINDS; k++)
		for (c = 0; c < CHAN_COUNT; c++)
			if (!fr[k][c] && !(template_kinds[k].bit ==
			    K_NOTICE && c == CHAN_SMS))
				ld_error(ld, "%s/fr/%s.%s: missing (French is "
				    "required: the other languages fall back "
				    "to it)", dir, template_kinds[k].name,
				    chan_name((enum chan)c));
}

/* Hand the problems of ld over to *cause, without the last newline. */
static void
load_cause(struct tload *ld, char **cause)
{
	ld->errors.s[--ld->errors.len] = '\0';
	if (cause != NULL) {
		free(*cause);
		*cause = template_tbuf_take(&ld->errors);
	} else
		free(ld->errors.s);
}

struct template_set *
template_load(const char *dir, char **cause)
{
	struct template_set	*ts;
	struct tload		 ld;
	struct dirent		**ents;
	int			 seen[LANG_COUNT][TEMPLATE_NKINDS]
				    [CHAN_COUNT];
	char			*path;
	int			 n, i;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		util_cause(cause, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	ts = xcalloc(1, sizeof *ts);
	ts->sender = xstrdup("");
	memset(&ld, 0, sizeof ld);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
			load_entry(ts, &ld, path, ents[i]->d_name, seen);
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	french_check(&ld, dir, seen[LANG_FR]);
	if (ld.nerrors > 0) {
		load_cause(&ld, cause);
		template_free(ts);
		return NULL;
	}
	return ts;
}

/* ---- the sender's name ---- */

/* Check a sender's name as given: text a person may write, not too long. */
static int
sender_check(const char *sender, char **cause)
{
	char	*why = NULL;

	if (guard_input_check(sender, 0, &why) == -1) {
		util_cause(cause, "sender name: %s", why);
		free(why);
		return -1;
	}
	if (utf8_len(sender) > TEMPLATE_SENDER_MAX) {
		util_cause(cause, "sender name \"%s\": longer than %d "
		    "characters", UTF8_CUT(sender, SENDER_SHOWN),
		    TEMPLATE_SENDER_MAX);
		return -1;
	}
	return 0;
}

/*
 * Check that the cleaned name keeps every loaded alert SMS of ts in one
 * message.  Returns 0, or -1 with *cause set.
 */
static int
sender_fits(const struct template_set *ts, const char *name, char **cause)
{
	const struct tmpl	*t;
	char			*why = NULL;
	size_t			 l, k;
	int			 n;

	for (l = 0; l < LANG_COUNT; l++) {
		for (k = 0; k < TEMPLATE_NKINDS; k++) {
			t = &ts->t[l][k][CHAN_SMS];
			if (!(template_kinds[k].bit & K_ONE_SMS) || !t->loaded)
				continue;
			n = template_alert_segments(t, &template_kinds[k],
			    (int)l, name, &why);
			if (n == 1)
				continue;
			util_cause(cause, "sender name \"%s\": the alert SMS "
			    "%s/%s.sms would take %d messages, and an alert "
			    "SMS must fit in one: choose a shorter name", name,
			    lang_codes[l], template_kinds[k].name, n);
			free(why);
			return -1;
		}
	}
	return 0;
}

int
template_set_sender(struct template_set *ts, const char *sender,
    char **cause)
{
	char	*name, *why = NULL;

	if (sender == NULL)
		sender = "";
	if (sender_check(sender, cause) == -1)
		return -1;
	name = template_clean_value(sender);
	if (guard_phone_check(name, &why) == -1) {
		util_cause(cause, "sender name \"%s\": %s", name, why);
		goto fail;
	}
	if (sender_fits(ts, name, cause) == -1)
		goto fail;
	free(ts->sender);
	ts->sender = name;
	return 0;
fail:
	free(why);
	free(name);
	return -1;
}
