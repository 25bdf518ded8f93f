/*
 * test_template.c: the message templates of etc/templates, rendered in the
 * four languages; the privacy rule on everything that reaches a phone;
 * load errors with file:line; the French fallback; SMS segment counts; the
 * shelter alerts, one SMS each, never a name, an address or a word that
 * gives away what they are about; the sender's name; the phone guard on
 * what is really sent.  Run from the top of the checkout.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "guard.h"
#include "template.h"
#include "util.h"

#define TEMPLATES	"etc/templates"

static const char *const langs[] = { "fr", "nl", "de", "en" };
static const char *const kinds[] = { "reminder" };
static const char *const alert_kinds[] = {
	"alert", "alert_confirm", "alert_taken", "alert_late", "alert_closed",
	"alert_nobody", "alert_no_oncall", "alert_unclear", "alert_locked",
};
#define NALERTS		(sizeof alert_kinds / sizeof alert_kinds[0])
static const char *const channels[] = { "email", "sms" };

static char	 dummy[] = "x";	/* a pointer the code under test must reset */

static const char example[] =
    "{\"event\":3,\"title\":\"La Cabane\","
    "\"start\":\"2027-01-06T14:00:00+01:00\","
    "\"end\":\"2027-01-06T16:00:00+01:00\",\"tz\":\"Europe/Brussels\","
    "\"offset\":604800,\"location\":\"Espace enfants du CPAS\","
    "\"commune\":\"Aywaille\"}";

static json_t *
params(const char *text)
{
	json_error_t	 err;
	json_t		*o = json_loads(text, 0, &err);

	if (o == NULL)
		fail_msg("bad test JSON: %s", err.text);
	return o;
}

/* ---- a private template folder ---- */

static char	 tmpdir[] = "/tmp/test_template.XXXXXX";
static int	 tmpmade;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
tmp_reset(void)
{
	if (tmpmade)
		nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	strcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		fail_msg("mkdtemp failed");
	tmpmade = 1;
}

