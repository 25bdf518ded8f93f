/*
 * metrics.c: the registry of metrics and its text exposition (metrics.h).
 *
 * Small by design: a few families, a few series each, looked up by a
 * linear scan.  The text is written directly: "# HELP", "# TYPE", then
 * one line a sample, label values escaped as the format says (backslash,
 * double quote, line feed), a histogram as its cumulative _bucket lines up
 * to le="+Inf", then _sum and _count.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

/* stoppvif_claim_duration_seconds: from half a minute to an hour. */
static const double claim_buckets[] = {
	30, 60, 120, 300, 600, 900, 1800, 3600
};

static const struct metric_def metrics_defs[M_COUNT] = {
	[M_MESSAGES] = { "stoppvif_messages_total", METRIC_COUNTER,
	    "Messages by channel and outcome (a message may count under "
	    "several outcomes: retry, then sent).", { "channel", "outcome" },
	    NULL, 0 },
	[M_OUTBOX] = { "stoppvif_outbox_messages", METRIC_GAUGE,
	    "Rows of the outbox by channel and status.",
	    { "channel", "status" }, NULL, 0 },
	[M_OLDEST_PENDING] = { "stoppvif_outbox_oldest_pending_age_seconds",
	    METRIC_GAUGE, "Age of the oldest pending message that is due "
	    "(0 when none).", { NULL, NULL }, NULL, 0 },
	[M_OLDEST_URGENT] = {
	    "stoppvif_outbox_oldest_pending_urgent_age_seconds",
	    METRIC_GAUGE, "Age of the oldest pending urgent message (0 when "
	    "none).", { NULL, NULL }, NULL, 0 },
	[M_ALERTS_OPEN] = { "stoppvif_alerts_open", METRIC_GAUGE,
	    "Shelter alerts open (not claimed, not closed).", { NULL, NULL },
	    NULL, 0 },
	[M_CLAIM_SECONDS] = { "stoppvif_claim_duration_seconds",
	    METRIC_HISTOGRAM, "Time from an alert's opening to its claim.",
	    { NULL, NULL }, claim_buckets,
	    sizeof claim_buckets / sizeof claim_buckets[0] },
	[M_ESCALATIONS] = { "stoppvif_escalations_total", METRIC_COUNTER,
	    "Alerts that went to their escalation level.", { NULL, NULL },
	    NULL, 0 },
	[M_NEXT_REMINDER] = { "stoppvif_next_reminder_seconds", METRIC_GAUGE,
	    "Seconds until the next reminder is due (no sample when none "
	    "is planned).", { NULL, NULL }, NULL, 0 },
	[M_RELOADS] = { "stoppvif_config_reloads_total", METRIC_COUNTER,
	    "Configuration reloads by result.", { "result", NULL }, NULL, 0 },
	[M_BUILD_INFO] = { "stoppvif_build_info", METRIC_GAUGE,
	    "The running version; always 1.", { "version", NULL }, NULL, 0 },
	[M_START_TIME] = { "stoppvif_start_time_seconds", METRIC_GAUGE,
	    "When the daemon started, in seconds since the epoch.",
	    { NULL, NULL }, NULL, 0 },
};

/* One series: its label values and its value (a histogram's counts). */
struct mseries {
	char		*lv[METRIC_LABELS];
	double		 v;
	uint64_t	*counts;	/* histogram: per bucket, not cumulative */
	uint64_t	 count;
};

struct mfamily {
	const struct metric_def	*def;
	struct mseries		*s;
	size_t			 n;
};

static struct mfamily	*families;
static size_t		 nfamilies;

/* A growing string. */
struct mtext {
	char	*buf;
	size_t	 len, cap;
};

static void	 mtext_printf(struct mtext *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
mtext_printf(struct mtext *t, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->buf = xreallocarray(t->buf, t->cap, 1);
	}
	t->len += (size_t)n;
}

/* Write s with the characters escape lists preceded by a backslash
 * (a line feed as \n). */
static void
mtext_escaped(struct mtext *t, const char *s, const char *escape)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			mtext_printf(t, "\\n");
		else if (strchr(escape, *s) != NULL)
			mtext_printf(t, "\\%c", *s);
		else
			mtext_printf(t, "%c", *s);
	}
}

/* A value as the format writes it: integers without a fraction. */
static void
mtext_value(struct mtext *t, double v)
{
	if (isnan(v))
		mtext_printf(t, "NaN");
	else if (isinf(v))
		mtext_printf(t, "%sInf", v > 0 ? "+" : "-");
	else if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
		mtext_printf(t, "%lld", (long long)v);
	else
		mtext_printf(t, "%.15g", v);
}

void
metrics_start(const struct metric_def *defs, size_t n)
{
	size_t	 i;

	metrics_stop();
	if (defs == NULL) {
		defs = metrics_defs;
		n = M_COUNT;
	}
	families = xcalloc(n, sizeof *families);
	nfamilies = n;
	for (i = 0; i < n; i++)
		families[i].def = &defs[i];
}

void
metrics_clear(int id)
{
	struct mfamily	*f;
	size_t		 i, k;

	if (id < 0 || (size_t)id >= nfamilies)
		return;
	f = &families[id];
	for (i = 0; i < f->n; i++) {
		for (k = 0; k < METRIC_LABELS; k++)
			free(f->s[i].lv[k]);
		free(f->s[i].counts);
	}
	free(f->s);
	f->s = NULL;
	f->n = 0;
}

void
metrics_stop(void)
{
	size_t	 i;

	for (i = 0; i < nfamilies; i++)
		metrics_clear((int)i);
	free(families);
	families = NULL;
	nfamilies = 0;
}

