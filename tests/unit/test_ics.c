/*
 * test_ics.c: iCalendar import and export.  Exports of Google Calendar,
 * Outlook and Thunderbird (tests/unit/data/ics/) import to the expected
 * event objects with exactly the expected report; export then import gives
 * the same objects back and exporting again the same bytes; Debian's
 * python3-icalendar reads every export, and its reading of our VTIMEZONEs
 * agrees with zoneinfo; bad input gets the right error.  Run from the top
 * of the tree (make check does).
 */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ics.h"
#include "utf8.h"

#define DATA	"tests/unit/data/ics/"
#define PYTHON	"/usr/bin/python3"
#define TZ	"Europe/Brussels"

static const char *const google_events[] = {
	    "{\"uid\": \"3k2j4h5g6f7d8s9a0p1o2i3u4y@google.com\","
	    " \"title\": \"Réunion de la plateforme\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-01-07T14:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": \"FREQ=MONTHLY;BYDAY=1WE\","
	    " \"duration\": \"2h\","
	    " \"location\": \"Maison communale, Place du Marché 1, 4000 "
	    "Liège, Belgique\","
	    " \"description\": \"Ordre du jour :\\n1. Situations en "
	    "cours\\n2. Divers, questions; suite\","
	    " \"remind\": [\"7d\", \"1d\"],"
	    " \"exdates\": [\"2026-04-01T14:00:00\", \"2026-08-05T14:00:00\","
	    " \"2026-03-04T14:00:00\"],"
	    " \"created\": \"2025-11-20T09:00:00Z\","
	    " \"updated\": \"2025-11-30T17:00:00Z\"}",
	    "{\"uid\": \"7h6g5f4d3s2a1q0w9e8r7t6y5u@google.com\","
	    " \"title\": \"Formation aux violences intrafamiliales\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-02-12T09:30:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": null,"
	    " \"duration\": \"3h30m\","
	    " \"location\": null,"
	    " \"description\": \"Module 1 : repérer les signaux de "
	    "violence intrafamiliale et orienter la victime vers le bon "
	    "service.\","
	    " \"remind\": [\"30m\"],"
	    " \"exdates\": [],"
	    " \"created\": \"2025-11-25T14:12:00Z\","
	    " \"updated\": \"2025-11-26T08:00:00Z\"}",
	    "{\"uid\": \"1a2b3c4d5e6f7g8h9i0j@google.com\","
	    " \"title\": \"Journée de sensibilisation\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-03-15T00:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": null,"
	    " \"duration\": \"1d\","
	    " \"location\": \"Gare de Namur\","
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"exdates\": [],"
	    " \"created\": \"2025-11-10T10:00:00Z\","
	    " \"updated\": \"2025-11-10T10:00:00Z\"}",
	"{\"uid\": \"3k2j4h5g6f7d8s9a0p1o2i3u4y@google.com-20260304\","
	    " \"title\": \"Réunion de la plateforme (déplacée)\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-03-04T15:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": null,"
	    " \"duration\": \"2h\","
	    " \"location\": \"Maison communale, Place du Marché 1, 4000 "
	    "Liège, Belgique\","
	    " \"description\": \"Ordre du jour :\\n1. Situations en "
	    "cours\\n2. Divers, questions; suite\","
	    " \"remind\": [\"7d\", \"1d\"],"
	    " \"exdates\": [],"
	    " \"created\": \"2025-11-20T09:00:00Z\","
	    " \"updated\": \"2025-12-01T09:00:00Z\"}",
	NULL,
};
static const char *const google_report[] = {
	"« Formation aux violences intrafamiliales » (UID "
	    "7h6g5f4d3s2a1q0w9e8r7t6y5u@google.com): participants ignorés",
	"« Point presse » (UID 0p9o8i7u6y5t4r3e2w1q@google.com): "
	    "événement annulé (STATUS:CANCELLED) ignoré : rien à rappeler",
	"« Réunion de la plateforme (déplacée) » (UID "
	    "3k2j4h5g6f7d8s9a0p1o2i3u4y@google.com): occurrence du "
	    "2026-03-04T14:00:00 déplacée : importée comme événement à part "
	    "(UID 3k2j4h5g6f7d8s9a0p1o2i3u4y@google.com-20260304), ses "
	    "rappels avec elle",
	NULL,
};

static const char *const outlook_events[] = {
	    "{\"uid\": \"040000008200E00074C5B7101A82E00800000000D0B3C1E0"
	    "F564DC01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E"
	    "8F90\","
	    " \"title\": \"Formation référents\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-01-13T09:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": \"FREQ=WEEKLY;COUNT=10;INTERVAL=2;BYDAY=TU;WKST=MO\","
	    " \"duration\": \"3h30m\","
	    " \"location\": \"CPAS de Namur\","
	    " \"description\": \"Formation des référents, module "
	    "2.\\n\\nSalle B (2e étage).\\n\","
	    " \"remind\": [\"15m\"],"
	    " \"exdates\": [\"2026-02-24T09:00:00\", \"2026-04-07T09:00:00\"],"
	    " \"created\": \"2025-12-03T08:15:22Z\","
	    " \"updated\": \"2025-12-03T08:15:22Z\"}",
	    "{\"uid\": \"040000008200E00074C5B7101A82E00800000000F1E2D3C4"
	    "B5A6DC01000000000000000010000000FFEEDDCCBBAA9988776655443322"
	    "1100\","
	    " \"title\": \"Stand de sensibilisation au marché de Namur – "
	    "édition de printemps\","
	    " \"kind\": \"awareness\","
	    " \"dtstart\": \"2026-03-25T10:00:00\","
	    " \"tz\": \"Europe/Berlin\","
	    " \"rrule\": null,"
	    " \"duration\": \"7h30m\","
	    " \"location\": \"Place de l'Ange, Namur\","
	    " \"description\": \"Stand d'information au marché "
	    "hebdomadaire. Apporter les dépliants et les affiches « Stop "
	    "aux violences » en français et en néerlandais.\","
	    " \"remind\": [\"18h\"],"
	    " \"exdates\": [],"
	    " \"created\": \"2025-12-05T10:10:10Z\","
	    " \"updated\": \"2025-12-05T10:10:10Z\"}",
	NULL,
};
static const char *const outlook_report[] = {
	"« Stand de sensibilisation au marché de Namur – édition de pri… "
	    "» (UID 040000008200E00074C5B7101A82E00800000000F1E2D3C4B5A6DC01"
	    "0000…): participants ignorés",
	NULL,
};

