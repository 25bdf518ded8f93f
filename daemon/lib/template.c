/*
 * template.c: message templates, the tables and the compiled set.  The
 * languages and the kinds of message are written here once; a set holds one
 * compiled template per language, kind and channel (chan.h), and the name
 * {sender} renders.  Loading and checking the files (and the sender's name)
 * is template_load.c, the placeholders and rendering template_render.c, the
 * text rules (values, one-line texts, GSM 03.38 segments) template_text.c.
 */
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "template_int.h"

static const char *const reminder_needs[] = { "title", "start", NULL };
static const char *const alert_needs[] = { "code", NULL };
static const char *const confirm_needs[] = { "code", "until", NULL };
static const char *const notice_needs[] = { NULL };
static const char *const alarm_needs[] = { "alarm", "since", NULL };
static const char *const clear_needs[] = { "alarm", "since", "cleared",
    NULL };

const struct tkind template_kinds[TEMPLATE_NKINDS] = {
	{ "reminder", K_REMINDER, reminder_needs },
	{ "alert", K_ALERT, alert_needs },
	{ "alert_confirm", K_ALERT_CONFIRM, confirm_needs },
	{ "alert_taken", K_ALERT_TAKEN, alert_needs },
	{ "alert_late", K_ALERT_LATE, alert_needs },
	{ "alert_closed", K_ALERT_CLOSED, alert_needs },
	{ "alert_nobody", K_ALERT_NOBODY, alert_needs },
	{ "alert_no_oncall", K_ALERT_NO_ONCALL, alert_needs },
	{ "alert_unclear", K_ALERT_UNCLEAR, alert_needs },
	{ "alert_locked", K_ALERT_LOCKED, alert_needs },
	{ "notice", K_NOTICE, notice_needs },
	{ "alarm", K_ALARM, alarm_needs },
	{ "alarm_clear", K_ALARM_CLEAR, clear_needs },
};

int
template_kind_find(const char *kind, size_t len)
{
	size_t	 i;

	for (i = 0; kind != NULL && i < TEMPLATE_NKINDS; i++)
		if (strlen(template_kinds[i].name) == len &&
		    strncmp(template_kinds[i].name, kind, len) == 0)
			return (int)i;
	return -1;
}

/* Free the parts of l and empty it. */
static void
tline_free(struct tline *l)
{
	size_t	 i;

	for (i = 0; i < l->nparts; i++)
		free(l->parts[i].text);
	free(l->parts);
	l->parts = NULL;
	l->nparts = 0;
}

void
template_tmpl_free(struct tmpl *t)
{
	size_t	 i;

	tline_free(&t->subject);
	for (i = 0; i < t->nlines; i++)
		tline_free(&t->lines[i]);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

void
template_free(struct template_set *ts)
{
	size_t	 l, k, c;

	if (ts == NULL)
		return;
	for (l = 0; l < LANG_COUNT; l++)
		for (k = 0; k < TEMPLATE_NKINDS; k++)
			for (c = 0; c < CHAN_COUNT; c++)
				template_tmpl_free(&ts->t[l][k][c]);
	free(ts->sender);
	free(ts);
}