static void
tmp_write(const char *rel, const char *text)
{
	char	 path[512], dir[512], *slash;
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

/* A file of the real templates, whole (new string). */
static char *
real_file(const char *rel)
{
	char	 path[256], *buf;
	FILE	*fp;
	long	 n;

	snprintf(path, sizeof path, "%s/%s", TEMPLATES, rel);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("cannot read %s (run from the top of the checkout)",
		    path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = xcalloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(fp);
	return buf;
}

/* Remove a file of the private folder. */
static void
unlink_rel(const char *rel)
{
	char	 path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	assert_int_equal(unlink(path), 0);
}

/* Copy a real template into the private folder. */
static void
tmp_copy(const char *rel)
{
	char	*text = real_file(rel);

	tmp_write(rel, text);
	free(text);
}

/* The real French alert and notice templates, so that a folder made for
 * the reminders loads (French is required for every kind). */
static void
tmp_alerts(void)
{
	char	 rel[64];
	size_t	 k, c;

	for (k = 0; k < NALERTS; k++) {
		for (c = 0; c < 2; c++) {
			snprintf(rel, sizeof rel, "fr/%s.%s", alert_kinds[k],
			    channels[c]);
			tmp_copy(rel);
		}
	}
	tmp_copy("fr/notice.email");	/* email only */
	tmp_copy("fr/alarm.sms");
	tmp_copy("fr/alarm.email");
	tmp_copy("fr/alarm_clear.sms");
	tmp_copy("fr/alarm_clear.email");
}

static struct template_set *
load_ok(const char *dir)
{
	struct template_set	*ts;
	char			*cause = NULL;

	if ((ts = template_load(dir, &cause)) == NULL)
		fail_msg("%s refused:\n%s", dir, cause);
	assert_null(cause);
	return ts;
}

/* Load must fail; returns the problems (new string). */
static char *
load_bad(void)
{
	struct template_set	*ts;
	char			*cause = NULL;

	ts = template_load(tmpdir, &cause);
	if (ts != NULL) {
		template_free(ts);
		fail_msg("%s accepted", tmpdir);
	}
	assert_non_null(cause);
	return cause;
}

/* cause holds the line "TMPDIR/rel:msg" exactly. */
static void
assert_problem(const char *cause, const char *rel, const char *msg)
{
	char		 line[512];
	const char	*p = cause, *e;
	size_t		 n;

	snprintf(line, sizeof line, "%s/%s%s", tmpdir, rel, msg);
	n = strlen(line);
	for (; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if ((e != NULL ? (size_t)(e - p) : strlen(p)) == n &&
		    strncmp(p, line, n) == 0)
			return;
	}
	fail_msg("no line \"%s\" in:\n%s", line, cause);
}

static void
render_ok(struct template_set *ts, const char *kind, const char *ch,
    const char *lang, json_t *p, char **subject, char **body)
{
	char	*cause = NULL;

	if (template_render(ts, kind, ch, lang, p, subject, body, &cause) != 0)
		fail_msg("%s.%s %s: %s", kind, ch, lang ? lang : "NULL", cause);
	assert_null(cause);
	assert_non_null(*body);
}

/* ---- the example in the four languages ---- */

static const struct {
	const char	*lang, *subject, *body, *sms;
} expect[] = {
	{ "fr", "Rappel : La Cabane, mercredi 6 janvier 2027",
	  "Bonjour,\n\nPetit rappel : La Cabane a lieu dans 7 jours.\n\n"
	  "Quand : mercredi 6 janvier 2027, de 14h00 à 16h00\n"
	  "Où : Espace enfants du CPAS, Aywaille\n\n"
	  "Bien à vous,\n",
	  "Rappel : La Cabane le mercredi 6 janvier 2027 à 14h00." },
	{ "nl", "Herinnering: La Cabane, woensdag 6 januari 2027",
	  "Goedendag,\n\nTer herinnering: La Cabane vindt over 7 dagen "
	  "plaats.\n\nWanneer: woensdag 6 januari 2027, van 14.00 uur tot "
	  "16.00 uur\nWaar: Espace enfants du CPAS, Aywaille\n\n"
	  "Met vriendelijke groet,\n",
	  "Herinnering: La Cabane op woensdag 6 januari 2027 om 14.00 uur." },
	{ "de", "Erinnerung: La Cabane, Mittwoch, 6. Januar 2027",
	  "Guten Tag,\n\nzur Erinnerung: La Cabane findet in 7 Tagen statt."
	  "\n\nWann: Mittwoch, 6. Januar 2027, von 14:00 Uhr bis 16:00 Uhr\n"
	  "Wo: Espace enfants du CPAS, Aywaille\n\n"
	  "Viele Grüße\n",
	  "Erinnerung: La Cabane am Mittwoch, 6. Januar 2027 um 14:00 Uhr." },
	{ "en", "Reminder: La Cabane, Wednesday 6 January 2027",
	  "Hello,\n\nA reminder: La Cabane takes place in 7 days.\n\n"
	  "When: Wednesday 6 January 2027, 14:00 to 16:00\n"
	  "Where: Espace enfants du CPAS, Aywaille\n\n"
	  "Best regards,\n",
	  "Reminder: La Cabane on Wednesday 6 January 2027 at 14:00." },
};

static void
test_load_real(void **state)
{
	template_free(load_ok(TEMPLATES));
	template_free(NULL);
}

static void
test_example(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(example);
	char			*subject, *body, *sms, *none;
	size_t			 i;

	for (i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		render_ok(ts, "reminder", "email", expect[i].lang, p, &subject,
		    &body);
		assert_string_equal(subject, expect[i].subject);
		assert_string_equal(body, expect[i].body);
		free(subject);
		free(body);
		none = dummy;
		render_ok(ts, "reminder", "sms", expect[i].lang, p, &none,
		    &sms);
		assert_null(none);
		assert_string_equal(sms, expect[i].sms);
		assert_int_equal(template_sms_segments(sms), 1);
		free(sms);
	}
	/* The French long form, as the brief writes it. */
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &sms);
	assert_non_null(strstr(sms, "mercredi 6 janvier 2027 à 14h00"));
	free(sms);
	/* Unknown or no language: French. */
	render_ok(ts, "reminder", "sms", "es", p, NULL, &sms);
	assert_string_equal(sms, expect[0].sms);
	free(sms);
	render_ok(ts, "reminder", "sms", NULL, p, NULL, &sms);
	assert_string_equal(sms, expect[0].sms);
	free(sms);
	json_decref(p);
	template_free(ts);
}

/* ---- the privacy rule ---- */

/* Kept here on purpose, apart from template_text.c's own list. */
static const char *const forbidden[] = {
	"violence", "violent", "victime", "victim", "refuge", "abri",
	"maltraitance", "agresseur", "conjugal", "intrafamilial",
	"geweld", "slachtoffer", "mishandeling", "misbruik", "opvang",
	"vluchthuis", "gewalt", "opfer", "misshandlung", "missbrauch",
	"frauenhaus", "zuflucht", "shelter", "abuse", "battered", "safe house",
};

/* text in lower-case ASCII, accents dropped (new string). */
static char *
fold(const char *text)
{
	static const struct {
		const char	*from, *to;
	} map[] = {
		{ "à", "a" }, { "á", "a" }, { "â", "a" }, { "ä", "a" },
		{ "À", "a" }, { "Â", "a" }, { "Ä", "a" }, { "ç", "c" },
		{ "Ç", "c" }, { "é", "e" }, { "è", "e" }, { "ê", "e" },
		{ "ë", "e" }, { "É", "e" }, { "È", "e" }, { "Ê", "e" },
		{ "Ë", "e" }, { "î", "i" }, { "ï", "i" }, { "Î", "i" },
		{ "Ï", "i" }, { "ô", "o" }, { "ö", "o" }, { "Ô", "o" },
		{ "Ö", "o" }, { "ù", "u" }, { "û", "u" }, { "ü", "u" },
		{ "Ù", "u" }, { "Û", "u" }, { "Ü", "u" }, { "ÿ", "y" },
		{ "ß", "ss" }, { "œ", "oe" }, { "Œ", "oe" },
	};
	char	*out = xcalloc(1, 2 * strlen(text) + 1), *o = out;
	size_t	 i, n;

	while (*text != '\0') {
		for (i = 0; i < sizeof map / sizeof map[0]; i++) {
			n = strlen(map[i].from);
			if (strncmp(text, map[i].from, n) == 0)
				break;
		}
		if (i < sizeof map / sizeof map[0]) {
			strcpy(o, map[i].to);
			o += strlen(map[i].to);
			text += n;
		} else {
			*o++ = (char)(*text >= 'A' && *text <= 'Z' ?
			    *text + 32 : *text);
			text++;
		}
	}
	return out;
}

/* The first forbidden word in text, or NULL. */
static const char *
forbidden_in(const char *text)
{
	char	*f = fold(text);
	size_t	 i;

	for (i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
		if (strstr(f, forbidden[i]) != NULL)
			break;
	free(f);
	return i < sizeof forbidden / sizeof forbidden[0] ? forbidden[i] : NULL;
}

/* What reaches a phone: no forbidden word, no part of the place. */
static void
assert_phone_safe(const char *what, const char *text, json_t *p)
{
	const char	*word, *addr[] = { "location", "commune" };
	char		*f, *a;
	size_t		 i;

	if ((word = forbidden_in(text)) != NULL)
		fail_msg("%s carries \"%s\": %s", what, word, text);
	if (strchr(text, '\n') != NULL || strchr(text, '\r') != NULL)
		fail_msg("%s is not one line: %s", what, text);
	f = fold(text);
	for (i = 0; i < 2; i++) {
		a = fold(json_string_value(json_object_get(p, addr[i])));
		if (strstr(f, a) != NULL)
			fail_msg("%s carries the %s \"%s\": %s", what, addr[i],
			    a, text);
		free(a);
	}
	free(f);
}

static void
test_privacy(void **state)
{
	static const char *const cases[] = {
		example,
		"{\"title\":\"Plateforme de coordination\",\"start\":"
		"\"2027-03-31T09:30:00+02:00\",\"end\":\"2027-03-31T12:00:00"
		"+02:00\",\"offset\":86400,\"location\":\"Rue de la Gare 12\","
		"\"commune\":\"Esneux\"}",
		"{\"title\":\"Formation des r\\u00e9f\\u00e9rents\\nsalle 2\","
		"\"start\":\"2027-08-04T18:00:00+02:00\",\"offset\":7200,"
		"\"location\":\"Place du Marché 1\\nbo\\u00eete 3\","
		"\"commune\":\"Sprimont\"}",
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*subject, *body, what[64];
	size_t			 i, l, k;

	/* The checker itself catches what it must. */
	assert_string_equal(forbidden_in("Réunion VIOLÉNCES"), "violence");
	assert_string_equal(forbidden_in("Gewaltopfer"), "gewalt");
	assert_string_equal(forbidden_in("Slachtoffers"), "slachtoffer");
	assert_null(forbidden_in("La Cabane"));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = params(cases[i]);
		for (l = 0; l < 4; l++) {
			for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
				snprintf(what, sizeof what, "%s/%s.sms",
				    langs[l], kinds[k]);
				render_ok(ts, kinds[k], "sms", langs[l], p,
				    NULL, &body);
				assert_phone_safe(what, body, p);
				free(body);
				snprintf(what, sizeof what, "%s/%s.email "
				    "subject", langs[l], kinds[k]);
				render_ok(ts, kinds[k], "email", langs[l], p,
				    &subject, &body);
				assert_phone_safe(what, subject, p);
				/* The body may carry the place. */
				assert_non_null(strstr(body, json_string_value(
				    json_object_get(p, "commune"))));
				free(subject);
				free(body);
			}
		}
		json_decref(p);
	}
	template_free(ts);
}

/* Templates that would break the rule are refused at load. */
static void
test_privacy_refused(void **state)
{
	char	*cause;

	tmp_reset();
	tmp_write("fr/reminder.sms", "Rappel : {title}, {when}, {place}.\n");
	tmp_write("fr/reminder.email", "Subject: Violences : {title}\n\n"
	    "Où : {place}\n");
	tmp_write("nl/reminder.sms", "Herinnering {title}\nvoor "
	    "slachtoffers.\n");
	tmp_write("de/reminder.email", "Subject: {title}, {place}\n\nText\n");
	tmp_write("en/reminder.sms", "Stopp Vif reminder: {title}\n");
	tmp_write("en/reminder.email", "Subject: {sender} - {title}\n\n"
	    "Best regards,\nThe V.I.F. network\n");
	cause = load_bad();
	assert_problem(cause, "en/reminder.sms", ":1: \"vif\" may not reach "
	    "a phone: SMS texts and subjects are read on phones that others "
	    "may see");
	assert_problem(cause, "en/reminder.email", ":4: \"vif\" may not reach "
	    "a phone: emails are read on phones that others may see");
	assert_problem(cause, "fr/reminder.sms", ":1: {place} may not appear "
	    "in an SMS or a subject: what it holds must never reach a phone");
	assert_problem(cause, "fr/reminder.email", ":1: \"violen*\" may not "
	    "reach a phone: SMS texts and subjects are read on phones that "
	    "others may see");
	assert_problem(cause, "nl/reminder.sms", ":2: \"*slachtoffer*\" may "
	    "not reach a phone: SMS texts and subjects are read on phones that "
	    "others may see");
	assert_problem(cause, "de/reminder.email", ":1: {place} may not "
	    "appear in an SMS or a subject: what it holds must never reach a "
	    "phone");
	free(cause);

	/* The network's own name gives away what it is about. */
	cause = NULL;
	assert_int_equal(guard_phone_check("Plateforme Stopp Vif", &cause),
	    -1);
	assert_string_equal(cause, "\"vif\" may not reach a phone");
	assert_int_equal(guard_phone_check("Plateforme de coordination",
	    NULL), 0);
	assert_int_equal(guard_phone_check("Logement pour VICTIMES",
	    &cause), -1);
	assert_string_equal(cause, "\"victime\" may not reach a phone");
	free(cause);
	assert_int_equal(guard_phone_check("Partnergewalt", NULL), -1);
	assert_int_equal(guard_phone_check("Shelter", NULL), -1);
	assert_int_equal(guard_phone_check("Opferhilfe", NULL), -1);
	assert_int_equal(guard_phone_check("Vrouwenopvang", NULL), -1);
	assert_int_equal(guard_phone_check("Huiselijk GEWELD", NULL), -1);
	assert_int_equal(guard_phone_check("Refuge de Liège", NULL), -1);
}

/* ---- load errors ---- */

static void
test_errors(void **state)
{
	char	*cause, *p;
	int	 lines = 1;

	tmp_reset();
	tmp_write("fr/reminder.sms", "Rappel : {title}\n{xyz} le {when}\n");
	tmp_write("fr/reminder.email", "Subject: {title\n\nBody }\n"
	    "{{ok}} {code}\nend {when\n");
	tmp_write("nl/reminder.email", "Onderwerp: {title}\nx\n");
	tmp_write("nl/reminder.sms", "Een\n\nTwee\n");
	tmp_alerts();
	tmp_write("de/bogus.sms", "{code}\n");
	tmp_write("de/reminder.txt", "x\n");
	tmp_write("en/reminder.sms", "{a_very_long_placeholder_name_that_"
	    "goes_on_and_on}\n");
	tmp_write("es/reminder.sms", "x\n");
	cause = load_bad();
	assert_problem(cause, "fr/reminder.sms", ":2: unknown placeholder "
	    "{xyz}");
	assert_problem(cause, "fr/reminder.email", ":1: unbalanced brace "
	    "\"{\" (write {{ for a literal brace)");
	assert_problem(cause, "fr/reminder.email", ":3: unbalanced brace "
	    "\"}\" (write }} for a literal brace)");
	assert_problem(cause, "fr/reminder.email", ":4: placeholder {code} is "
	    "not offered by reminder messages");
	assert_problem(cause, "fr/reminder.email", ":5: unbalanced brace "
	    "\"{\" (write {{ for a literal brace)");
	assert_problem(cause, "nl/reminder.email", ":1: the first line must "
	    "be \"Subject: ...\"");
	assert_problem(cause, "nl/reminder.email", ":2: a blank line must "
	    "follow the subject");
	assert_problem(cause, "nl/reminder.email", ":3: empty body");
	assert_problem(cause, "nl/reminder.sms", ":2: blank line: an SMS is "
	    "one paragraph");
	assert_problem(cause, "de/bogus.sms", ": unknown message kind "
	    "\"bogus\"");
	assert_problem(cause, "de/reminder.txt", ": not a template: name it "
	    "KIND.email or KIND.sms");
	assert_problem(cause, "en/reminder.sms", ":1: unknown placeholder "
	    "{a_very_long_placeholder_name_that_goes_o...}");
	assert_problem(cause, "es", ": unknown language (the folders are fr, "
	    "nl, de, en)");
	/* One problem a line, each naming its file. */
	for (p = cause; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 13);
	assert_int_equal(cause[strlen(cause) - 1] != '\n', 1);
	free(cause);
}

static void
test_errors_missing(void **state)
{
	struct template_set	*ts;
	char			*cause = NULL;

	tmp_reset();
	tmp_copy("nl/reminder.sms");
	tmp_copy("nl/reminder.email");
	cause = load_bad();
	assert_problem(cause, "fr/reminder.email", ": missing (French is "
	    "required: the other languages fall back to it)");
	assert_problem(cause, "fr/reminder.sms", ": missing (French is "
	    "required: the other languages fall back to it)");
	free(cause);

	/* Empty files and empty parts. */
	tmp_reset();
	tmp_write("fr/reminder.sms", "\n \n");
	tmp_write("fr/reminder.email", "Subject:  \n\n\n");
	cause = load_bad();
	assert_problem(cause, "fr/reminder.sms", ":1: empty template");
	assert_problem(cause, "fr/reminder.email", ":1: empty subject");
	assert_problem(cause, "fr/reminder.email", ":3: empty body");
	free(cause);

	/* No folder at all; a NULL cause is allowed. */
	cause = NULL;
	assert_null(template_load("/nonexistent/templates", &cause));
	assert_non_null(strstr(cause, "/nonexistent/templates: "));
	free(cause);
	assert_null(template_load("/nonexistent/templates", NULL));
	tmp_reset();
	tmp_write("fr/reminder.sms", "\xff\n");
	assert_null(ts = template_load(tmpdir, NULL));
}

/* ---- fallback, braces, sanitising ---- */

static void
test_fallback(void **state)
{
	struct template_set	*ts;
	json_t			*p = params(example);
	char			*subject, *body;

	tmp_reset();
	tmp_copy("fr/reminder.sms");
	tmp_copy("fr/reminder.email");
	tmp_copy("nl/reminder.email");	/* nl/reminder.sms missing */
	tmp_alerts();
	tmp_write("nl/.reminder.sms.swp", "ignored {xyz\n");
	tmp_write("nl/reminder.sms~", "ignored {xyz\n");
	ts = load_ok(tmpdir);
	render_ok(ts, "reminder", "sms", "nl", p, NULL, &body);
	assert_string_equal(body, expect[0].sms);	/* French, dates too */
	free(body);
	render_ok(ts, "reminder", "email", "nl", p, &subject, &body);
	assert_string_equal(subject, expect[1].subject);
	assert_string_equal(body, expect[1].body);
	free(subject);
	free(body);
	render_ok(ts, "reminder", "email", "de", p, &subject, &body);
	assert_string_equal(subject, expect[0].subject);
	free(subject);
	free(body);
	template_free(ts);
	json_decref(p);
}

static void
test_braces(void **state)
{
	struct template_set	*ts;
	json_t			*p = params(example);
	char			*subject, *body;

	tmp_reset();
	tmp_write("fr/reminder.sms", "{{title}} = {title} }}{{ {{{title}}}\n"
	    "  suite\t\tsur   deux lignes  \r\n\n");
	tmp_write("fr/reminder.email", "subject:\t{{x}} {title}\r\n\r\n"
	    "\tA {{b}}\r\n\n\n");
	tmp_alerts();
	ts = load_ok(tmpdir);
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "{title} = La Cabane }{ {La Cabane} suite "
	    "sur deux lignes");
	free(body);
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "{x} La Cabane");
	assert_string_equal(body, "\tA {b}\n");
	free(subject);
	free(body);
	template_free(ts);
	json_decref(p);
}