static const char *const thunderbird_events[] = {
	    "{\"uid\": \"6f1c1b2e-0d3a-4c1e-9a8b-2f3e4d5c6b7a\","
	    " \"title\": \"Cabane à Jambes\","
	    " \"kind\": \"cabane\","
	    " \"dtstart\": \"2026-01-20T18:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": \"FREQ=WEEKLY;UNTIL=20260630T160000Z;BYDAY=TU\","
	    " \"duration\": \"1h30m\","
	    " \"location\": \"Rue de la Gare 12, 5100 Jambes\","
	    " \"description\": \"Permanence de la cabane.\\nEntrée par "
	    "la cour.\","
	    " \"remind\": [\"2d\", \"15m\"],"
	    " \"exdates\": [\"2026-04-14T18:00:00\"],"
	    " \"created\": \"2025-11-15T09:45:12Z\","
	    " \"updated\": \"2025-11-15T09:50:30Z\"}",
	    "{\"uid\": \"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\","
	    " \"title\": \"Formation des animateurs\","
	    " \"kind\": \"training\","
	    " \"dtstart\": \"2026-02-05T09:15:00\","
	    " \"tz\": \"Europe/Paris\","
	    " \"rrule\": null,"
	    " \"duration\": \"3h\","
	    " \"location\": \"Lille\","
	    " \"description\": null,"
	    " \"remind\": [\"15m\"],"
	    " \"exdates\": [],"
	    " \"created\": \"2025-11-16T08:00:00Z\","
	    " \"updated\": \"2025-11-16T08:00:00Z\"}",
	NULL,
};
static const char *const thunderbird_report[] = {
	"« Formation des animateurs » (UID "
	    "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d): catégorie « Réunion » "
	    "ignorée",
	"« Formation des animateurs » (UID "
	    "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d): rappel relatif à la fin "
	    "ignoré",
	NULL,
};

static const char *const misc_events[] = {
	    "{\"uid\": \"misc-1@stoppvif\","
	    " \"title\": \"Plateforme, réunion; ordre du jour\\nà "
	    "compléter \\\\ fin\","
	    " \"kind\": \"platform\","
	    " \"dtstart\": \"2026-01-07T14:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": \"FREQ=MONTHLY;BYDAY=1WE\","
	    " \"duration\": \"1h30m\","
	    " \"location\": null,"
	    " \"commune\": \"Namur\","
	    " \"description\": null,"
	    " \"remind\": [\"1m30s\"],"
	    " \"audience\": [\"role:referent\", \"person:12\"],"
	    " \"channels\": [\"email\", \"sms\"],"
	    " \"skip_holidays\": \"BE\","
	    " \"exdates\": [\"2026-02-04T14:00:00\", "
	    "\"2026-03-04T14:00:00\", \"2026-05-06T14:00:00\", "
	    "\"2026-07-01T14:00:00\"]}",
	    "{\"uid\": \"misc-2@stoppvif\","
	    " \"title\": \"Sensibilisation en ligne\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-03-01T19:00:00\","
	    " \"tz\": \"UTC\","
	    " \"rrule\": \"FREQ=WEEKLY;UNTIL=20260531T190000Z\","
	    " \"duration\": \"1h\","
	    " \"location\": null,"
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"exdates\": [\"2026-03-15T19:00:00\", "
	    "\"2026-03-22T19:00:00\"]}",
	    "{\"uid\": \"misc-3@stoppvif\","
	    " \"title\": \"Permanence sans heure de fin\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-04-02T10:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": null,"
	    " \"duration\": \"1h\","
	    " \"location\": null,"
	    " \"commune\": null,"
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"audience\": [],"
	    " \"skip_holidays\": null,"
	    " \"exdates\": []}",
	    "{\"uid\": \"misc-4@stoppvif\","
	    " \"title\": \"Visite du réseau partenaire à New York\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-04-10T09:00:00\","
	    " \"tz\": \"America/New_York\","
	    " \"rrule\": null,"
	    " \"duration\": \"1h\","
	    " \"location\": null,"
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"exdates\": []}",
	    "{\"uid\": \"misc-5@stoppvif\","
	    " \"title\": \"Séance d'information sur les violences "
	    "conjugales et intrafamiliales destinée aux professionnels "
	    "de première ligne des communes de la province de Namur\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-05-20T00:00:00\","
	    " \"tz\": \"Europe/Brussels\","
	    " \"rrule\": null,"
	    " \"duration\": \"2d\","
	    " \"location\": null,"
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"exdates\": []}",
	    "{\"uid\": \"misc-6@stoppvif\","
	    " \"title\": \"Formation continue\","
	    " \"kind\": \"other\","
	    " \"dtstart\": \"2026-06-01T08:00:00\","
	    " \"tz\": \"UTC\","
	    " \"rrule\": null,"
	    " \"duration\": \"1h30m\","
	    " \"location\": null,"
	    " \"description\": null,"
	    " \"remind\": [],"
	    " \"exdates\": []}",
	NULL,
};
static const char *const misc_report[] = {
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): RRULE supplémentaire ignorée",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): RDATE ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): EXRULE ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): GEO ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): COMMENT ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): rappel à date fixe ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): rappel après le début ignoré",
	"« Plateforme, réunion; ordre du jour à compléter \\ fin » (UID "
	    "misc-1@stoppvif): répétition du rappel ignorée",
	"« Permanence sans heure de fin » (UID misc-3@stoppvif): "
	    "X-FOO-BAR ignoré",
	"« Visite du réseau partenaire à New York » (UID "
	    "misc-4@stoppvif): EXDATE sans RRULE ignoré",
	"« Séance d'information sur les violences conjugales et intrafa… "
	    "» (UID misc-5@stoppvif): catégorie « Réunion » ignorée",
	"« Imprimer les affiches » (UID todo-1@stoppvif): VTODO ignoré",
	"« Compte rendu de la plateforme »: VJOURNAL ignoré",
	"VFREEBUSY de la ligne 100 (UID fb-1@stoppvif): VFREEBUSY ignoré",
	NULL,
};

/* Event objects as `events show` answers them, every field set. */
static const char full_events[] =
    "[{\"id\": 1, \"uid\": \"ev-1@stoppvif\","
    " \"title\": \"Plateforme VIF, Namur; « réunion » \\\\ mensuelle\","
    " \"kind\": \"platform\", \"dtstart\": \"2026-01-07T14:00:00\","
    " \"tz\": \"Europe/Brussels\","
    " \"rrule\": \"FREQ=MONTHLY;BYDAY=1WE;UNTIL=20261231T225959Z\","
    " \"duration\": \"2h\", \"location\": \"Hôtel de ville, salle 2\","
    " \"commune\": \"Namur\","
    " \"description\": \"Ligne 1\\nLigne 2, virgule; point-virgule\\n\","
    " \"remind\": [\"7d\", \"1d\", \"2h\", \"1m30s\"],"
    " \"audience\": [\"role:referent\", \"person:12\", \"group:Namur, Liège\"],"
    " \"channels\": [\"email\", \"sms\"], \"skip_holidays\": \"BE\","
    " \"exdates\": [\"2026-04-01T14:00:00\", \"2026-08-05T14:00:00\"],"
    " \"created\": \"2025-12-01T10:00:00Z\","
    " \"updated\": \"2025-12-02T11:30:00Z\","
    " \"next\": \"2026-01-07T14:00:00+01:00\"},"
    " {\"id\": 2, \"uid\": \"ev-2@stoppvif\", \"title\": \"Formation\","
    " \"kind\": \"training\", \"dtstart\": \"2026-03-10T09:00:00\","
    " \"tz\": \"UTC\", \"rrule\": null, \"duration\": \"1d12h\","
    " \"location\": null, \"commune\": null, \"description\": null,"
    " \"remind\": [], \"audience\": [], \"channels\": [],"
    " \"skip_holidays\": null, \"exdates\": [],"
    " \"created\": \"2025-12-01T10:00:00Z\","
    " \"updated\": \"2025-12-01T10:00:00Z\", \"next\": null},"
    " {\"id\": 3, \"uid\": \"ev-3@stoppvif\", \"title\": \"Cabane\","
    " \"kind\": \"cabane\", \"dtstart\": \"2026-03-03T18:30:00\","
    " \"tz\": \"America/New_York\", \"rrule\": \"FREQ=WEEKLY;COUNT=8\","
    " \"duration\": \"45m\", \"location\": \"Brooklyn\","
    " \"commune\": null, \"description\": null, \"remind\": [\"0s\"],"
    " \"audience\": [\"role:animator\"], \"channels\": [\"sms\"],"
    " \"skip_holidays\": null, \"exdates\": [\"2026-03-10T18:30:00\"],"
    " \"created\": \"2025-12-01T10:00:00Z\","
    " \"updated\": \"2025-12-03T08:00:00Z\", \"next\": null}]";

