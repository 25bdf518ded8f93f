/*
 * fuzz_template.c: templates from arbitrary bytes, loaded and rendered.
 * The first byte picks the file that the text is written to (modulo 6: '0'
 * fr/reminder.email, '1' fr/reminder.sms, '2' nl/reminder.email, '3'
 * nl/reminder.sms, '4' fr/alert.email, '5' fr/alert.sms); the other French
 * files are valid ones.  Bytes after a NUL, when there is one, are the
 * params as JSON (else the example).  The text is also tried as the
 * sender's name.  Whatever the input: no crash, a refusal says why,
 * subjects and SMS texts come out on one line and pass the phone guard,
 * and with the example an alert SMS that loaded takes one message.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "guard.h"
#include "template.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NFUZZED		6
static const char *const files[] = {
	"fr/reminder.email", "fr/reminder.sms", "nl/reminder.email",
	"nl/reminder.sms", "fr/alert.email", "fr/alert.sms",
	/* never fuzzed, written once */
	"fr/alert_confirm.email", "fr/alert_confirm.sms",
	"fr/alert_taken.email", "fr/alert_taken.sms",
	"fr/alert_late.email", "fr/alert_late.sms",
	"fr/alert_closed.email", "fr/alert_closed.sms",
	"fr/alert_nobody.email", "fr/alert_nobody.sms",
	"fr/alert_no_oncall.email", "fr/alert_no_oncall.sms",
	"fr/alert_unclear.email", "fr/alert_unclear.sms",
	"fr/alert_locked.email", "fr/alert_locked.sms",
};
#define NFILES		(sizeof files / sizeof files[0])
/* A valid text for each file, NULL for the Dutch ones. */
static const char *const good[NFILES] = {
	"Subject: Rappel : {title}, {date}\n\nBonjour,\n{title} a lieu {in}.\n"
	"Où : {place}\n",
	"{sender} : Rappel : {title} le {when}.\n",
	NULL, NULL,
	"Subject: Logement ({code})\n\nOK {code}\nLien : {link}\n{shelter}\n",
	"{sender} : un logement est disponible. Répondez OK {code}.\n",
	"Subject: Réservé\n\n{code} {until} {shelter}\n{sender}\n",
	"{sender} : {code} réservé jusqu'au {until}.\n",
	"Subject: x\n\n{code}\n", "{sender} : {code} déjà réservé.\n",
	"Subject: x\n\n{code}\n", "{sender} : {code} déjà pris.\n",
	"Subject: x\n\n{code}\n", "{sender} : {code} plus disponible.\n",
	"Subject: x\n\n{code} {opened}\n", "{sender} : {code}, {opened}.\n",
	"Subject: x\n\n{code} {opened}\n", "{sender} : {code}, {opened}.\n",
	"Subject: x\n\n{code}\n", "{sender} : compris ? OK {code}.\n",
	"Subject: x\n\n{code} {opened}\n", "{sender} : {code}, {opened}.\n",
};
static const char *const kinds[] = {
	"reminder", "alert", "alert_confirm", "alert_nobody", "alert_unclear",
	"alert_locked",
};
static const char example[] =
    "{\"title\":\"La Cabane\",\"start\":\"2027-01-06T14:00:00+01:00\","
    "\"end\":\"2027-01-06T16:00:00+01:00\",\"offset\":604800,"
    "\"location\":\"Espace enfants du CPAS\",\"commune\":\"Aywaille\","
    "\"code\":\"4821\",\"link\":\"https://h/a/T\",\"shelter\":\"Studio\","
    "\"until\":\"2027-09-01T23:59:00+02:00\","
    "\"opened\":\"2027-09-30T23:59:00+02:00\"}";

static char	 dir[] = "/tmp/fuzz_template.XXXXXX";
static int	 made;

static void
path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", dir, rel);
}

static void
cleanup(void)
{
	char	 p[256];
	size_t	 i;

	for (i = 0; i < NFILES; i++) {
		path_of(p, sizeof p, files[i]);
		unlink(p);
	}
	path_of(p, sizeof p, "fr");
	rmdir(p);
	path_of(p, sizeof p, "nl");
	rmdir(p);
	rmdir(dir);
}