static void
test_sanitise(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*subject, *body;

	p = params("{\"title\":\"La\\nCabane\\t\\r\\n (atelier)\\u2028x\","
	    "\"start\":\"2027-01-06T14:00:00+01:00\",\"offset\":86400,"
	    "\"location\":\"Salle\\r\\nA\",\"commune\":null,"
	    "\"end\":null}");
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Rappel : La Cabane (atelier) x le mercredi "
	    "6 janvier 2027 à 14h00.");
	free(body);
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "Rappel : La Cabane (atelier) x, "
	    "mercredi 6 janvier 2027");
	assert_non_null(strstr(body, "\nPetit rappel : La Cabane    "
	    "(atelier) x a lieu demain.\n"));
	assert_non_null(strstr(body, "\nOù : Salle  A\n"));
	assert_non_null(strstr(body, "de 14h00 à \n"));
	assert_null(strchr(body, '\r'));
	free(subject);
	free(body);
	json_decref(p);
	template_free(ts);
}

/* A body line whose placeholders are all empty is left out. */
static void
test_line_dropped(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(example);
	char			*subject, *body;

	json_object_del(p, "location");
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_non_null(strstr(body, "\nOù : Aywaille\n"));
	free(subject);
	free(body);
	json_object_del(p, "commune");
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_null(strstr(body, "Où"));
	assert_non_null(strstr(body, "16h00\n\nBien à vous"));
	free(subject);
	free(body);
	json_decref(p);
	template_free(ts);
}

/*
 * {in} when the dispatcher says when it renders ("now"): the configured
 * offset when on time (within 5 minutes), else the time truly left.
 */
static void
test_in_late(void **state)
{
	/* 2027-10-01T09:05:00+02:00 is 1822374300 UTC seconds */
	static const int64_t start = 1822374300;
	static const struct {
		int64_t		 offset, now;
		const char	*in;
	} cases[] = {
		{ 86400, 1822374300 - 86400, "tomorrow" },	/* on time */
		{ 86400, 1822374300 - 86400 + 290, "tomorrow" },	/* slack */
		{ 86400, 1822374300 - 20 * 3600, "in 20 hours" },	/* held */
		{ 604800, 1822374300 - 5 * 86400 - 7 * 3600, "in 5 days" },
		{ 604800, 1822374300 - 5 * 86400 - 13 * 3600, "in 6 days" },
		{ 7200, 1822374300 - 1500, "in 25 minutes" },
		{ 7200, 1822374300 - 20, "in 1 minute" },
		{ 7200, 1822374300 + 600, "now" },		/* started */
		{ 7200, 1822374300 - 3570, "in 1 hour" },	/* 59.5 min */
		/* short reminders: the slack is a tenth of the offset */
		{ 120, 1822374300 - 120, "in 2 minutes" },	/* on time */
		{ 120, 1822374300 - 110, "in 2 minutes" },	/* slack */
		{ 120, 1822374300 - 65, "in 1 minute" },	/* late */
		{ 120, 1822374300 - 1, "in 1 minute" },	/* not begun */
		{ 60, 1822374300 - 60, "in 1 minute" },
		{ 60, 1822374300 + 200, "now" },		/* begun */
		{ 1800, 1822374300 - 1799, "in 30 minutes" },
		{ 1800, 1822374300 - 1500, "in 25 minutes" },
	};
	struct template_set	*ts;
	json_t			*p;
	char			*body;
	size_t			 i;

	tmp_reset();
	tmp_write("fr/reminder.sms", "{title}\n");
	tmp_write("fr/reminder.email", "Subject: s\n\n{title}\n");
	tmp_write("en/reminder.sms", "{in}\n");
	tmp_alerts();
	ts = load_ok(tmpdir);
	p = params("{\"title\":\"T\",\"start\":\"2027-10-01T09:05:00+02:00\"}");
	assert_int_equal(start, 1822374300);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object_set_new(p, "offset", json_integer(cases[i].offset));
		json_object_set_new(p, "now", json_integer(cases[i].now));
		render_ok(ts, "reminder", "sms", "en", p, NULL, &body);
		assert_string_equal(body, cases[i].in);
		free(body);
	}
	json_decref(p);
	template_free(ts);
}

/*
 * A reminder due less than an hour before its start, rendered when due (or
 * a little late), in every language: "dans 2 minutes", never "maintenant".
 */
static void
test_in_short(void **state)
{
	static const int64_t	 start = 1822374300;	/* 2027-10-01 09:05 */
	static const struct {
		int64_t		 offset, left;
		const char	*in[4];
	} cases[] = {
		{ 120, 120, { "dans 2 minutes", "over 2 minuten",
		    "in 2 Minuten", "in 2 minutes" } },
		{ 120, 100, { "dans 2 minutes", "over 2 minuten",
		    "in 2 Minuten", "in 2 minutes" } },
		{ 120, 20, { "dans 1 minute", "over 1 minuut", "in 1 Minute",
		    "in 1 minute" } },
		{ 30, 30, { "dans 1 minute", "over 1 minuut", "in 1 Minute",
		    "in 1 minute" } },
		{ 3000, 2990, { "dans 50 minutes", "over 50 minuten",
		    "in 50 Minuten", "in 50 minutes" } },
	};
	struct template_set	*ts;
	json_t			*p;
	char			*body, file[64];
	size_t			 i, l;

	tmp_reset();
	for (l = 0; l < 4; l++) {
		snprintf(file, sizeof file, "%s/reminder.sms", langs[l]);
		tmp_write(file, "{in}\n");
		snprintf(file, sizeof file, "%s/reminder.email", langs[l]);
		tmp_write(file, "Subject: s\n\n{in}\n");
	}
	tmp_alerts();
	ts = load_ok(tmpdir);
	p = params("{\"title\":\"T\",\"start\":\"2027-10-01T09:05:00+02:00\"}");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object_set_new(p, "offset", json_integer(cases[i].offset));
		json_object_set_new(p, "now",
		    json_integer(start - cases[i].left));
		for (l = 0; l < 4; l++) {
			render_ok(ts, "reminder", "sms", langs[l], p, NULL,
			    &body);
			assert_string_equal(body, cases[i].in[l]);
			free(body);
		}
	}
	json_decref(p);
	template_free(ts);
}

/* {in}, {time}, {date} and {when} in every language. */
static void
test_words(void **state)
{
	static const struct {
		int64_t		 offset;
		const char	*in[4];
	} ins[] = {
		{ 604800, { "dans 7 jours", "over 7 dagen", "in 7 Tagen",
		    "in 7 days" } },
		{ 86400, { "demain", "morgen", "morgen", "tomorrow" } },
		{ 172800, { "dans 2 jours", "over 2 dagen", "in 2 Tagen",
		    "in 2 days" } },
		{ 7200, { "dans 2 heures", "over 2 uur", "in 2 Stunden",
		    "in 2 hours" } },
		{ 3600, { "dans 1 heure", "over 1 uur", "in 1 Stunde",
		    "in 1 hour" } },
		{ 129600, { "dans 36 heures", "over 36 uur", "in 36 Stunden",
		    "in 36 hours" } },
		{ 1800, { "dans 30 minutes", "over 30 minuten",
		    "in 30 Minuten", "in 30 minutes" } },
		{ 60, { "dans 1 minute", "over 1 minuut", "in 1 Minute",
		    "in 1 minute" } },
		{ 90, { "dans 2 minutes", "over 2 minuten", "in 2 Minuten",
		    "in 2 minutes" } },
		{ 0, { "maintenant", "nu", "jetzt", "now" } },
	};
	static const char *const dates[4][4] = {	/* date time when end */
		{ "vendredi 1er octobre 2027", "9h05",
		  "vendredi 1er octobre 2027 à 9h05", "23h30" },
		{ "vrijdag 1 oktober 2027", "9.05 uur",
		  "vrijdag 1 oktober 2027 om 9.05 uur", "23.30 uur" },
		{ "Freitag, 1. Oktober 2027", "09:05 Uhr",
		  "Freitag, 1. Oktober 2027 um 09:05 Uhr", "23:30 Uhr" },
		{ "Friday 1 October 2027", "09:05",
		  "Friday 1 October 2027 at 09:05", "23:30" },
	};
	struct template_set	*ts;
	json_t			*p;
	char			*body, text[128];
	size_t			 i, l;

	tmp_reset();
	for (l = 0; l < 4; l++) {
		snprintf(text, sizeof text, "%s/reminder.sms", langs[l]);
		tmp_write(text, "{in}|{date}|{time}|{when}|{end_time}|{title}\n");
		snprintf(text, sizeof text, "%s/reminder.email", langs[l]);
		tmp_write(text, "Subject: s\n\n{in}\n");
	}
	tmp_alerts();
	ts = load_ok(tmpdir);
	p = params("{\"title\":\"T\",\"start\":\"2027-10-01T09:05:00+02:00\","
	    "\"end\":\"2027-10-01T23:30:00+02:00\"}");
	for (i = 0; i < sizeof ins / sizeof ins[0]; i++) {
		json_object_set_new(p, "offset", json_integer(ins[i].offset));
		for (l = 0; l < 4; l++) {
			render_ok(ts, "reminder", "sms", langs[l], p, NULL,
			    &body);
			snprintf(text, sizeof text, "%s|%s|%s|%s|%s|T",
			    ins[i].in[l], dates[l][0], dates[l][1],
			    dates[l][2], dates[l][3]);
			assert_string_equal(body, text);
			free(body);
		}
	}
	/* No offset: {in} is empty. */
	json_object_del(p, "offset");
	render_ok(ts, "reminder", "sms", "en", p, NULL, &body);
	assert_string_equal(body, "|Friday 1 October 2027|09:05|"
	    "Friday 1 October 2027 at 09:05|23:30|T");
	free(body);
	json_decref(p);
	template_free(ts);
}