/* Compares our VTIMEZONEs with zoneinfo every half hour of 2026-2030. */
static const char zone_check_py[] =
    "import datetime, icalendar, sys, zoneinfo\n"
    "cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
    "utc = datetime.timezone.utc\n"
    "bad = 0\n"
    "for c in cal.walk('VTIMEZONE'):\n"
    "    mine, ref = c.to_tz(), zoneinfo.ZoneInfo(str(c['TZID']))\n"
    "    t = datetime.datetime(2026, 1, 1, tzinfo=utc)\n"
    "    while t < datetime.datetime(2031, 1, 1, tzinfo=utc):\n"
    "        if t.astimezone(mine).utcoffset() != "
    "t.astimezone(ref).utcoffset():\n"
    "            print(c['TZID'], t, file=sys.stderr)\n"
    "            bad += 1\n"
    "            break\n"
    "        t += datetime.timedelta(minutes=30)\n"
    "sys.exit(1 if bad else 0)\n";

/* Read a sample file into a new string. */
static char *
slurp(const char *name, size_t *len)
{
	char	 path[256], *buf;
	FILE	*fp;
	long	 n;

	snprintf(path, sizeof path, DATA "%s", name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open (run from the top of the tree)",
		    path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static json_t *
import_ok(const char *text, size_t len, json_t **report)
{
	json_t	*ev;
	char	*cause = NULL;

	ev = ics_import(text, len, TZ, report, &cause);
	if (ev == NULL)
		fail_msg("import refused: %s", cause);
	assert_null(cause);
	assert_true(json_is_array(ev));
	assert_true(json_is_array(*report));
	return ev;
}

static char *
export_ok(json_t *events)
{
	char	*out, *cause = NULL;

	if ((out = ics_export(events, &cause)) == NULL)
		fail_msg("export refused: %s", cause);
	assert_null(cause);
	return out;
}

/* Import one VEVENT made of lines (CRLF-ended), UID and SUMMARY first. */
static json_t *
import_event(const char *lines, json_t **report)
{
	char	 buf[4096];

	snprintf(buf, sizeof buf, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:t1\r\nSUMMARY:Test\r\n%sEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n", lines);
	return import_ok(buf, strlen(buf), report);
}

static void
expect_events(json_t *got, const char *const *want)
{
	json_error_t	 err;
	json_t		*w;
	char		*a, *b;
	size_t		 i;

	for (i = 0; want[i] != NULL; i++) {
		if ((w = json_loads(want[i], 0, &err)) == NULL)
			fail_msg("expected event %zu: %s", i, err.text);
		if (!json_equal(json_array_get(got, i), w)) {
			a = json_dumps(json_array_get(got, i),
			    JSON_PRESERVE_ORDER);
			b = json_dumps(w, JSON_PRESERVE_ORDER);
			fail_msg("event %zu:\n got  %s\n want %s", i, a, b);
		}
		json_decref(w);
	}
	assert_int_equal(json_array_size(got), i);
}

static void
expect_report(json_t *got, const char *const *want)
{
	size_t	 i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= json_array_size(got))
			fail_msg("report lacks \"%s\"", want[i]);
		assert_string_equal(json_string_value(json_array_get(got, i)),
		    want[i]);
	}
	if (json_array_size(got) != i)
		fail_msg("report has more: \"%s\"",
		    json_string_value(json_array_get(got, i)));
}

/* Run PYTHON on script (-c text, or a file when file_script) and ics. */
static int
python(const char *script, int file_script, const char *ics)
{
	char	 path[] = "/tmp/test_ics.XXXXXX";
	char	 spath[] = "/tmp/test_ics.XXXXXX";
	char	*cmd;
	FILE	*fp;
	int	 fd, rc;

	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "wb"));
	fputs(ics, fp);
	fclose(fp);
	if (file_script) {
		assert_true((fd = mkstemp(spath)) != -1);
		assert_non_null(fp = fdopen(fd, "wb"));
		fputs(script, fp);
		fclose(fp);
		assert_true(asprintf(&cmd, PYTHON " %s %s", spath, path) > 0);
	} else
		assert_true(asprintf(&cmd, PYTHON " -c \"%s\" %s", script,
		    path) > 0);
	rc = system(cmd);
	free(cmd);
	unlink(path);
	if (file_script)
		unlink(spath);
	return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* python3-icalendar reads ics and finds n VEVENTs. */
static void
python_count(const char *ics, size_t n)
{
	char	 script[512];

	snprintf(script, sizeof script, "import icalendar,sys; "
	    "c=icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read()); "
	    "assert len(c.walk('VEVENT'))==%zu", n);
	if (python(script, 0, ics) != 0)
		fail_msg("python3-icalendar does not read %zu events in:\n%s",
		    n, ics);
}

static void
check_sample(const char *file, const char *const *events,
    const char *const *report)
{
	json_t	*ev, *rep;
	size_t	 len;
	char	*text = slurp(file, &len);

	ev = import_ok(text, len, &rep);
	expect_events(ev, events);
	expect_report(rep, report);
	json_decref(ev);
	json_decref(rep);
	free(text);
}

static void
test_google(void **state)
{
	check_sample("google.ics", google_events, google_report);
}

static void
test_outlook(void **state)
{
	check_sample("outlook.ics", outlook_events, outlook_report);
}

static void
test_thunderbird(void **state)
{
	check_sample("thunderbird.ics", thunderbird_events, thunderbird_report);
}

static void
test_misc(void **state)
{
	check_sample("misc.ics", misc_events, misc_report);
}

/* Each sample: import, export, import: same objects, nothing reported;
 * export again: same bytes; python3-icalendar reads it. */