/* Whether label value a (may be NULL) is b. */
static int
metrics_same(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* The series of family id for l1, l2, made when missing; NULL when id is
 * not a family of type. */
static struct mseries *
metrics_series(int id, enum metric_type type, const char *l1, const char *l2)
{
	const char	*lv[METRIC_LABELS] = { l1, l2 };
	struct mfamily	*f;
	struct mseries	*s;
	size_t		 i, k;

	if (id < 0 || (size_t)id >= nfamilies ||
	    families[id].def->type != type)
		return NULL;
	f = &families[id];
	for (i = 0; i < f->n; i++)
		if (metrics_same(f->s[i].lv[0], l1) &&
		    metrics_same(f->s[i].lv[1], l2))
			return &f->s[i];
	f->s = xreallocarray(f->s, f->n + 1, sizeof *f->s);
	s = &f->s[f->n++];
	memset(s, 0, sizeof *s);
	for (k = 0; k < METRIC_LABELS; k++)
		if (f->def->labels[k] != NULL)
			s->lv[k] = xstrdup(lv[k] != NULL ? lv[k] : "");
	if (type == METRIC_HISTOGRAM)
		s->counts = xcalloc(f->def->nbuckets + 1, sizeof *s->counts);
	return s;
}

void
metrics_add(int id, double by, const char *l1, const char *l2)
{
	struct mseries	*s;

	if ((s = metrics_series(id, METRIC_COUNTER, l1, l2)) != NULL)
		s->v += by;
}

void
metrics_set(int id, double v, const char *l1, const char *l2)
{
	struct mseries	*s;

	if ((s = metrics_series(id, METRIC_GAUGE, l1, l2)) != NULL)
		s->v = v;
}

void
metrics_observe(int id, double v)
{
	const struct metric_def	*def;
	struct mseries		*s;
	size_t			 b;

	if ((s = metrics_series(id, METRIC_HISTOGRAM, NULL, NULL)) == NULL)
		return;
	def = families[id].def;
	for (b = 0; b < def->nbuckets && v > def->buckets[b]; b++)
		;
	s->counts[b]++;		/* b == nbuckets: +Inf alone */
	s->count++;
	s->v += v;
}

/* The labels of a sample: {a="x",b="y"} with extra (le="30") last, or
 * nothing when there are none. */
static void
metrics_labels(struct mtext *t, const struct metric_def *def,
    const struct mseries *s, const char *extra)
{
	const char	*sep = "{";
	size_t		 k;

	for (k = 0; k < METRIC_LABELS; k++) {
		if (def->labels[k] == NULL)
			continue;
		mtext_printf(t, "%s%s=\"", sep, def->labels[k]);
		mtext_escaped(t, s->lv[k], "\\\"");
		mtext_printf(t, "\"");
		sep = ",";
	}
	if (extra != NULL) {
		mtext_printf(t, "%s%s", sep, extra);
		sep = ",";
	}
	if (*sep == ',')
		mtext_printf(t, "}");
}

/* A histogram's lines for one series: cumulative buckets, sum, count. */
static void
metrics_render_hist(struct mtext *t, const struct metric_def *def,
    const struct mseries *s)
{
	char		 le[48];
	uint64_t	 cum = 0;
	size_t		 b;

	for (b = 0; b <= def->nbuckets; b++) {
		cum += s->counts[b];
		if (b < def->nbuckets)
			snprintf(le, sizeof le, "le=\"%g\"", def->buckets[b]);
		else
			snprintf(le, sizeof le, "le=\"+Inf\"");
		mtext_printf(t, "%s_bucket", def->name);
		metrics_labels(t, def, s, le);
		mtext_printf(t, " %llu\n", (unsigned long long)cum);
	}
	mtext_printf(t, "%s_sum", def->name);
	metrics_labels(t, def, s, NULL);
	mtext_printf(t, " ");
	mtext_value(t, s->v);
	mtext_printf(t, "\n%s_count", def->name);
	metrics_labels(t, def, s, NULL);
	mtext_printf(t, " %llu\n", (unsigned long long)s->count);
}

/* One family: its HELP and TYPE lines, then its samples. */
static void
metrics_render_family(struct mtext *t, struct mfamily *f)
{
	static const char *const types[] = {
		[METRIC_COUNTER] = "counter", [METRIC_GAUGE] = "gauge",
		[METRIC_HISTOGRAM] = "histogram",
	};
	const struct metric_def	*def = f->def;
	size_t			 i;

	/* a counter or histogram with no labels shows its zeros from the
	 * start (a gauge may be absent on purpose) */
	if (def->type != METRIC_GAUGE && def->labels[0] == NULL && f->n == 0)
		metrics_series((int)(f - families), def->type, NULL, NULL);
	mtext_printf(t, "# HELP %s ", def->name);
	mtext_escaped(t, def->help, "\\");
	mtext_printf(t, "\n# TYPE %s %s\n", def->name, types[def->type]);
	for (i = 0; i < f->n; i++) {
		if (def->type == METRIC_HISTOGRAM) {
			metrics_render_hist(t, def, &f->s[i]);
			continue;
		}
		mtext_printf(t, "%s", def->name);
		metrics_labels(t, def, &f->s[i], NULL);
		mtext_printf(t, " ");
		mtext_value(t, f->s[i].v);
		mtext_printf(t, "\n");
	}
}

char *
metrics_render(void)
{
	struct mtext	 t;
	size_t		 i;

	t.cap = 4096;
	t.len = 0;
	t.buf = xcalloc(1, t.cap);
	for (i = 0; i < nfamilies; i++)
		metrics_render_family(&t, &families[i]);
	return t.buf;
}
