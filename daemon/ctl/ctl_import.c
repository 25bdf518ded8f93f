/*
 * ctl_import.c: stoppvifctl events import FILE.ics (or - for stdin).
 *
 * The iCalendar text goes to the daemon as it is, but for the lines
 * Outlook folds inside a character; the daemon's report is printed event
 * by event: the counts, then each event adapted or not imported with its
 * reasons, in French, within 100 columns unless --wide.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unictype.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "ctl_words.h"
#include "utf8.h"
#include "util.h"

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

/*
 * An import's report is the only text of the client that quotes a file as
 * it was read, not as the daemon stored it (guard_input_check refuses in
 * stored fields what the report of a refused event still holds).  So its
 * titles, UIDs and notes reach the terminal only cleaned: no control
 * character (ESC, the C1 CSI) to drive it, no character that reverses the
 * line, invalid bytes as U+FFFD.
 */
#define CTL_IMPORT_COMP		20	/* characters of a component name */
#define CTL_IMPORT_ROOM		24	/* least room for a UID and title */

/* s made safe for the terminal (new string): line breaks and tabs as
 * blanks, so that one item stays on its lines, the rest as U+FFFD. */
static char *
ctl_import_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i, k, o = 0;
	uint32_t		 cp;
	char			*out = xmalloc(3 * n + 1);

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &cp);
		if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 ||
		    cp == 0x2029)
			out[o++] = ' ';
		else if (cp == UTF8_BAD ||
		    uc_is_general_category(cp, UC_CATEGORY_Cc) ||
		    uc_is_property_bidi_control(cp))
			o += utf8_encode(0xfffd, out + o);
		else {
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	out[o] = '\0';
	return out;
}

/* Cut *s (when set) to max characters, "…" included, but with --wide. */
static void
ctl_import_cut(struct ctl *c, char **s, size_t max)
{
	char	*cut;

	if (*s == NULL || c->wide || max == 0 || ctl_width(*s) <= max)
		return;
	cut = xmalloc(4 * max + 8);
	utf8_cut(cut, 4 * max + 8, *s, max - 1);
	free(*s);
	*s = cut;
}

/* Share room characters between a UID and a title, cutting them: each
 * keeps what it needs of its half, and the other takes the rest. */
static void
ctl_import_fit(struct ctl *c, char **uid, char **title, size_t room)
{
	size_t	 uw = *uid ? ctl_width(*uid) : 0;
	size_t	 tw = *title ? ctl_width(*title) : 0, umax;

	if (uw + tw <= room)
		return;
	umax = uw <= room / 2 ? uw : tw <= room / 2 ? room - tw : room / 2;
	ctl_import_cut(c, uid, umax);
	ctl_import_cut(c, title, room - umax);
}

/* Print s cleaned, wrapped to the view: the first line at column used,
 * the next ones after indent blanks. */
static void
ctl_import_wrap(struct ctl *c, const char *s, size_t used, size_t indent)
{
	char	*clean = ctl_import_clean(s);

	ctl_wrap(stdout, clean, used, indent, ctl_columns(c));
	free(clean);
}

/* Whether an item of the report is shown one by one: not an event
 * imported as it was. */
static int
ctl_import_listed(json_t *it)
{
	const char	*outcome = ctl_str(it, "outcome");

	return outcome == NULL || strcmp(outcome, "imported") != 0 ||
	    json_array_size(json_object_get(it, "notes")) > 0;
}

/* The count of the report's items with this outcome. */
static long long
ctl_import_count(json_t *items, const char *outcome)
{
	json_t		*it;
	const char	*o;
	size_t		 i;
	long long	 n = 0;

	json_array_foreach(items, i, it)
		n += (o = ctl_str(it, "outcome")) != NULL &&
		    strcmp(o, outcome) == 0;
	return n;
}

/*
 * The first line: "12 événements importés : 10 ajoutés, 2 mis à jour,
 * dont 1 adapté ; 2 non importés", one kind alone said in fewer words
 * ("1 événement ajouté").  Adapted events are among those added or
 * updated; a cancelled occurrence is an adapted item too, that adds no
 * event but changes its series, so "dont" only while the count allows.
 */
static void
ctl_import_summary(struct ctl *c, json_t *ans)
{
	long long	 a = ctl_num(ans, "added"), u = ctl_num(ans, "updated");
	long long	 d = ctl_import_count(json_object_get(ans, "events"),
	    "adapted"), s = ctl_num(ans, "skipped"), n = a + u;
	char		*line, *tmp;

	if (n == 0)
		line = xstrdup("aucun événement importé");
	else if (a == 0 || u == 0)
		xasprintf(&line, "%lld événement%s %s%s", n, ctl_plural(n),
		    a > 0 ? "ajouté" : "mis à jour", a > 0 ? ctl_plural(a) :
		    "");
	else
		xasprintf(&line, "%lld événements importés : %lld ajouté%s, "
		    "%lld mis à jour", n, a, ctl_plural(a), u);
	if (d > 0) {
		xasprintf(&tmp, "%s, %s%lld adapté%s", line, d <= n ? "dont " :
		    "", d, ctl_plural(d));
		free(line);
		line = tmp;
	}
	if (s > 0) {
		xasprintf(&tmp, "%s ; %lld non importé%s", line, s,
		    ctl_plural(s));
		free(line);
		line = tmp;
	}
	ctl_wrap(stdout, line, 0, 2, ctl_columns(c));
	free(line);
}