static void
test_sample_round_trip(void **state)
{
	static const char *const files[] = {
		"google.ics", "outlook.ics", "thunderbird.ics", "misc.ics",
	};
	json_t	*ev, *ev2, *rep, *rep2;
	char	*text, *out, *out2;
	size_t	 i, len;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		text = slurp(files[i], &len);
		ev = import_ok(text, len, &rep);
		out = export_ok(ev);
		ev2 = import_ok(out, strlen(out), &rep2);
		if (!json_equal(ev, ev2))
			fail_msg("%s: export then import differs:\n%s",
			    files[i], out);
		assert_int_equal(json_array_size(rep2), 0);
		out2 = export_ok(ev2);
		assert_string_equal(out, out2);
		python_count(out, json_array_size(ev));
		free(out2);
		free(out);
		json_decref(ev2);
		json_decref(rep2);
		json_decref(ev);
		json_decref(rep);
		free(text);
	}
}

/* Objects with every field survive export and import (id and next
 * aside); DTSTAMP is the "updated" time; export, import and export again
 * give the same bytes. */
static void
test_full_round_trip(void **state)
{
	static const char *const extra[] = { "id", "next" };
	json_error_t	 err;
	json_t		*in, *want, *back, *rep, *e;
	char		*out, *out2, *out3;
	size_t		 i, k;

	if ((in = json_loads(full_events, 0, &err)) == NULL)
		fail_msg("full_events: %s", err.text);
	out = export_ok(in);
	out2 = export_ok(in);
	assert_string_equal(out, out2);
	assert_non_null(strstr(out, "\r\nDTSTAMP:20251202T113000Z\r\n"
	    "CREATED:20251201T100000Z\r\nLAST-MODIFIED:20251202T113000Z\r\n"));
	assert_non_null(strstr(out, "\r\nDTSTAMP:20251203T080000Z\r\n"));
	assert_non_null(strstr(out, "\r\nPRODID:-//Stopp Vif//stoppvif//FR"
	    "\r\n"));
	assert_non_null(strstr(out, "\r\nDTSTART;TZID=Europe/Brussels:"
	    "20260107T140000\r\nDURATION:PT2H\r\n"));
	assert_non_null(strstr(out, "\r\nDURATION:P1DT12H\r\n"));
	assert_non_null(strstr(out, "\r\nEXDATE;TZID=Europe/Brussels:"
	    "20260401T140000,20260805T140000\r\n"));
	assert_non_null(strstr(out, "\r\nTRIGGER:-P7D\r\n"));
	assert_non_null(strstr(out, "\r\nTRIGGER:-PT2H\r\n"));
	assert_non_null(strstr(out, "\r\nTRIGGER:-PT1M30S\r\n"));
	assert_non_null(strstr(out, "\r\nTRIGGER:PT0S\r\n"));
	assert_non_null(strstr(out, "\r\nX-STOPPVIF-AUDIENCE:role:referent,"
	    "person:12,group:Namur\\, Liège\r\n"));
	assert_non_null(strstr(out, "\r\nX-STOPPVIF-COMMUNE:\r\n"));
	assert_non_null(strstr(out, "\r\nBEGIN:VTIMEZONE\r\nTZID:UTC\r\n"));
	assert_null(strstr(out, "\r\nid:"));
	back = import_ok(out, strlen(out), &rep);
	assert_int_equal(json_array_size(rep), 0);
	want = json_deep_copy(in);
	json_array_foreach(want, i, e)
		for (k = 0; k < sizeof extra / sizeof extra[0]; k++)
			json_object_del(e, extra[k]);
	if (!json_equal(back, want))
		fail_msg("export then import differs:\n got %s\nwant %s",
		    json_dumps(back, JSON_PRESERVE_ORDER),
		    json_dumps(want, JSON_PRESERVE_ORDER));
	out3 = export_ok(back);
	assert_string_equal(out, out3);
	python_count(out, 3);
	free(out);
	free(out2);
	free(out3);
	json_decref(in);
	json_decref(want);
	json_decref(back);
	json_decref(rep);
}

/* Our VTIMEZONEs, read by python3-icalendar, give zoneinfo's offsets;
 * odd rules (a day shift, negative DST, half hours, a shift into the next
 * month) are written right. */
static void
test_vtimezones(void **state)
{
	static const char *const zones[] = {
		"Europe/Brussels", "UTC", "America/New_York", "Asia/Jerusalem",
		"America/Nuuk", "America/Santiago", "Asia/Kolkata",
		"Australia/Lord_Howe", "Europe/Dublin", "Pacific/Chatham",
		"Africa/Cairo",
	};
	static const char *const rules[] = {
		"\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
		"\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n",
		"\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nTZNAME:IDT\r\n"
		    "DTSTART:19700327T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;"
		    "BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29\r\n",
		"RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8",
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SA;BYMONTHDAY=-8,-7,-6,-5,"
		    "-4,-3,-2\r\n",
		"\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\n"
		    "DTSTART:19700101T000000\r\n",
		"\r\nTZOFFSETFROM:+1245\r\nTZOFFSETTO:+1345\r\n",
		/* Cairo: the day after the last Thursday of October. */
		"\r\nDTSTART:19701030T000000\r\nRDATE:19711029T000000,"
		    "19721027T000000,19731026T000000,19741101T000000,19751\r\n"
		    " 031T000000,",
	};
	json_t	*ev = json_array();
	char	*out;
	size_t	 i;

	for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
		json_array_append_new(ev, json_pack("{ss ss ss ss}", "title",
		    zones[i], "dtstart", "2026-06-01T10:00:00", "tz", zones[i],
		    "duration", "1h"));
	out = export_ok(ev);
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (strstr(out, rules[i]) == NULL)
			fail_msg("no \"%s\" in\n%s", rules[i], out);
	if (python(zone_check_py, 1, out) != 0)
		fail_msg("python3-icalendar and zoneinfo disagree on\n%s", out);
	python_count(out, sizeof zones / sizeof zones[0]);
	free(out);
	json_decref(ev);
}

/* Whether the physical line [s, s + n) is valid UTF-8 on its own. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, len;

	while (i < n) {
		len = s[i] < 0x80 ? 1 : s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 :
		    s[i] >= 0xc2 ? 2 : 0;
		if (len == 0 || i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

/* Check CRLF everywhere, 75 octets at most a line, no UTF-8 cut; returns
 * the number of lines. */
static size_t
check_lines(const char *out)
{
	const char	*p = out, *e;
	size_t		 n = 0;

	while (*p != '\0') {
		if ((e = strstr(p, "\r\n")) == NULL)
			fail_msg("text does not end with CRLF: \"%s\"", p);
		if (memchr(p, '\n', (size_t)(e - p)) != NULL ||
		    memchr(p, '\r', (size_t)(e - p)) != NULL)
			fail_msg("bare CR or LF in \"%.*s\"", (int)(e - p), p);
		if (e - p > 75)
			fail_msg("line of %d octets: \"%.*s\"", (int)(e - p),
			    (int)(e - p), p);
		if (!utf8_ok((const unsigned char *)p, (size_t)(e - p)))
			fail_msg("UTF-8 cut in \"%.*s\"", (int)(e - p), p);
		p = e + 2;
		n++;
	}
	return n;
}