static void
test_render_errors(void **state)
{
	static const struct {
		const char	*params;
		const char	*why;
	} bad[] = {
		{ "{\"title\":\"T\"}", "params: no \"start\"" },
		{ "{\"start\":\"2027-01-06T14:00:00+01:00\"}",
		  "params: no \"title\"" },
		{ "{\"title\":null,\"start\":\"2027-01-06T14:00:00\"}",
		  "params: no \"title\"" },
		{ "{\"title\":\"T\",\"start\":\"2027-02-30T14:00:00+01:00\"}",
		  "params: \"start\": " },
		{ "{\"title\":\"T\",\"start\":\"demain\"}",
		  "params: \"start\": not a date-time" },
		{ "{\"title\":\"T\",\"start\":\"2027-01-06T14:00:00 CET\"}",
		  "is not an offset" },
		{ "{\"title\":\"T\",\"start\":\"2027-01-06T14:00:00\","
		  "\"end\":\"x\"}", "params: \"end\": " },
		{ "{\"title\":\"T\",\"start\":\"2027-01-06T14:00:00\","
		  "\"offset\":\"7d\"}", "params: \"offset\" is not an integer" },
		{ "{\"title\":3,\"start\":\"2027-01-06T14:00:00\"}",
		  "params: \"title\" is not a string" },
		{ "[1]", "params: not a JSON object" },
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*subject, *body, *cause;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = params(bad[i].params);
		cause = NULL;
		body = dummy;
		if (template_render(ts, "reminder", "sms", "fr", p, NULL,
		    &body, &cause) != -1)
			fail_msg("%s accepted", bad[i].params);
		assert_null(body);
		if (cause == NULL || strstr(cause, bad[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].params,
			    cause, bad[i].why);
		assert_non_null(strstr(cause, "template reminder.sms: "));
		free(cause);
		json_decref(p);
	}
	/* Accepted forms of the start. */
	p = params("{\"title\":\"T\",\"start\":\"2027-01-06T14:00Z\"}");
	render_ok(ts, "reminder", "sms", "en", p, NULL, &body);
	assert_string_equal(body, "Reminder: T on Wednesday 6 January 2027 at "
	    "14:00.");
	free(body);
	cause = NULL;
	assert_int_equal(template_render(ts, "reminder", "email", "fr", NULL,
	    &subject, &body, &cause), -1);
	assert_non_null(strstr(cause, "no \"title\""));
	assert_int_equal(template_render(ts, "bogus", "sms", "fr", p, NULL,
	    &body, &cause), -1);
	assert_non_null(strstr(cause, "template bogus.sms: no such kind"));
	assert_int_equal(template_render(ts, "reminder", "fax", "fr", p, NULL,
	    &body, &cause), -1);
	assert_int_equal(template_render(ts, "reminder", "email", "fr", p,
	    NULL, &body, &cause), -1);
	assert_null(body);
	free(cause);
	json_decref(p);
	template_free(ts);
}

/* ---- SMS segments ---- */

/* n copies of s (new string). */
static char *
rep(const char *s, size_t n)
{
	char	*out = xcalloc(1, strlen(s) * n + 1);

	while (n-- > 0)
		strcat(out, s);
	return out;
}

/* template_sms_segments of pre + n copies of s + post. */
static int
segs(const char *pre, const char *s, size_t n, const char *post)
{
	char	*r = rep(s, n), *t;
	int	 k;

	xasprintf(&t, "%s%s%s", pre, r, post);
	k = template_sms_segments(t);
	free(r);
	free(t);
	return k;
}

static void
test_segments(void **state)
{
	char	*a152, *a66;

	assert_int_equal(template_sms_segments(""), 1);
	assert_int_equal(template_sms_segments(NULL), 1);
	/* GSM-7: 160 alone, 153 a part. */
	assert_int_equal(segs("", "a", 160, ""), 1);
	assert_int_equal(segs("", "a", 161, ""), 2);
	assert_int_equal(segs("", "a", 306, ""), 2);
	assert_int_equal(segs("", "a", 307, ""), 3);
	assert_int_equal(segs("", "é", 160, ""), 1);	/* é è à ù ì ò */
	assert_int_equal(segs("", "Ç", 160, ""), 1);	/* capital only */
	assert_int_equal(segs("", "@$£¥ÄÖÑÜäöñüßÉΔ_§¿¡", 8, ""), 1);
	/* The extension table counts 2. */
	assert_int_equal(segs("", "€", 80, ""), 1);
	assert_int_equal(segs("", "€", 81, ""), 2);
	assert_int_equal(segs("", "a", 158, "€"), 1);
	assert_int_equal(segs("", "a", 159, "€"), 2);
	assert_int_equal(segs("", "a", 159, "["), 2);
	assert_int_equal(segs("", "{}[]~^|\\", 10, ""), 1);	/* 160 */
	assert_int_equal(segs("", "{}[]~^|\\", 10, "x"), 2);
	assert_int_equal(segs("", "{}[]~^|\\", 20, ""), 3);	/* 153+153+14 */
	/* An escape pair is never split: 152 + (2) + 152 = 306 septets. */
	assert_int_equal(segs("", "a", 152, "€"), 1);
	a152 = rep("a", 152);
	assert_int_equal(segs(a152, "€", 1, a152), 3);
	assert_int_equal(segs(a152, "a", 2, a152), 2);
	free(a152);
	/* UCS-2: 70 alone, 67 a part. */
	assert_int_equal(segs("", "ç", 70, ""), 1);
	assert_int_equal(segs("", "ç", 71, ""), 2);
	assert_int_equal(segs("", "ç", 134, ""), 2);
	assert_int_equal(segs("", "ç", 135, ""), 3);
	assert_int_equal(segs("", "a", 69, "ç"), 1);
	assert_int_equal(segs("", "a", 70, "ç"), 2);
	assert_int_equal(segs("", "a", 159, "ê"), 3);	/* 160 units */
	assert_int_equal(segs("", "`", 70, ""), 1);	/* ` is not GSM-7 */
	assert_int_equal(segs("", "`", 71, ""), 2);
	/* Beyond U+FFFF: a surrogate pair, never split. */
	assert_int_equal(segs("", "a", 68, "😀"), 1);
	assert_int_equal(segs("", "a", 69, "😀"), 2);
	a66 = rep("a", 66);
	assert_int_equal(segs(a66, "😀", 1, a66), 3);	/* 134 units */
	assert_int_equal(segs(a66, "ç", 2, a66), 2);	/* 134 units */
	free(a66);
}

/* Characters in a UTF-8 string. */
static int
u8len(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/*
 * The reminder SMS fits one GSM-7 SMS in the four languages for a title of
 * 40 characters, on every day of the year, at the widest times; accents
 * outside GSM-7 (août, Fête) are spelled plainly to keep it there, unless
 * the text needs UCS-2 anyway.
 */
static void
test_sms_one_segment(void **state)
{
	static const char *const titles[] = {
		"La Cabane",
		"Plateforme du réseau : réunion plénière.",	/* 40 */
		"Fête de l'été, stand du réseau à Trooz !",	/* 40, ê */
		"Formation « écoute » (référents) – ça va",	/* 40 */
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*sms, start[64];
	size_t			 t, l;
	int			 d, n = 0;

	for (t = 1; t < sizeof titles / sizeof titles[0]; t++)
		assert_int_equal(u8len(titles[t]), 40);
	for (t = 0; t < sizeof titles / sizeof titles[0]; t++) {
		for (d = 0; d < 365; d++) {
			struct tm	 tm = { .tm_year = 127, .tm_mday = 1 + d,
			    .tm_hour = 12 };

			timegm(&tm);
			snprintf(start, sizeof start,
			    "%04d-%02d-%02dT%s:00+02:00", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday,
			    d % 2 ? "23:59" : "10:00");
			p = json_pack("{ss ss sI}", "title", titles[t],
			    "start", start, "offset", (json_int_t)604800);
			for (l = 0; l < 4; l++) {
				render_ok(ts, "reminder", "sms", langs[l], p,
				    NULL, &sms);
				if (template_sms_segments(sms) != 1)
					fail_msg("%d segments: %s",
					    template_sms_segments(sms), sms);
				n++;
				free(sms);
			}
			json_decref(p);
		}
	}
	assert_int_equal(n, 4 * 365 * 4);

	/* August keeps its accent in the email, loses it in the SMS. */
	p = params("{\"title\":\"Fête\",\"start\":\"2027-08-04T14:00:00\"}");
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &sms);
	assert_string_equal(sms, "Rappel : Fete le mercredi 4 aout 2027 à "
	    "14h00.");
	free(sms);
	json_decref(p);
	/* A title that needs UCS-2 anyway keeps every accent. */
	p = params("{\"title\":\"Встреча\",\"start\":\"2027-08-04T14:00\"}");
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &sms);
	assert_string_equal(sms, "Rappel : Встреча le mercredi 4 août 2027 à "
	    "14h00.");
	assert_int_equal(template_sms_segments(sms), 1);
	free(sms);
	json_decref(p);
	template_free(ts);
}

/* ---- the shelter alerts ---- */

/*
 * What the dispatcher may hand an alert, and more: the params of a person
 * and a place that no alert offers, to prove that none of them is ever
 * written.  2026-01-07 is a Wednesday.
 */
static const char alert_example[] =
    "{\"code\":\"4821\",\"link\":\"https://reseau.example/a/Zm9vYmFy\","
    "\"shelter\":\"Appartement d'urgence\","
    "\"until\":\"2026-01-07T18:00:00+01:00\","
    "\"opened\":\"2026-01-07T14:00:00+01:00\",\"now\":1767790800,"
    "\"name\":\"Marie Dubois\",\"claimed_by\":{\"id\":7,"
    "\"name\":\"Jean Dupont\"},\"phone\":\"+32470123456\","
    "\"email\":\"marie.dubois@example.org\","
    "\"location\":\"Rue de la Gare 12\",\"commune\":\"Esneux\"}";

/* Parts of alert_example that no text may carry, and those that only an
 * email body may carry. */
static const char *const alert_private[] = {
	"Marie", "Dubois", "Jean", "Dupont", "470123456", "example.org",
	"Rue de la Gare", "Esneux",
};
static const char *const alert_body_only[] = {
	"https://reseau.example/a/Zm9vYmFy", "http", "/a/",
	"Appartement", "urgence",
};

/* The first of words (n) that the folded text f carries, or NULL. */
static const char *
carries(const char *f, const char *const *words, size_t n)
{
	char	*w;
	size_t	 i;
	int	 found;

	for (i = 0; i < n; i++) {
		w = fold(words[i]);
		found = strstr(f, w) != NULL;
		free(w);
		if (found)
			return words[i];
	}
	return NULL;
}

/*
 * Why text may not go where it goes (NULL: it may): a word of our list or
 * of guard_phone_check, an '@', a person's name, a phone number, an
 * address; on a phone (SMS, subject), also the link, the shelter's title
 * or a line break.
 */
static const char *
alert_unsafe(const char *text, int phone)
{
	static char	 why[128];
	const char	*word;
	char		*f, *cause = NULL;

	if ((word = forbidden_in(text)) != NULL) {
		snprintf(why, sizeof why, "the word \"%s\"", word);
		return why;
	}
	if (guard_phone_check(text, &cause) == -1) {
		snprintf(why, sizeof why, "%s", cause);
		free(cause);
		return why;
	}
	if (strchr(text, '@') != NULL)
		return "an '@'";
	if (phone && strpbrk(text, "\r\n") != NULL)
		return "a line break";
	f = fold(text);
	word = carries(f, alert_private, sizeof alert_private /
	    sizeof alert_private[0]);
	if (word == NULL && phone)
		word = carries(f, alert_body_only, sizeof alert_body_only /
		    sizeof alert_body_only[0]);
	free(f);
	if (word == NULL)
		return NULL;
	snprintf(why, sizeof why, "\"%s\"", word);
	return why;
}

/* A template's text with its placeholders blanked out: {shelter} is a
 * name, not a word (new string). */
static char *
no_placeholders(const char *text)
{
	char	*t = xstrdup(text), *p, *e;

	for (p = t; (p = strchr(p, '{')) != NULL; p = e) {
		if ((e = strchr(p, '}')) == NULL)
			break;
		memset(p, ' ', (size_t)(e - p + 1));
	}
	return t;
}

/* The checker itself rejects what it must, or the test below proves
 * nothing. */
static void
test_alert_checker(void **state)
{
	static const struct {
		const char	*text;
		int		 phone;
	} bad[] = {
		{ "Stopp Vif : un logement pour victimes.", 0 },
		{ "Stopp Vif : logement du refuge, OK 4821.", 1 },
		{ "Een woning in de opvang is vrij.", 0 },
		{ "Eine Unterkunft für Opfer ist frei.", 0 },
		{ "A shelter is available.", 0 },
		{ "Violences conjugales", 0 },
		{ "Schutzhaus", 0 },
		{ "Bonjour Marie,", 0 },
		{ "Réservé par Jean Dupont", 0 },
		{ "Écrivez à coordination@reseau.example", 0 },
		{ "Appelez le +32 470123456", 0 },
		{ "Adresse : Rue de la Gare 12, Esneux", 0 },
		{ "Réservez : https://reseau.example/a/Zm9vYmFy", 1 },
		{ "Logement : Appartement d'urgence", 1 },
		{ "deux\nlignes", 1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (alert_unsafe(bad[i].text, bad[i].phone) == NULL)
			fail_msg("accepted: %s", bad[i].text);
	/* An email body may hold the link and the shelter's title. */
	assert_null(alert_unsafe("Lien : https://reseau.example/a/Zm9vYmFy"
	    "\nLogement : Appartement d'urgence\n", 0));
	assert_null(alert_unsafe("Un logement est disponible. Pour le "
	    "réserver, répondez OK 4821.", 1));
}

/* The files of kind in lang as written, braces and all: no forbidden
 * word, no '@', and neither {link} nor {shelter} in the SMS or subject. */
static void
alert_files(const char *lang, const char *kind)
{
	const char	*why;
	char		*text, *bare, rel[64];
	int		 c;

	for (c = 0; c < 2; c++) {
		snprintf(rel, sizeof rel, "%s/%s.%s", lang, kind, channels[c]);
		text = real_file(rel);
		bare = no_placeholders(text);
		if ((why = alert_unsafe(bare, 0)) != NULL)
			fail_msg("%s carries %s", rel, why);
		free(bare);
		if (c == 0)
			*strchr(text, '\n') = '\0';	/* the subject */
		if (strstr(text, "{link}") != NULL ||
		    strstr(text, "{shelter}") != NULL)
			fail_msg("%s: {link} or {shelter} on a phone", rel);
		free(text);
	}
}

/*
 * Every alert kind in every language on both channels, rendered from p
 * with sender's name: each SMS one segment with the code in it, beginning
 * with the name when there is one; SMS texts, subjects and whole email
 * bodies free of the forbidden words, of '@', of names and places; the
 * link and the shelter's title in email bodies only, the name on the last
 * line.  The template files are read as they are too.
 */
static void
alert_privacy(struct template_set *ts, json_t *p, const char *sender)
{
	const char	*why;
	char		*subject, *body, want[64], *cause = NULL;
	size_t		 l, k;
	int		 alert;

	if (template_set_sender(ts, sender, &cause) != 0)
		fail_msg("sender refused: %s", cause);
	for (l = 0; l < 4; l++) {
		for (k = 0; k < NALERTS; k++) {
			alert = strcmp(alert_kinds[k], "alert") == 0 ||
			    strcmp(alert_kinds[k], "alert_unclear") == 0;
			render_ok(ts, alert_kinds[k], "sms", langs[l], p, NULL,
			    &body);
			if ((why = alert_unsafe(body, 1)) != NULL)
				fail_msg("%s/%s.sms carries %s: %s", langs[l],
				    alert_kinds[k], why, body);
			if (template_sms_segments(body) != 1)
				fail_msg("%s/%s.sms takes %d SMS: %s", langs[l],
				    alert_kinds[k], template_sms_segments(body),
				    body);
			assert_non_null(strstr(body, alert ? "OK 4821" :
			    "4821"));
			snprintf(want, sizeof want, "%s%s", sender, l == 0 ?
			    " : " : ": ");
			if (*sender != '\0')
				assert_int_equal(strncmp(body, want,
				    strlen(want)), 0);
			else	/* the separator went, a capital begins */
				assert_true(*body >= 'A' && *body <= 'Z');
			free(body);

			render_ok(ts, alert_kinds[k], "email", langs[l], p,
			    &subject, &body);
			if ((why = alert_unsafe(subject, 1)) != NULL)
				fail_msg("%s/%s.email subject carries %s: %s",
				    langs[l], alert_kinds[k], why, subject);
			if ((why = alert_unsafe(body, 0)) != NULL)
				fail_msg("%s/%s.email body carries %s:\n%s",
				    langs[l], alert_kinds[k], why, body);
			assert_non_null(strstr(subject, "4821"));
			assert_non_null(strstr(body, "4821"));
			assert_non_null(strstr(body, "Appartement d'urgence"));
			assert_int_equal(strstr(body, "https://reseau."
			    "example/a/Zm9vYmFy") != NULL,
			    strcmp(alert_kinds[k], "alert") == 0);
			snprintf(want, sizeof want, "\n%s\n", sender);
			if (*sender != '\0')
				assert_non_null(strstr(body, want));
			else	/* the signature's line left out */
				assert_true(body[strlen(body) - 2] != '\n');
			free(subject);
			free(body);
			alert_files(langs[l], alert_kinds[k]);
		}
	}
}

static void
test_alert_privacy(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(alert_example);

	alert_privacy(ts, p, "");
	alert_privacy(ts, p, "Réseau Ourthe");
	/* The longest name allowed, in the four languages. */
	alert_privacy(ts, p, "Réseau Ourthe-Amblève, coordination 1234");
	json_decref(p);
	template_free(ts);
}

/* The words of each language, and what is left out when it must be. */
static void
test_alert_words(void **state)
{
	static const struct {
		const char	*lang, *alert, *confirm, *opened;
	} expect_alert[] = {
		{ "fr", "Un logement est disponible. Pour le réserver, "
		  "répondez OK 4821.",
		  "C'est noté, le logement 4821 vous est réservé jusqu'au "
		  "mercredi 7 janvier 2026 à 18h00.",
		  "\nAlerte ouverte le mercredi 7 janvier 2026 à 14h00.\n" },
		{ "nl", "Er is een woning vrij. Antwoord OK 4821 om ze te "
		  "reserveren.",
		  "Genoteerd, de woning 4821 is voor u gereserveerd tot "
		  "woensdag 7 januari 2026 om 18.00 uur.",
		  "\nOproep geopend op woensdag 7 januari 2026 om 14.00 "
		  "uur.\n" },
		{ "de", "Eine Unterkunft ist frei. Zum Reservieren antworten "
		  "Sie OK 4821.",
		  "Notiert, die Unterkunft 4821 ist bis Mittwoch, 7. Januar "
		  "2026 um 18:00 Uhr für Sie reserviert.",
		  "\nAnfrage gestellt am Mittwoch, 7. Januar 2026 um 14:00 "
		  "Uhr.\n" },
		{ "en", "A lodging is available. To reserve it, reply OK 4821.",
		  "Noted, the lodging 4821 is reserved for you until "
		  "Wednesday 7 January 2026 at 18:00.",
		  "\nAlert opened on Wednesday 7 January 2026 at 14:00.\n" },
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(alert_example);
	char			*subject, *body;
	size_t			 i;

	for (i = 0; i < 4; i++) {
		render_ok(ts, "alert", "sms", expect_alert[i].lang, p, NULL,
		    &body);
		assert_string_equal(body, expect_alert[i].alert);
		free(body);
		render_ok(ts, "alert_confirm", "sms", expect_alert[i].lang, p,
		    NULL, &body);
		assert_string_equal(body, expect_alert[i].confirm);
		free(body);
		render_ok(ts, "alert_nobody", "email", expect_alert[i].lang, p,
		    &subject, &body);
		assert_non_null(strstr(body, expect_alert[i].opened));
		free(subject);
		free(body);
	}
	/* What the brief's French says. */
	render_ok(ts, "alert_taken", "sms", "fr", p, NULL, &body);
	assert_non_null(strstr(body, "déjà réservé"));
	free(body);
	render_ok(ts, "alert_late", "sms", "fr", p, NULL, &body);
	assert_non_null(strstr(body, "déjà pris"));
	free(body);
	render_ok(ts, "alert_unclear", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Réponse non comprise. Pour réserver le "
	    "logement, répondez OK 4821.");
	free(body);
	render_ok(ts, "alert_unclear", "sms", "nl", p, NULL, &body);
	assert_string_equal(body, "Antwoord niet begrepen. Om de woning te "
	    "reserveren, antwoord OK 4821.");
	free(body);
	render_ok(ts, "alert_unclear", "sms", "de", p, NULL, &body);
	assert_string_equal(body, "Antwort nicht verstanden. Zum Reservieren "
	    "antworten Sie OK 4821.");
	free(body);
	render_ok(ts, "alert_unclear", "sms", "en", p, NULL, &body);
	assert_string_equal(body, "Reply not understood. To reserve the "
	    "lodging, reply OK 4821.");
	free(body);
	render_ok(ts, "alert_locked", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Alerte 4821 : trop de codes erronés depuis "
	    "un téléphone alerté ; ses SMS sont refusés jusqu'à la prochaine "
	    "alerte.");
	free(body);
	render_ok(ts, "alert_locked", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "Alerte 4821 : trop de codes erronés");
	assert_non_null(strstr(body, "\nAlerte ouverte le mercredi 7 janvier "
	    "2026 à 14h00.\n"));
	free(subject);
	free(body);

	/* No link, no shelter, no opening time: their lines go. */
	json_object_del(p, "link");
	json_object_del(p, "opened");
	json_object_set_new(p, "shelter", json_string("Refuge des Lilas"));
	render_ok(ts, "alert", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "Un logement est disponible (code 4821)");
	assert_null(strstr(body, "lien"));
	assert_null(strstr(body, "Logement :"));
	assert_null(strstr(body, "Lilas"));
	assert_non_null(strstr(body, "répondez par SMS : OK 4821\n\n"));
	free(subject);
	free(body);
	render_ok(ts, "alert_no_oncall", "email", "en", p, &subject, &body);
	assert_null(strstr(body, "opened on"));
	assert_null(strstr(body, "Lodging:"));
	free(subject);
	free(body);
	json_object_set_new(p, "shelter", json_string("Studio Ourthe"));
	render_ok(ts, "alert_closed", "email", "nl", p, &subject, &body);
	assert_non_null(strstr(body, "\nWoning: Studio Ourthe\n"));
	free(subject);
	free(body);
	json_decref(p);
	template_free(ts);
}

static void
test_alert_render_errors(void **state)
{
	static const struct {
		const char	*kind, *params, *why;
	} bad[] = {
		{ "alert", "{\"link\":\"https://h/a/T\"}", "no \"code\"" },
		{ "alert", "{\"code\":null}", "no \"code\"" },
		{ "alert_taken", "{\"code\":4821}",
		  "\"code\" is not a string" },
		{ "alert_confirm", "{\"code\":\"4821\"}", "no \"until\"" },
		{ "alert_confirm", "{\"code\":\"4821\",\"until\":\"demain\"}",
		  "\"until\": not a date-time" },
		{ "alert_nobody", "{\"code\":\"4821\",\"opened\":"
		  "\"2026-02-30T10:00:00+01:00\"}", "\"opened\": " },
		{ "alert_no_oncall", "{\"code\":\"4821\",\"shelter\":3}",
		  "\"shelter\" is not a string" },
		{ "alert_late", "{}", "no \"code\"" },
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*body, *subject, *cause, want[64];
	size_t			 i, c;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = params(bad[i].params);
		for (c = 0; c < 2; c++) {
			cause = NULL;
			body = subject = dummy;
			if (template_render(ts, bad[i].kind, channels[c], "nl",
			    p, &subject, &body, &cause) != -1)
				fail_msg("%s %s accepted", bad[i].kind,
				    bad[i].params);
			assert_null(body);
			assert_null(subject);
			snprintf(want, sizeof want, "template %s.%s: params: ",
			    bad[i].kind, channels[c]);
			if (cause == NULL || strstr(cause, want) != cause ||
			    strstr(cause, bad[i].why) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"",
				    bad[i].params, cause, bad[i].why);
			free(cause);
		}
		json_decref(p);
	}
	/* The code alone is enough; unknown params are ignored. */
	p = params("{\"code\":\"4821\",\"name\":[1],\"x\":{}}");
	render_ok(ts, "alert_nobody", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Personne n'a répondu à l'alerte 4821. Le "
	    "logement n'est pas réservé.");
	free(body);
	json_decref(p);
	template_free(ts);
}

/*
 * Templates that break the rules of alerts are refused at load, each
 * problem with its file and line: {link} and {shelter} off phones, the
 * placeholders of another kind, the forbidden words in email bodies too.
 */
static void
test_alert_refused(void **state)
{
	static const char off[] = " may not appear in an SMS or a subject: "
	    "what it holds must never reach a phone";
	char	*cause, msg[256];

	tmp_reset();
	tmp_copy("fr/reminder.sms");
	tmp_copy("fr/reminder.email");
	tmp_alerts();
	tmp_write("fr/alert.sms", "{sender} : un logement est disponible.\n"
	    "Réservez : {link} ou OK {code}.\n");
	tmp_write("nl/alert.email", "Subject: Woning vrij: {link}\n\n"
	    "Antwoord OK {code} of open {link}\n");
	tmp_write("de/alert_taken.sms", "{sender}: {shelter} ist "
	    "reserviert.\n");
	tmp_write("en/alert_taken.email", "Subject: Taken ({code})\n\n"
	    "The lodging {code} is taken.\nSee {link}\n");
	tmp_write("en/alert_nobody.sms", "{sender}: nobody answered {code} "
	    "by {until}.\n");
	tmp_write("nl/reminder.email", "Subject: Herinnering\n\n{title}\n"
	    "{link}\n");
	tmp_write("fr/alert_closed.email", "Subject: Logement {code}\n\n"
	    "Bonjour,\n\nLe logement pour victimes {code} n'est plus "
	    "disponible.\n");
	tmp_write("de/alert_late.sms", "{sender}: Zu spät für das "
	    "Frauenhaus {code}.\n");
	cause = load_bad();
	snprintf(msg, sizeof msg, ":2: {link}%s", off);
	assert_problem(cause, "fr/alert.sms", msg);
	snprintf(msg, sizeof msg, ":1: {link}%s", off);
	assert_problem(cause, "nl/alert.email", msg);
	snprintf(msg, sizeof msg, ":1: {shelter}%s", off);
	assert_problem(cause, "de/alert_taken.sms", msg);
	assert_problem(cause, "en/alert_taken.email", ":4: placeholder {link} "
	    "is not offered by alert_taken messages");
	assert_problem(cause, "en/alert_nobody.sms", ":1: placeholder {until} "
	    "is not offered by alert_nobody messages");
	assert_problem(cause, "nl/reminder.email", ":4: placeholder {link} is "
	    "not offered by reminder messages");
	assert_problem(cause, "fr/alert_closed.email", ":5: \"victime\" may "
	    "not reach a phone: alert emails are read on phones that others "
	    "may see");
	assert_problem(cause, "de/alert_late.sms", ":1: \"*frauenhaus*\" may "
	    "not reach a phone: SMS texts and subjects are read on phones that "
	    "others may see");
	free(cause);

	/* French is required for every alert kind too. */
	tmp_reset();
	tmp_copy("fr/reminder.sms");
	tmp_copy("fr/reminder.email");
	tmp_alerts();
	snprintf(msg, sizeof msg, "%s/fr/alert_late.sms", tmpdir);
	unlink(msg);
	tmp_copy("nl/alert_late.sms");
	cause = load_bad();
	assert_problem(cause, "fr/alert_late.sms", ": missing (French is "
	    "required: the other languages fall back to it)");
	free(cause);
}

/* The load-time check of an alert SMS: "FILE:1: ... takes N". */
static void
assert_too_long(const char *cause, const char *rel, int n)
{
	char	 msg[160];

	snprintf(msg, sizeof msg, ":1: an alert SMS must fit in one message "
	    "(160 GSM-7 characters, 70 with other characters): this one "
	    "takes %d", n);
	assert_problem(cause, rel, msg);
}

/* Write rel: pre, n copies of s, post. */
static void
tmp_rep(const char *rel, const char *pre, const char *s, size_t n,
    const char *post)
{
	char	*r = rep(s, n), *t;

	xasprintf(&t, "%s%s%s\n", pre, r, post);
	tmp_write(rel, t);
	free(r);
	free(t);
}

/* An alert SMS over one segment with the longest code is refused at load;
 * a reminder's is not. */
static void
test_alert_too_long(void **state)
{
	char	*cause;

	tmp_reset();
	tmp_copy("fr/reminder.email");
	tmp_alerts();
	tmp_rep("fr/reminder.sms", "", "a ", 200, "");		/* 399 */
	tmp_rep("fr/alert.sms", "", "a", 156, "{code}");	/* 160 */
	tmp_rep("nl/alert_taken.sms", "", "ж", 66, "{code}");	/* 70 */
	tmp_rep("en/alert_taken.sms", "", "€", 78, "{code}");	/* 156 + 4 */
	tmp_rep("de/alert_late.sms", "ç", "a", 155, "{code}");	/* ç is c */
	template_free(load_ok(tmpdir));

	tmp_rep("fr/alert.sms", "", "a", 157, "{code}");	/* 161 */
	tmp_rep("en/alert_closed.sms", "", "a", 400, "{code}");	/* 404 */
	tmp_rep("de/alert_confirm.sms", "", "ж", 67, "{code}");	/* 71 */
	tmp_rep("en/alert_late.sms", "", "€", 79, "{code}");	/* 158 + 4 */
	cause = load_bad();
	assert_too_long(cause, "fr/alert.sms", 2);
	assert_too_long(cause, "en/alert_closed.sms", 3);
	assert_too_long(cause, "de/alert_confirm.sms", 2);
	assert_too_long(cause, "en/alert_late.sms", 2);
	assert_null(strstr(cause, "reminder"));
	assert_null(strstr(cause, "alert_taken"));
	assert_null(strstr(cause, "de/alert_late"));
	free(cause);
}

/*
 * The date an alert SMS is measured with at load is the widest of its
 * language: an {until} SMS padded to the limit loads, one character more
 * is refused, and the one that loads takes one SMS on every day of 28
 * years (every weekday on every date of every month) at 23:59.
 */
static void
test_alert_widest(void **state)
{
	struct template_set	*ts = NULL;
	json_t			*p = params("{\"code\":\"8888\"}");
	char			 rel[64], until[64], *cause, *sms;
	size_t			 l, pad;
	int			 d, n;

	tmp_reset();
	tmp_copy("fr/reminder.sms");
	tmp_copy("fr/reminder.email");
	tmp_alerts();
	for (l = 0; l < 4; l++) {
		snprintf(rel, sizeof rel, "%s/alert_confirm.sms", langs[l]);
		for (pad = 130; pad > 80; pad--) {
			tmp_rep(rel, "", "a", pad, "{code}{until}");
			if ((ts = template_load(tmpdir, NULL)) != NULL)
				break;
		}
		if (ts == NULL || pad == 130)
			fail_msg("%s: no padding loads", rel);
		tmp_rep(rel, "", "a", pad + 1, "{code}{until}");
		cause = load_bad();
		assert_too_long(cause, rel, 2);
		free(cause);
		for (d = n = 0; d < 28 * 366; d++) {
			struct tm	 tm = { .tm_year = 126,
			    .tm_mday = 1 + d, .tm_hour = 12 };

			timegm(&tm);
			if (tm.tm_year >= 126 + 28)
				break;
			snprintf(until, sizeof until, "%04d-%02d-%02dT23:59:00"
			    "+01:00", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday);
			json_object_set_new(p, "until", json_string(until));
			render_ok(ts, "alert_confirm", "sms", langs[l], p, NULL,
			    &sms);
			if (template_sms_segments(sms) != 1)
				fail_msg("%s: %d SMS: %s", rel,
				    template_sms_segments(sms), sms);
			free(sms);
			n++;
		}
		assert_int_equal(n, 28 * 365 + 7);
		template_free(ts);
		ts = NULL;
		if (l == 0)
			tmp_copy(rel);		/* French is required */
		else
			tmp_rep(rel, "", "x", 1, "{code}");
	}
	json_decref(p);
}

/* ---- the sender's name ---- */

/* {sender} begins the SMS and signs the emails; a name that would put a
 * word on a phone, hide a character or lengthen an alert SMS past one
 * message is refused, and the previous one kept. */
static void
test_sender(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(example);
	char			*subject, *body, *cause = NULL;
	char			 long41[64];

	assert_int_equal(template_set_sender(ts, " Réseau Ourthe ", &cause),
	    0);
	assert_null(cause);
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Réseau Ourthe : Rappel : La Cabane le "
	    "mercredi 6 janvier 2027 à 14h00.");
	free(body);
	render_ok(ts, "reminder", "sms", "de", p, NULL, &body);
	assert_string_equal(body, "Réseau Ourthe: Erinnerung: La Cabane am "
	    "Mittwoch, 6. Januar 2027 um 14:00 Uhr.");
	free(body);
	render_ok(ts, "reminder", "email", "nl", p, &subject, &body);
	assert_string_equal(subject, expect[1].subject);
	assert_non_null(strstr(body, "\n\nMet vriendelijke groet,\nRéseau "
	    "Ourthe\n"));
	free(subject);
	free(body);

	/* Refused, the name before kept. */
	assert_int_equal(template_set_sender(ts, "Stopp Vif", &cause), -1);
	assert_string_equal(cause, "sender name \"Stopp Vif\": \"vif\" may "
	    "not reach a phone");
	assert_int_equal(template_set_sender(ts, "Le Refuge", &cause), -1);
	assert_non_null(strstr(cause, "\"refuge\" may not reach a phone"));
	assert_int_equal(template_set_sender(ts, "Réseau\xe2\x80\x8bOurthe",
	    &cause), -1);
	assert_string_equal(cause, "sender name: caractère invisible U+200B "
	    "(espace sans largeur) en position 7 : retirez-le (il vient "
	    "souvent d'un copier-coller)");
	assert_int_equal(template_set_sender(ts, "Réseau\nOurthe", &cause),
	    -1);
	assert_non_null(strstr(cause, "saut de ligne en position 7"));
	assert_int_equal(template_set_sender(ts, "\xff", &cause), -1);
	memset(long41, 'x', 41);
	long41[41] = '\0';
	assert_int_equal(template_set_sender(ts, long41, &cause), -1);
	assert_non_null(strstr(cause, ": longer than 40 characters"));
	free(cause);
	cause = NULL;
	long41[40] = '\0';
	assert_int_equal(template_set_sender(ts, long41, NULL), 0);
	assert_int_equal(template_set_sender(ts, "Réseau Ourthe", NULL), 0);
	json_decref(p);
	p = params(alert_example);
	render_ok(ts, "alert", "sms", "en", p, NULL, &body);
	assert_string_equal(body, "Réseau Ourthe: a lodging is available. To "
	    "reserve it, reply OK 4821.");
	free(body);
	json_decref(p);
	p = params(example);

	/* NULL and "" clear it. */
	assert_int_equal(template_set_sender(ts, NULL, NULL), 0);
	render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, expect[0].sms);
	free(body);
	assert_int_equal(template_set_sender(ts, "", NULL), 0);
	template_free(ts);

	/* An alert SMS that fits alone but not with the name. */
	tmp_reset();
	tmp_copy("fr/reminder.sms");
	tmp_copy("fr/reminder.email");
	tmp_alerts();
	tmp_rep("nl/alert_taken.sms", "{sender}: ", "a", 145, "{code}");
	ts = load_ok(tmpdir);
	assert_int_equal(template_set_sender(ts, "Ourthe", NULL), 0);
	assert_int_equal(template_set_sender(ts, "Réseau Ourthe", &cause), -1);
	assert_string_equal(cause, "sender name \"Réseau Ourthe\": the alert "
	    "SMS nl/alert_taken.sms would take 2 messages, and an alert SMS "
	    "must fit in one: choose a shorter name");
	free(cause);
	json_decref(p);
	p = params(alert_example);
	render_ok(ts, "alert_taken", "sms", "nl", p, NULL, &body);
	assert_int_equal(strncmp(body, "Ourthe: aaa", 11), 0);
	free(body);
	json_decref(p);
	template_free(ts);
}

/*
 * A text that begins with an empty placeholder loses it and the separator
 * after it (spaces, one of : , - –, spaces), and a literal letter then
 * first becomes a capital; a placeholder with a value keeps all.
 */
static void
test_lead_dropped(void **state)
{
	static const struct {
		const char	*sms, *empty, *named;
	} cases[] = {
		{ "{sender} : rappel {title}", "Rappel La Cabane",
		  "Ourthe : rappel La Cabane" },
		{ "  {sender}, été {title}", "Été La Cabane",
		  "Ourthe, été La Cabane" },
		{ "{sender} - {title} ok", "La Cabane ok",
		  "Ourthe - La Cabane ok" },
		{ "{sender}\xe2\x80\x93rappel", "Rappel", "Ourthe-rappel" },
		{ "{sender} rappel", "Rappel", "Ourthe rappel" },
		{ "{sender}:: x", ": x", "Ourthe:: x" },
		{ "{sender} : 3 jours", "3 jours", "Ourthe : 3 jours" },
		{ "Rappel {sender} : {title}", "Rappel : La Cabane",
		  "Rappel Ourthe : La Cabane" },
	};
	struct template_set	*ts;
	json_t			*p = params(example);
	char			*subject, *body, text[128];
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tmp_reset();
		snprintf(text, sizeof text, "%s\n", cases[i].sms);
		tmp_write("fr/reminder.sms", text);
		tmp_write("fr/reminder.email", "Subject: {in} - rappel {title}"
		    "\n\n{title}\n");
		tmp_alerts();
		ts = load_ok(tmpdir);
		render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
		assert_string_equal(body, cases[i].empty);
		free(body);
		assert_int_equal(template_set_sender(ts, "Ourthe", NULL), 0);
		render_ok(ts, "reminder", "sms", "fr", p, NULL, &body);
		assert_string_equal(body, cases[i].named);
		free(body);
		template_free(ts);
	}
	/* A subject too; a placeholder's own value is not capitalised. */
	ts = load_ok(tmpdir);
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "dans 7 jours - rappel La Cabane");
	free(subject);
	free(body);
	json_object_del(p, "offset");
	json_object_set_new(p, "title", json_string("la cabane"));
	render_ok(ts, "reminder", "email", "fr", p, &subject, &body);
	assert_string_equal(subject, "Rappel la cabane");
	free(subject);
	free(body);
	json_decref(p);
	template_free(ts);
}