static void
write_file(const char *rel, const void *data, size_t len)
{
	char	 p[256];
	FILE	*fp;

	path_of(p, sizeof p, rel);
	if ((fp = fopen(p, "w")) == NULL)
		abort();
	if (len > 0 && fwrite(data, 1, len, fp) != len)
		abort();
	fclose(fp);
}

static void
setup(void)
{
	char	 p[256];
	size_t	 i;

	if (made)
		return;
	if (mkdtemp(dir) == NULL)
		abort();
	path_of(p, sizeof p, "fr");
	mkdir(p, 0700);
	path_of(p, sizeof p, "nl");
	mkdir(p, 0700);
	for (i = NFUZZED; i < NFILES; i++)
		write_file(files[i], good[i], strlen(good[i]));
	atexit(cleanup);
	made = 1;
}

/* Render kind in every language and channel; check what reaches a
 * phone, and that an alert SMS rendered with the example is one SMS. */
static void
render_all(const struct template_set *ts, const char *kind, json_t *params,
    int example_params)
{
	static const char *const langs[] = { "fr", "nl", "de", "en", "xx" };
	char		*subject, *body, *cause = NULL;
	size_t		 l;
	int		 alert = strncmp(kind, "alert", 5) == 0;

	for (l = 0; l < sizeof langs / sizeof langs[0]; l++) {
		if (template_render(ts, kind, "email", langs[l], params,
		    &subject, &body, &cause) == 0) {
			if (strchr(subject, '\n') != NULL ||
			    (body[0] != '\0' && body[strlen(body) - 1] != '\n') ||
			    guard_phone_check(subject, NULL) != 0)
				abort();
			template_sms_segments(subject);
			free(subject);
			free(body);
		} else if (cause == NULL || subject != NULL || body != NULL)
			abort();
		if (template_render(ts, kind, "sms", langs[l], params,
		    NULL, &body, &cause) == 0) {
			if (strchr(body, '\n') != NULL ||
			    guard_phone_check(body, NULL) != 0 ||
			    template_sms_segments(body) < 1 ||
			    (alert && example_params &&
			    template_sms_segments(body) != 1))
				abort();
			free(body);
		} else if (cause == NULL || body != NULL)
			abort();
	}
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template_set	*ts;
	const uint8_t		*nul;
	json_t			*params = NULL;
	char			*cause = NULL, *text, p[256];
	size_t			 tlen, which, i;
	int			 example_params = 0;

	if (size < 1 || size > 8192)
		return 0;
	setup();
	which = data[0] % NFUZZED;
	data++, size--;
	nul = memchr(data, '\0', size);
	tlen = nul != NULL ? (size_t)(nul - data) : size;
	for (i = 0; i < NFUZZED; i++) {
		path_of(p, sizeof p, files[i]);
		if (good[i] != NULL)
			write_file(files[i], good[i], strlen(good[i]));
		else
			unlink(p);
	}
	write_file(files[which], data, tlen);

	if (nul != NULL)
		params = json_loadb((const char *)nul + 1, size - tlen - 1, 0,
		    NULL);
	if (params == NULL) {
		params = json_loads(example, 0, NULL);
		example_params = 1;
	}

	text = xmalloc(tlen + 1);
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	if ((ts = template_load(dir, &cause)) != NULL) {
		if (cause != NULL)
			abort();
		for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			render_all(ts, kinds[i], params, example_params);
		/* The text as the sender's name: refused with a cause, or
		 * rendered under the same rules. */
		if (template_set_sender(ts, text, &cause) == 0) {
			if (cause != NULL)
				abort();
			for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
				render_all(ts, kinds[i], params,
				    example_params);
		} else if (cause == NULL)
			abort();
		template_free(ts);
	} else if (cause == NULL)
		abort();
	free(cause);
	json_decref(params);

	/* The text itself, as an SMS and on a phone. */
	if (template_sms_segments(text) < 1)
		abort();
	cause = NULL;
	if (guard_phone_check(text, &cause) == -1 && cause == NULL)
		abort();
	free(cause);
	free(text);
	return 0;
}