/* Long titles fold at 75 octets, never inside a character, and unfold
 * back; a line of exactly 75 octets is not folded. */
static void
test_fold(void **state)
{
	json_t	*ev, *back, *rep;
	char	 title[1024], *out;
	size_t	 lines, lines2;

	title[0] = '\0';
	while (strlen(title) < 600)
		strcat(title, "Réunion « été » – plateforme ");
	ev = json_pack("[{ss ss ss ss}]", "title", title, "dtstart",
	    "2026-01-07T14:00:00", "tz", TZ, "duration", "2h");
	out = export_ok(ev);
	lines = check_lines(out);
	assert_non_null(strstr(out, "\r\nSUMMARY:Réunion « été » – pla"));
	back = import_ok(out, strlen(out), &rep);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    back, 0), "title")), title);
	free(out);
	json_decref(back);
	json_decref(rep);
	json_decref(ev);

	/* "SUMMARY:" + 67 octets is 75: one line; one more octet folds. */
	memset(title, 'x', 67);
	title[67] = '\0';
	ev = json_pack("[{ss ss ss ss}]", "title", title, "dtstart",
	    "2026-01-07T14:00:00", "tz", TZ, "duration", "2h");
	out = export_ok(ev);
	lines = check_lines(out);
	free(out);
	json_decref(ev);
	strcat(title, "x");
	ev = json_pack("[{ss ss ss ss}]", "title", title, "dtstart",
	    "2026-01-07T14:00:00", "tz", TZ, "duration", "2h");
	out = export_ok(ev);
	lines2 = check_lines(out);
	assert_int_equal(lines2, lines + 1);
	assert_non_null(strstr(out, "\r\nSUMMARY:xxx"));
	assert_non_null(strstr(out, "x\r\n x\r\n"));
	free(out);
	json_decref(ev);

	/* 74 octets, then a 2-octet "é": the fold comes before it. */
	memset(title, 'x', 66);
	strcpy(title + 66, "é!");
	ev = json_pack("[{ss ss ss ss}]", "title", title, "dtstart",
	    "2026-01-07T14:00:00", "tz", TZ, "duration", "2h");
	out = export_ok(ev);
	check_lines(out);
	assert_non_null(strstr(out, "xxxxxx\r\n é!\r\n"));
	free(out);
	json_decref(ev);
}

/* TEXT escapes: written as \\ \; \, \n, read back to the same text. */
static void
test_escapes(void **state)
{
	static const char title[] = "a,b;c\\d\ne:f";
	json_t	*ev, *back, *rep, *o;
	char	*out;

	ev = json_pack("[{ss ss ss ss ss ss ss}]", "title", title, "dtstart",
	    "2026-01-07T14:00:00", "tz", TZ, "duration", "2h", "location",
	    "Rue X, 1; 2\\3", "description", "l1\r\nl2\rl3\nl4\001", "commune",
	    "Liège");
	out = export_ok(ev);
	assert_non_null(strstr(out, "\r\nSUMMARY:a\\,b\\;c\\\\d\\ne:f\r\n"));
	assert_non_null(strstr(out, "\r\nLOCATION:Rue X\\, 1\\; 2\\\\3\r\n"));
	assert_non_null(strstr(out, "\r\nDESCRIPTION:l1\\nl2\\nl3\\nl4\r\n"));
	back = import_ok(out, strlen(out), &rep);
	o = json_array_get(back, 0);
	assert_string_equal(json_string_value(json_object_get(o, "title")),
	    title);
	assert_string_equal(json_string_value(json_object_get(o, "location")),
	    "Rue X, 1; 2\\3");
	assert_string_equal(json_string_value(json_object_get(o,
	    "description")), "l1\nl2\nl3\nl4");
	free(out);
	json_decref(back);
	json_decref(rep);
	json_decref(ev);

	/* Escapes as other writers use them: \N, \: and a stray backslash. */
	back = import_event("DTSTART:20260107T140000\r\n"
	    "DESCRIPTION:A\\NB\\:C\\\\D\\,E\\;F\\\r\n", &rep);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    back, 0), "description")), "A\nB:C\\D,E;F\\");
	json_decref(back);
	json_decref(rep);
}

/* Categories and X-STOPPVIF-KIND to kinds, French words included. */
static void
test_kinds(void **state)
{
	static const struct {
		const char	*lines;
		const char	*kind;
		const char	*report;	/* or NULL */
	} cases[] = {
		{ "CATEGORIES:Plateforme VIF\r\n", "platform", NULL },
		{ "CATEGORIES:PLATEFORMES\r\n", "platform", NULL },
		{ "CATEGORIES:formation\r\n", "training", NULL },
		{ "CATEGORIES:Training\r\n", "training", NULL },
		{ "CATEGORIES:Cabane\r\n", "cabane", NULL },
		{ "CATEGORIES:Journée de sensibilisation\r\n", "awareness",
		    NULL },
		{ "CATEGORIES:Information\r\n", "other",
		    "« Test » (UID t1): catégorie « Information » ignorée" },
		{ "CATEGORIES:Réunion,Formation\r\n", "training",
		    "« Test » (UID t1): catégorie « Réunion » ignorée" },
		{ "CATEGORIES:Cabane\r\nCATEGORIES:Formation\r\n", "cabane",
		    "« Test » (UID t1): catégorie « Formation » ignorée" },
		{ "X-STOPPVIF-KIND:awareness\r\nCATEGORIES:Sensibilisation\r\n",
		    "awareness", NULL },
		{ "X-STOPPVIF-KIND:awareness\r\nCATEGORIES:Formation\r\n",
		    "awareness",
		    "« Test » (UID t1): catégorie « Formation » ignorée" },
		{ "X-STOPPVIF-KIND:fête\r\n", "other",
		    "« Test » (UID t1): X-STOPPVIF-KIND « fête » inconnu "
		    "ignoré" },
		{ "", "other", NULL },
	};
	json_t	*ev, *rep;
	char	 lines[512];
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(lines, sizeof lines, "DTSTART:20260107T140000\r\n%s",
		    cases[i].lines);
		ev = import_event(lines, &rep);
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(ev, 0), "kind")), cases[i].kind);
		if (cases[i].report == NULL)
			assert_int_equal(json_array_size(rep), 0);
		else {
			assert_int_equal(json_array_size(rep), 1);
			assert_string_equal(json_string_value(
			    json_array_get(rep, 0)), cases[i].report);
		}
		json_decref(ev);
		json_decref(rep);
	}
}