/* ---- the phone guard on what is sent ---- */

/*
 * Ways past the old word check (template_phone_check of HEAD, which folded
 * the text to ASCII and looked for substrings): each of them was accepted
 * there.  The zero-width space is the worst: the old check ran on the
 * value before template_one_line() removed the U+200B, so "Vio\u200Blence"
 * passed it as two words and went out as "Violence".
 */
static const char *const bypasses[] = {
	"Vio\xe2\x80\x8blence",		/* U+200B zero-width space */
	"Vi\xd0\xbelence",		/* Cyrillic о */
	"\xef\xbd\x96iolence",		/* fullwidth ｖ */
	"V\xcc\x81iolence",		/* combining acute accent */
	"Vio\xc2\xadlence",		/* U+00AD soft hyphen */
	"Vio\xe2\x80\xaelence",		/* U+202E right-to-left override */
	"Viol", "Femmes battues", "Intrafamiliaal", "Blijf van mijn lijf",
	"Safe house", "Stopp Vif", "V.I.F.",
};
#define NBYPASSES	(sizeof bypasses / sizeof bypasses[0])

/* Render kind.channel in lang from p: 0 when it was rendered and what
 * reaches a phone passes the guard (the body of an alert's email too),
 * 1 when the phone guard refused it; anything else fails. */