/* One event (or other component) not imported as it was: "ligne 14, UID
 * x (« Titre ») : non importé" on one line, the UID and title cut to fit,
 * then each note on its own lines. */
static void
ctl_import_item(struct ctl *c, json_t *it)
{
	const char	*comp = ctl_str(it, "component");
	const char	*uid = ctl_str(it, "uid"), *title = ctl_str(it, "title");
	const char	*word = ctl_word(CTL_W_OUTCOME, ctl_str(it, "outcome"));
	json_t		*note;
	char		*cs = NULL, *us = NULL, *ts = NULL, *head;
	size_t		 i, room;

	if (comp != NULL && strcmp(comp, "VEVENT") != 0) {
		cs = ctl_import_clean(comp);
		ctl_import_cut(c, &cs, CTL_IMPORT_COMP);
	}
	if (uid != NULL)
		us = ctl_import_clean(uid);
	if (title != NULL && (uid == NULL || strcmp(title, uid) != 0))
		ts = ctl_import_clean(title);	/* not twice the same */
	xasprintf(&head, "  ligne %lld%s%s%s%s : %s", ctl_num(it, "line"),
	    cs ? ", " : "", cs ? cs : "", us ? ", UID " : "", ts ? " («  »)" :
	    "", word);
	room = CTL_COLUMNS > ctl_width(head) + CTL_IMPORT_ROOM ?
	    CTL_COLUMNS - ctl_width(head) : CTL_IMPORT_ROOM;
	free(head);
	ctl_import_fit(c, &us, &ts, room);
	xasprintf(&head, "ligne %lld%s%s%s%s%s%s%s : %s", ctl_num(it, "line"),
	    cs ? ", " : "", cs ? cs : "", us ? ", UID " : "", us ? us : "",
	    ts ? " (« " : "", ts ? ts : "", ts ? " »)" : "", word);
	fputs("  ", stdout);
	ctl_wrap(stdout, head, 2, 4, ctl_columns(c));
	json_array_foreach(json_object_get(it, "notes"), i, note) {
		if (!json_is_string(note))
			continue;
		fputs("    - ", stdout);
		ctl_import_wrap(c, json_string_value(note), 6, 6);
	}
	free(head);
	free(ts);
	free(us);
	free(cs);
}

/*
 * The notes of the flat list "ignored" that no item holds (the file's
 * own): a new array.  The API writes an item's note there as "LABEL: NOTE"
 * or "LABEL, ligne N : NOTE", so each is matched by what follows one of
 * its ": ", once per time an item holds it.  Past its cap the API stops
 * copying notes there and closes the list with "… et N autres remarques":
 * when notes are missing from the list that line is left out, the items
 * above having shown them all.
 */
static json_t *
ctl_import_loose(json_t *ans)
{
	json_t		*want = json_object(), *loose = json_array(), *v;
	json_t		*it, *note;
	const char	*s, *p;
	size_t		 i, k, nwant = 0, nfound = 0;

	json_array_foreach(json_object_get(ans, "events"), i, it)
		json_array_foreach(json_object_get(it, "notes"), k, note) {
			if ((s = json_string_value(note)) == NULL)
				continue;
			v = json_object_get(want, s);
			json_object_set_new(want, s, json_integer(
			    json_integer_value(v) + 1));
			nwant++;
		}
	json_array_foreach(json_object_get(ans, "ignored"), i, note) {
		if ((s = json_string_value(note)) == NULL)
			continue;
		for (p = strstr(s, ": "); p != NULL; p = strstr(p + 1, ": "))
			if ((v = json_object_get(want, p + 2)) != NULL &&
			    json_integer_value(v) > 0)
				break;
		if (p != NULL) {
			json_integer_set(v, json_integer_value(v) - 1);
			nfound++;
		} else
			json_array_append(loose, note);
	}
	json_decref(want);
	if (nfound < nwant)
		for (i = json_array_size(loose); i-- > 0;)
			if (strncmp(json_string_value(json_array_get(loose,
			    i)), "… et ", strlen("… et ")) == 0)
				json_array_remove(loose, i);
	return loose;
}

/* What an import did, for people: the counts, then each event that was
 * adapted or not imported with its reasons, then the file's own notes. */
static void
ctl_import_print(struct ctl *c, json_t *ans)
{
	json_t	*items = json_object_get(ans, "events"), *loose, *it;
	size_t	 i;

	if (ctl_num(ans, "added") + ctl_num(ans, "updated") +
	    ctl_num(ans, "skipped") == 0 && json_array_size(items) == 0)
		printf("rien à importer : le fichier ne contient aucun "
		    "événement\n");
	else
		ctl_import_summary(c, ans);
	json_array_foreach(items, i, it)
		if (ctl_import_listed(it))
			ctl_import_item(c, it);
	loose = ctl_import_loose(ans);
	if (json_array_size(loose) > 0)
		printf("Remarques :\n");
	json_array_foreach(loose, i, it) {
		fputs("  - ", stdout);
		ctl_import_wrap(c, json_string_value(it), 4, 4);
	}
	json_decref(loose);
}

/* events import FILE.ics (or - for stdin): add or update events. */
int
ctl_events_import(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*body, *ans;
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
	ctl_answer(c, ans, ctl_import_print);
	return 0;
}