/* TZIDs as writers spell them, to IANA names; times in UTC. */
static void
test_zones(void **state)
{
	static const struct {
		const char	*dtstart;
		const char	*tz;
		const char	*local;
	} cases[] = {
		{ "DTSTART;TZID=Europe/Brussels:20260107T140000", TZ,
		    "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Romance Standard Time:20260107T140000", TZ,
		    "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=\"W. Europe Standard Time\":20260107T140000",
		    "Europe/Berlin", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Central Europe Standard Time:20260107T140000",
		    "Europe/Budapest", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Central European Standard Time:20260107T140000",
		    "Europe/Warsaw", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=GMT Standard Time:20260107T140000",
		    "Europe/London", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Greenwich Standard Time:20260107T140000",
		    "Atlantic/Reykjavik", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=UTC:20260107T140000", "UTC",
		    "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Eastern Standard Time:20260107T140000",
		    "America/New_York", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Central Standard Time:20260107T140000",
		    "America/Chicago", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Mountain Standard Time:20260107T140000",
		    "America/Denver", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=Pacific Standard Time:20260107T140000",
		    "America/Los_Angeles", "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/"
		    "Brussels:20260107T140000", TZ, "2026-01-07T14:00:00" },
		{ "DTSTART;TZID=/mozilla.org/20070129_1/Europe/Paris:"
		    "20260107T140000", "Europe/Paris", "2026-01-07T14:00:00" },
		{ "DTSTART:20260107T140000", TZ, "2026-01-07T14:00:00" },
		{ "DTSTART:20260107T130000Z", TZ, "2026-01-07T14:00:00" },
		{ "DTSTART:20260707T120000Z", TZ, "2026-07-07T14:00:00" },
		{ "DTSTART:20260707T120000Z\r\nRRULE:FREQ=DAILY;COUNT=2", "UTC",
		    "2026-07-07T12:00:00" },
		{ "DTSTART;VALUE=DATE:20260707", TZ, "2026-07-07T00:00:00" },
	};
	json_t	*ev, *rep, *o;
	char	 lines[512];
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(lines, sizeof lines, "%s\r\n", cases[i].dtstart);
		ev = import_event(lines, &rep);
		o = json_array_get(ev, 0);
		assert_string_equal(json_string_value(json_object_get(o, "tz")),
		    cases[i].tz);
		assert_string_equal(json_string_value(json_object_get(o,
		    "dtstart")), cases[i].local);
		json_decref(ev);
		json_decref(rep);
	}
}

/* Durations from DTEND and DURATION; reminders sorted and deduplicated. */
static void
test_durations(void **state)
{
	static const struct {
		const char	*lines;
		const char	*duration;
		const char	*remind;	/* JSON */
	} cases[] = {
		{ "DTSTART:20260107T140000\r\nDTEND:20260107T161500\r\n",
		    "2h15m", "[]" },
		{ "DTSTART:20260107T140000\r\nDURATION:PT45M\r\n", "45m",
		    "[]" },
		{ "DTSTART:20260107T140000\r\nDURATION:P1W\r\n", "7d", "[]" },
		{ "DTSTART:20260107T140000\r\nDURATION:P1DT2H\r\n", "1d2h",
		    "[]" },
		{ "DTSTART:20260107T140000\r\n", "1h", "[]" },
		{ "DTSTART;VALUE=DATE:20260107\r\n", "1d", "[]" },
		{ "DTSTART;VALUE=DATE:20260107\r\n"
		    "DTEND;VALUE=DATE:20260110\r\n", "3d", "[]" },
		/* Across the change to summer time: the wall clock says 3h. */
		{ "DTSTART;TZID=Europe/Brussels:20260328T230000\r\n"
		    "DTEND;TZID=Europe/Brussels:20260329T020000\r\n", "3h",
		    "[]" },
		{ "DTSTART;TZID=Europe/Brussels:20260107T140000\r\n"
		    "DTEND:20260107T140000Z\r\n", "1h", "[]" },
		{ "DTSTART:20260107T140000\r\n"
		    "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
		    "BEGIN:VALARM\r\nTRIGGER;RELATED=START:-P1W\r\n"
		    "END:VALARM\r\n"
		    "BEGIN:VALARM\r\nTRIGGER:-PT900S\r\nEND:VALARM\r\n"
		    "BEGIN:VALARM\r\nTRIGGER:PT0S\r\nEND:VALARM\r\n",
		    "1h", "[\"7d\", \"15m\", \"0s\"]" },
	};
	json_t	*ev, *rep, *o, *want;
	char	 lines[1024];
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(lines, sizeof lines, "%s", cases[i].lines);
		ev = import_event(lines, &rep);
		o = json_array_get(ev, 0);
		assert_string_equal(json_string_value(json_object_get(o,
		    "duration")), cases[i].duration);
		want = json_loads(cases[i].remind, 0, NULL);
		assert_true(json_equal(json_object_get(o, "remind"), want));
		assert_int_equal(json_array_size(rep), 0);
		json_decref(want);
		json_decref(ev);
		json_decref(rep);
	}
}

/* EXDATEs in every form land on the event's wall clock, once each, in
 * file order. */
static void
test_exdates(void **state)
{
	static const char *const want[] = {
		"2026-01-08T09:00:00", "2026-01-09T09:00:00",
		"2026-01-10T09:00:00", "2026-07-12T09:00:00",
		"2026-01-11T09:00:00", NULL,
	};
	json_t	*ev, *rep, *ex;
	size_t	 i;

	ev = import_event("DTSTART;TZID=America/New_York:20260107T090000\r\n"
	    "RRULE:FREQ=DAILY\r\n"
	    "EXDATE:20260108T090000\r\n"
	    "EXDATE;VALUE=DATE:20260109,20260108\r\n"
	    "EXDATE:20260110T140000Z,20260712T130000Z\r\n"
	    "EXDATE;TZID=Europe/Brussels:20260111T150000\r\n", &rep);
	ex = json_object_get(json_array_get(ev, 0), "exdates");
	for (i = 0; want[i] != NULL; i++)
		assert_string_equal(json_string_value(json_array_get(ex, i)),
		    want[i]);
	assert_int_equal(json_array_size(ex), i);
	assert_int_equal(json_array_size(rep), 0);
	json_decref(ev);
	json_decref(rep);
}

/* An empty calendar is an empty list, not an error. */
static void
test_no_event(void **state)
{
	static const char empty[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n";
	static const char todo[] = "BEGIN:VCALENDAR\nVERSION:2.0\n"
	    "BEGIN:VTODO\nUID:t\nSUMMARY:Affiches\nEND:VTODO\nEND:VCALENDAR\n";
	json_t	*ev, *rep;
	char	*cause = NULL;

	ev = import_ok(empty, strlen(empty), &rep);
	assert_int_equal(json_array_size(ev), 0);
	assert_int_equal(json_array_size(rep), 0);
	json_decref(ev);
	json_decref(rep);
	ev = import_ok(todo, strlen(todo), &rep);
	assert_int_equal(json_array_size(ev), 0);
	assert_int_equal(json_array_size(rep), 1);
	assert_string_equal(json_string_value(json_array_get(rep, 0)),
	    "« Affiches » (UID t): VTODO ignoré");
	json_decref(ev);
	json_decref(rep);

	/* The report may be left out; the default zone must exist. */
	ev = ics_import(todo, strlen(todo), TZ, NULL, &cause);
	assert_non_null(ev);
	json_decref(ev);
	assert_null(ics_import(todo, strlen(todo), "Mars/Olympus", &rep,
	    &cause));
	assert_null(rep);
	assert_non_null(strstr(cause, "fuseau par défaut « Mars/Olympus »"));
	free(cause);
}

#define CAL(body)	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" body \
			    "END:VCALENDAR\r\n"
#define EV(body)	CAL("BEGIN:VEVENT\r\nUID:u1\r\n" \
			    "SUMMARY:Réunion\r\n" body "END:VEVENT\r\n")