static int
guarded_render(struct template_set *ts, const char *kind, const char *ch,
    const char *lang, json_t *p)
{
	char	*subject = NULL, *body = NULL, *cause = NULL, *why = NULL;
	int	 sms = strcmp(ch, "sms") == 0;

	if (template_render(ts, kind, ch, lang, p, &subject, &body,
	    &cause) == -1) {
		if (strncmp(cause, "phone guard: \"", 14) != 0 ||
		    strstr(cause, sms ? "\" may not reach a phone (SMS text)" :
		    "\" may not reach a phone (email subject)") == NULL)
			fail_msg("%s/%s.%s: %s", lang, kind, ch, cause);
		assert_null(body);
		assert_null(subject);
		free(cause);
		return 1;
	}
	if (guard_phone_check(sms ? body : subject, &why) == -1)
		fail_msg("%s/%s.%s: %s in %s", lang, kind, ch, why, sms ? body :
		    subject);
	if (!sms && strcmp(kind, "reminder") != 0 &&
	    guard_phone_check(body, &why) == -1)
		fail_msg("%s/%s.email body: %s in\n%s", lang, kind, why, body);
	free(subject);
	free(body);
	return 0;
}

/*
 * The dead-man's switch: each condition raised and cleared renders in the
 * four languages, says what broke and since when (in the language's own
 * time form), fits one SMS with the longest sender, and passes the phone
 * guard; an alarm without its condition or start is refused.
 */
