/*
 * fuzz_template.c: templates from arbitrary bytes, loaded and rendered.
 * The first byte picks the file that the text is written to (modulo 4: '0'
 * fr/reminder.email, '1' fr/reminder.sms, '2' nl/reminder.email, '3'
 * nl/reminder.sms); the other French files are valid ones.  Bytes after
 * a NUL, when there is one, are the params as JSON (else the example).
 * Whatever the input: no crash, a refusal says why, and subjects and SMS
 * texts come out on one line.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "template.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const files[] = {
	"fr/reminder.email", "fr/reminder.sms", "nl/reminder.email",
	"nl/reminder.sms",
};
static const char *const good[] = {
	"Subject: Rappel : {title}, {date}\n\nBonjour,\n{title} a lieu {in}.\n"
	"Où : {place}\n",
	"Rappel Stopp Vif : {title} le {when}.\n",
};
static const char example[] =
    "{\"title\":\"La Cabane\",\"start\":\"2027-01-06T14:00:00+01:00\","
    "\"end\":\"2027-01-06T16:00:00+01:00\",\"offset\":604800,"
    "\"location\":\"Espace enfants du CPAS\",\"commune\":\"Aywaille\"}";

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

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
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

	if (made)
		return;
	if (mkdtemp(dir) == NULL)
		abort();
	path_of(p, sizeof p, "fr");
	mkdir(p, 0700);
	path_of(p, sizeof p, "nl");
	mkdir(p, 0700);
	atexit(cleanup);
	made = 1;
}

/* Render every language and channel; check what reaches a phone. */
static void
render_all(const struct template_set *ts, json_t *params)
{
	static const char *const langs[] = { "fr", "nl", "de", "en", "xx" };
	char		*subject, *body, *cause = NULL;
	size_t		 l;

	for (l = 0; l < sizeof langs / sizeof langs[0]; l++) {
		if (template_render(ts, "reminder", "email", langs[l], params,
		    &subject, &body, &cause) == 0) {
			if (strchr(subject, '\n') != NULL ||
			    (body[0] != '\0' && body[strlen(body) - 1] != '\n'))
				abort();
			template_sms_segments(subject);
			free(subject);
			free(body);
		} else if (cause == NULL || subject != NULL || body != NULL)
			abort();
		if (template_render(ts, "reminder", "sms", langs[l], params,
		    NULL, &body, &cause) == 0) {
			if (strchr(body, '\n') != NULL ||
			    template_sms_segments(body) < 1)
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
	json_t			*params;
	char			*cause = NULL, *text, p[256];
	size_t			 tlen, which;

	if (size < 1 || size > 8192)
		return 0;
	setup();
	which = data[0] % 4;
	data++, size--;
	nul = memchr(data, '\0', size);
	tlen = nul != NULL ? (size_t)(nul - data) : size;
	write_file(files[0], good[0], strlen(good[0]));
	write_file(files[1], good[1], strlen(good[1]));
	path_of(p, sizeof p, files[2]);
	unlink(p);
	path_of(p, sizeof p, files[3]);
	unlink(p);
	write_file(files[which], data, tlen);

	params = nul != NULL ? json_loadb((const char *)nul + 1,
	    size - tlen - 1, 0, NULL) : NULL;
	if (params == NULL)
		params = json_loads(example, 0, NULL);

	if ((ts = template_load(dir, &cause)) != NULL) {
		if (cause != NULL)
			abort();
		render_all(ts, params);
		template_free(ts);
	} else if (cause == NULL)
		abort();
	free(cause);
	json_decref(params);

	/* The text itself, as an SMS and on a phone. */
	text = xmalloc(tlen + 1);
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	if (template_sms_segments(text) < 1)
		abort();
	cause = NULL;
	if (template_phone_check(text, &cause) == -1 && cause == NULL)
		abort();
	free(cause);
	free(text);
	return 0;
}