/* A lenient import skips what it cannot read, and says so per event. */
static void
test_import_lenient(void **state)
{
	static const char text[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Sans début\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Série\r\n"
	    "DTSTART;TZID=Europe/Brussels:20270202T100000\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:s\r\nSTATUS:CANCELLED\r\n"
	    "RECURRENCE-ID:20270209T090000Z\r\n"
	    "DTSTART;TZID=Europe/Brussels:20270209T100000\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n";
	json_t	*ev, *rep, *items, *it;
	char	*cause = NULL;

	(void)state;
	ev = ics_import_items(text, strlen(text), TZ, &rep, &items, &cause);
	assert_non_null(ev);
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_array_size(items), 3);
	it = json_array_get(items, 0);
	assert_string_equal(json_string_value(json_object_get(it, "outcome")),
	    "skipped");
	assert_int_equal(json_integer_value(json_object_get(it, "line")), 3);
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(it, "notes"), 0)), "DTSTART manquant"));
	it = json_array_get(items, 2);
	assert_string_equal(json_string_value(json_object_get(it, "outcome")),
	    "adapted");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_array_get(ev, 0), "exdates"), 0)), "2027-02-09T10:00:00");
	json_decref(ev);
	json_decref(rep);
	json_decref(items);
	/* not iCalendar at all: refused whole */
	assert_null(ics_import_items("x", 1, TZ, &rep, &items, &cause));
	assert_null(items);
	assert_null(rep);
	free(cause);
}

/* Text that is not iCalendar, or an event that cannot be imported. */
static void
test_import_errors(void **state)
{
	static const struct {
		const char	*text;
		size_t		 len;	/* 0: strlen */
		const char	*why;
	} cases[] = {
		{ "", 0, "texte vide" },
		{ " \r\n\r\n\t\n", 0, "texte vide" },
		{ "hello world\n", 0, "pas un fichier iCalendar : "
		    "BEGIN:VCALENDAR attendu à la ligne 1, trouvé « hello "
		    "world »" },
		{ "{\"title\": \"x\"}", 0, "pas un fichier iCalendar" },
		{ "\n\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n", 0,
		    "BEGIN:VCALENDAR attendu à la ligne 3" },
		{ CAL("BEGIN:VEVENT\r\nUID:abc\r\nDTSTART:20260107T140000\r\n"
		    "END:VEVENT\r\n"), 0, "VEVENT de la ligne 3 (UID abc): "
		    "SUMMARY manquant" },
		{ CAL("BEGIN:VEVENT\r\nDTSTART:20260107T140000\r\n"
		    "END:VEVENT\r\n"), 0, "VEVENT de la ligne 3: SUMMARY "
		    "manquant" },
		{ EV("DTSTART;TZID=Mars/Olympus:20260107T140000\r\n"), 0,
		    "« Réunion » (UID u1), ligne 6: fuseau « Mars/Olympus » "
		    "inconnu" },
		{ EV("DTSTART;TZID=Europe/../../etc/passwd:"
		    "20260107T140000\r\n"), 0,
		    "fuseau « Europe/../../etc/passwd » inconnu" },
		{ EV("DTSTART:2026-01-07\r\n"), 0, "« Réunion » (UID u1), "
		    "ligne 6: DTSTART « 2026-01-07 » illisible" },
		{ EV("DTSTART:20260230T140000\r\n"), 0, "illisible" },
		{ EV("DTSTART;VALUE=DATE:20260107T140000\r\n"), 0,
		    "illisible" },
		{ EV(""), 0, "« Réunion » (UID u1): DTSTART manquant" },
		{ EV("DTSTART:99991231T233000Z\r\n"), 0, "ligne 6: DTSTART "
		    "hors des années 1 à 9999" },
		{ EV("DTSTART:20260107T140000\r\nDTEND:20260107T130000\r\n"),
		    0, "ligne 7: DTEND avant DTSTART" },
		{ EV("DTSTART:20260107T140000\r\nDURATION:1h\r\n"), 0,
		    "DURATION « 1h » illisible" },
		{ EV("DTSTART:20260107T140000\r\nDURATION:-PT1H\r\n"), 0,
		    "négative" },
		{ EV("DTSTART:20260107T140000\r\nRRULE:FREQ=SOMETIMES\r\n"), 0,
		    "ligne 7: RRULE « FREQ=SOMETIMES » illisible" },
		{ EV("DTSTART:20260107T140000\r\nRRULE:FREQ=DAILY\r\n"
		    "EXDATE:2026-01-08\r\n"), 0, "EXDATE « 2026-01-08 » "
		    "illisible" },
		{ EV("DTSTART:20260107T140000\r\nBEGIN:VALARM\r\n"
		    "TRIGGER:-PXYZ\r\nEND:VALARM\r\n"), 0, "ligne 8: TRIGGER "
		    "« -PXYZ » illisible" },
		{ EV("FOO\r\nDTSTART:20260107T140000\r\n"), 0, "ligne 6 : "
		    "ligne illisible « FOO »" },
		{ EV("DTSTART;TZID=\"Europe/Brussels:20260107T140000\r\n"), 0,
		    "ligne 6 : ligne illisible" },
		{ EV("DTSTART:20260107T140000\r\n"
		    "DESCRIPTION:caf\xe9\r\n"), 0, "ligne 7 : texte qui n'est "
		    "pas de l'UTF-8 valide" },
		{ EV("DTSTART:20260107T140000\r\nDESCRIPTION:a\x01z\r\n"), 0,
		    "ligne 7 : caractère de contrôle" },
		{ EV("DTSTART:20260107T140000\r\n") "\0BEGIN:VEVENT", 0,
		    NULL },
		{ CAL("BEGIN:VEVENT\r\nSUMMARY:x\r\n"), 0, "ligne 5 : "
		    "END:VCALENDAR ne ferme pas BEGIN:VEVENT (ligne 3)" },
		{ "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", 0,
		    "fin du texte avant END:VEVENT (BEGIN:VEVENT à la "
		    "ligne 2)" },
		{ CAL("END:VEVENT\r\n"), 0, "ligne 3 : END:VEVENT ne ferme pas "
		    "BEGIN:VCALENDAR" },
		{ CAL("") "SUMMARY:x\r\n", 0, "ligne 4 : propriété SUMMARY "
		    "hors de tout VCALENDAR" },
		{ CAL("") "BEGIN:VEVENT\r\nEND:VEVENT\r\n", 0, "ligne 4 : "
		    "BEGIN:VEVENT hors de tout VCALENDAR" },
		{ CAL("BEGIN:A\r\nBEGIN:B\r\nBEGIN:C\r\nBEGIN:D\r\nBEGIN:E\r\n"
		    "BEGIN:F\r\nBEGIN:G\r\nBEGIN:H\r\n"), 0, "ligne 10 : "
		    "composants imbriqués trop profondément" },
		{ "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nEND:VCALENDAR\r\n", 0,
		    "ligne 2 : VERSION:1.0 non prise en charge" },
		{ "BEGIN:VCALENDAR\r\nBEGIN:\r\n", 0, "ligne 2 : nom de "
		    "composant illisible" },
	};
	static const char nul[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\0x";
	json_t	*ev, *rep;
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cases[i].why == NULL)
			continue;
		cause = NULL;
		rep = (json_t *)1;
		ev = ics_import(cases[i].text, cases[i].len ? cases[i].len :
		    strlen(cases[i].text), TZ, &rep, &cause);
		if (ev != NULL)
			fail_msg("case %zu accepted: %s", i, json_dumps(ev, 0));
		assert_null(rep);
		if (cause == NULL || strstr(cause, cases[i].why) == NULL)
			fail_msg("case %zu: cause \"%s\" lacks \"%s\"", i,
			    cause, cases[i].why);
		free(cause);
	}
	cause = NULL;
	assert_null(ics_import(nul, sizeof nul - 1, TZ, &rep, &cause));
	assert_non_null(strstr(cause, "ligne 3 : octet nul"));
	free(cause);
	assert_null(ics_import(NULL, 0, TZ, &rep, NULL));
}