static void
test_alarm_render(void **state)
{
	static const char *const conditions[] = {
		"channel", "urgent_age", "no_report", "exhausted"
	};
	static const char *const fr_raised[] = {
		"Alerte technique. Les e-mails ne partent plus depuis 14h05 "
		"(5 échecs). Prévenez l'administrateur.",
		"Alerte technique. Un message urgent attend depuis 14h05. "
		"Prévenez l'administrateur.",
		"Alerte technique. Les SMS urgents restent sans accusé de "
		"réception depuis 14h05. Prévenez l'administrateur.",
		"Alerte technique. Personne ne répond à l'alerte 482113 depuis "
		"14h05. Prévenez l'administrateur.",
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*subject, *body, *cause = NULL;
	size_t			 k, l;

	for (k = 0; k < 4; k++) {
		p = json_pack("{ss ss ss sI ss}", "alarm", conditions[k],
		    "channel",
		    "email", "since", "2026-12-07T14:05:00+01:00", "count",
		    (json_int_t)5, "code", "482113");
		render_ok(ts, "alarm", "sms", "fr", p, NULL, &body);
		assert_string_equal(body, fr_raised[k]);
		free(body);
		for (l = 0; l < 4; l++) {
			render_ok(ts, "alarm", "sms", langs[l], p, NULL, &body);
			assert_int_equal(template_sms_segments(body), 1);
			free(body);
			render_ok(ts, "alarm", "email", langs[l], p, &subject,
			    &body);
			free(subject);
			free(body);
		}
		json_object_set_new(p, "cleared",
		    json_string("2026-12-07T14:32:00+01:00"));
		render_ok(ts, "alarm_clear", "sms", "en", p, NULL, &body);
		assert_non_null(strstr(body, "14:32"));
		free(body);
		json_decref(p);
	}
	p = json_pack("{ss ss ss}", "alarm", "channel", "channel", "email",
	    "since", "2026-12-07T14:05:00+01:00");
	json_object_set_new(p, "cleared",
	    json_string("2026-12-07T14:32:00+01:00"));
	render_ok(ts, "alarm_clear", "sms", "fr", p, NULL, &body);
	assert_string_equal(body, "Rétabli. Les e-mails repartent depuis "
	    "14h32.");
	free(body);
	json_object_del(p, "cleared");
	assert_int_equal(template_render(ts, "alarm_clear", "sms", "fr", p,
	    NULL, &body, &cause), -1);
	assert_non_null(strstr(cause, "no \"cleared\""));
	free(cause);
	cause = NULL;
	json_object_del(p, "since");
	assert_int_equal(template_render(ts, "alarm", "sms", "fr", p, NULL,
	    &body, &cause), -1);
	assert_non_null(strstr(cause, "no \"since\""));
	free(cause);
	json_decref(p);
	template_free(ts);
	(void)state;
}

/*
 * Each way past the old check, as title, shelter, location and sender:
 * every kind in every language on both channels is refused by the phone
 * guard or sends nothing it refuses; the reminder's SMS and subject, which
 * carry the title, are refused in the four languages.
 */
static void
test_guard_render(void **state)
{
	static const char *const all[] = {
		"reminder", "alert", "alert_confirm", "alert_taken",
		"alert_late", "alert_closed", "alert_nobody",
		"alert_no_oncall", "alert_unclear", "alert_locked",
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p;
	char			*cause = NULL;
	size_t			 b, k, l, c;
	int			 refused;

	for (b = 0; b < NBYPASSES; b++) {
		if (template_set_sender(ts, bypasses[b], &cause) != -1)
			fail_msg("sender \"%s\" accepted", bypasses[b]);
		assert_int_equal(strncmp(cause, "sender name", 11), 0);
		p = params(alert_example);
		json_object_set_new(p, "title", json_string(bypasses[b]));
		json_object_set_new(p, "shelter", json_string(bypasses[b]));
		json_object_set_new(p, "location", json_string(bypasses[b]));
		json_object_set_new(p, "start",
		    json_string("2027-01-06T14:00:00+01:00"));
		for (k = 0; k < sizeof all / sizeof all[0]; k++) {
			for (l = 0; l < 4; l++) {
				for (c = 0; c < 2; c++) {
					refused = guarded_render(ts, all[k],
					    channels[c], langs[l], p);
					if (k == 0 && !refused)
						fail_msg("%s/reminder.%s took "
						    "\"%s\"", langs[l],
						    channels[c], bypasses[b]);
				}
			}
		}
		json_decref(p);
	}
	free(cause);
	/* The innocent title goes through everywhere. */
	p = params(alert_example);
	json_object_set_new(p, "title", json_string("La Cabane"));
	json_object_set_new(p, "start",
	    json_string("2027-01-06T14:00:00+01:00"));
	for (k = 0; k < sizeof all / sizeof all[0]; k++)
		for (l = 0; l < 4; l++)
			for (c = 0; c < 2; c++)
				assert_int_equal(guarded_render(ts, all[k],
				    channels[c], langs[l], p), 0);
	json_decref(p);
	template_free(ts);
}

/* The guard's cause as template_render gives it, and the zero-width space
 * that template_one_line() removes caught after it. */
static void
test_guard_cause(void **state)
{
	struct template_set	*ts = load_ok(TEMPLATES);
	json_t			*p = params(example);
	char			*subject = dummy, *body = dummy, *cause = NULL;

	json_object_set_new(p, "title", json_string("Viol"));
	assert_int_equal(template_render(ts, "reminder", "sms", "nl", p, NULL,
	    &body, &cause), -1);
	assert_string_equal(cause, "phone guard: \"viol\" may not reach a "
	    "phone (SMS text)");
	assert_null(body);
	json_object_set_new(p, "title", json_string(bypasses[0]));
	assert_int_equal(template_render(ts, "reminder", "email", "fr", p,
	    &subject, &body, &cause), -1);
	assert_string_equal(cause, "phone guard: \"violen*\" may not reach a "
	    "phone (email subject)");
	assert_null(subject);
	assert_null(body);
	free(cause);
	/* A shelter's name that fails the guard is left out of the body. */
	json_decref(p);
	p = params(alert_example);
	json_object_set_new(p, "shelter", json_string("Maison V.I.F."));
	render_ok(ts, "alert", "email", "fr", p, &subject, &body);
	assert_null(strstr(body, "Maison"));
	assert_null(strstr(body, "Logement :"));
	free(subject);
	free(body);
	json_decref(p);
	template_free(ts);
}

static int
teardown(void **state)
{
	if (tmpmade)
		nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/*
 * The notice that stands for an email that could not go encrypted: in
 * every language, whatever the params of a reminder or an alert, it says
 * nothing of them (no title, date, place, code, link, shelter); only the
 * French one is required, and there is no SMS notice.
 */
static void
test_notice(void **state)
{
	static const char *const never[] = {
		"Cabane", "2027", "janvier", "Aywaille", "CPAS", "4821",
		"http", "reseau.example", "Appartement", "urgence", "Marie",
		"Esneux",
	};
	struct template_set	*ts = load_ok(TEMPLATES);
	const char		*pv[] = { example, alert_example };
	char			*subject, *body, *cause = NULL, *f;
	const char		*w;
	json_t			*p;
	size_t			 l, i;

	for (l = 0; l < 4; l++) {
		for (i = 0; i < 2; i++) {
			p = params(pv[i]);
			render_ok(ts, "notice", "email", langs[l], p, &subject,
			    &body);
			xasprintf(&f, "%s\n%s", subject, body);
			free(subject);
			free(body);
			subject = fold(f);
			if ((w = carries(subject, never, sizeof never /
			    sizeof never[0])) != NULL)
				fail_msg("%s/notice.email carries %s", langs[l],
				    w);
			free(subject);
			free(f);
			json_decref(p);
		}
	}
	p = params(example);
	assert_int_equal(template_render(ts, "notice", "sms", "fr", p, NULL,
	    &body, &cause), -1);
	assert_non_null(cause);
	free(cause);
	json_decref(p);
	template_free(ts);

	/* a folder without fr/notice.email is refused, by that name */
	tmp_reset();
	tmp_copy("fr/reminder.email");
	tmp_copy("fr/reminder.sms");
	tmp_alerts();
	unlink_rel("fr/notice.email");
	f = load_bad();
	assert_problem(f, "fr/notice.email", ": missing (French is required: "
	    "the other languages fall back to it)");
	assert_null(strstr(f, "notice.sms"));
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_real),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_privacy),
		cmocka_unit_test(test_privacy_refused),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_missing),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_braces),
		cmocka_unit_test(test_sanitise),
		cmocka_unit_test(test_line_dropped),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_in_late),
		cmocka_unit_test(test_in_short),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_sms_one_segment),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_alert_checker),
		cmocka_unit_test(test_alert_privacy),
		cmocka_unit_test(test_alert_words),
		cmocka_unit_test(test_alert_render_errors),
		cmocka_unit_test(test_alert_refused),
		cmocka_unit_test(test_alert_too_long),
		cmocka_unit_test(test_alert_widest),
		cmocka_unit_test(test_sender),
		cmocka_unit_test(test_lead_dropped),
		cmocka_unit_test(test_guard_render),
		cmocka_unit_test(test_alarm_render),
		cmocka_unit_test(test_guard_cause),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