/* Event objects the export refuses, and why. */
static void
test_export_errors(void **state)
{
	static const struct {
		const char	*json;
		const char	*why;
	} cases[] = {
		{ "{}", "une liste d'événements est attendue" },
		{ "[1]", "événement n°1 : un objet est attendu" },
		{ "[{\"dtstart\": \"2026-01-07T14:00:00\", \"tz\": \"UTC\","
		    " \"duration\": \"1h\"}]", "événement n°1 : « title » "
		    "manquant" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\"},"
		    " {\"title\": \"B\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"Mars/Olympus\", \"duration\": \"1h\"}]",
		    "événement n°2 « B » : fuseau « Mars/Olympus »" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-13-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\"}]",
		    "dtstart « 2026-13-07T14:00:00 »" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07 14:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\"}]", "dtstart" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"2 h\"}]", "espace" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\","
		    " \"kind\": \"fête\"}]",
		    "kind « fête » inconnu" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\","
		    " \"rrule\": \"FREQ=DAILY\\r\\nBEGIN:VEVENT\"}]",
		    "RRULE « FREQ=DAILY" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\","
		    " \"remind\": [\"bientôt\"]}]", "événement n°1 « A » : " },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\","
		    " \"exdates\": [\"demain\"]}]", "exdate « demain »" },
		{ "[{\"title\": \"A\", \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\","
		    " \"audience\": \"role:referent\"}]",
		    "« audience » doit être une liste de textes" },
		{ "[{\"title\": 3, \"dtstart\": \"2026-01-07T14:00:00\","
		    " \"tz\": \"UTC\", \"duration\": \"1h\"}]",
		    "« title » doit être un texte" },
	};
	json_t	*ev;
	char	*cause, *out;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if ((ev = json_loads(cases[i].json, 0, NULL)) == NULL)
			fail_msg("case %zu: bad JSON", i);
		cause = NULL;
		if ((out = ics_export(ev, &cause)) != NULL)
			fail_msg("case %zu accepted:\n%s", i, out);
		if (cause == NULL || strstr(cause, cases[i].why) == NULL)
			fail_msg("case %zu: cause \"%s\" lacks \"%s\"", i,
			    cause, cases[i].why);
		free(cause);
		json_decref(ev);
	}
	ev = json_array();
	out = export_ok(ev);
	assert_string_equal(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Stopp Vif//stoppvif//FR\r\nCALSCALE:GREGORIAN\r\n"
	    "END:VCALENDAR\r\n");
	python_count(out, 0);
	free(out);
	json_decref(ev);
}

/*
 * A title with a multi-byte character around byte ICS_QUOTE_MAX: the
 * label quoted in the report and in an error is valid UTF-8, the title's
 * first 60 characters then "…" (the old cut at 60 bytes split it).
 */
static void
test_quote_boundaries(void **state)
{
	static const char *const chars[] = { "é", "€", "\xf0\x9f\x98\x80" };
	char		 title[128], want[512], buf[1024], *cause;
	json_t		*ev, *report;
	const char	*line;
	size_t		 k, c, i, n;

	for (c = 0; c < sizeof chars / sizeof chars[0]; c++) {
		for (k = 55; k <= 62; k++) {
			memset(title, 'x', k);
			snprintf(title + k, sizeof title - k, "%syyyy", chars[c]);
			/* its first 60 characters (of k + 5), "…" if more */
			i = (size_t)snprintf(want, sizeof want, "« ");
			for (n = 0; n < k + 5 && n < 60; n++)
				i += (size_t)snprintf(want + i, sizeof want - i,
				    "%s", n < k ? "x" : n == k ? chars[c] : "y");
			snprintf(want + i, sizeof want - i, "%s » (UID t1)",
			    k + 5 > 60 ? "…" : "");

			/* reported: an unknown property */
			snprintf(buf, sizeof buf, "BEGIN:VCALENDAR\r\n"
			    "VERSION:2.0\r\nBEGIN:VEVENT\r\nUID:t1\r\n"
			    "SUMMARY:%s\r\nDTSTART:20260107T140000\r\n"
			    "X-FOO:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			    title);
			ev = import_ok(buf, strlen(buf), &report);
			assert_int_equal(json_array_size(report), 1);
			line = json_string_value(json_array_get(report, 0));
			assert_non_null(line);
			assert_true(utf8_valid(line, strlen(line)));
			if (strncmp(line, want, strlen(want)) != 0)
				fail_msg("k=%zu c=%zu: \"%s\" does not start "
				    "with \"%s\"", k, c, line, want);
			json_decref(ev);
			json_decref(report);

			/* refused: no DTSTART */
			snprintf(buf, sizeof buf, "BEGIN:VCALENDAR\r\n"
			    "VERSION:2.0\r\nBEGIN:VEVENT\r\nUID:t1\r\n"
			    "SUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			    title);
			cause = NULL;
			assert_null(ics_import(buf, strlen(buf), TZ, &report,
			    &cause));
			assert_non_null(cause);
			assert_true(utf8_valid(cause, strlen(cause)));
			if (strncmp(cause, want, strlen(want)) != 0)
				fail_msg("k=%zu c=%zu: \"%s\" does not start "
				    "with \"%s\"", k, c, cause, want);
			free(cause);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google),
		cmocka_unit_test(test_outlook),
		cmocka_unit_test(test_thunderbird),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_sample_round_trip),
		cmocka_unit_test(test_full_round_trip),
		cmocka_unit_test(test_vtimezones),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_exdates),
		cmocka_unit_test(test_no_event),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_import_lenient),
		cmocka_unit_test(test_export_errors),
		cmocka_unit_test(test_quote_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
