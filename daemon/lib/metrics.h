/*
 * metrics.h: the daemon's metrics, rendered in the Prometheus text
 * exposition format 0.0.4 (HELP and TYPE lines, one sample a line).  Pure
 * code: no libevent, no SQLite; the listener (api_metrics.c) serves the
 * text, the modules that own a fact count it or set it.
 *
 * One process-wide registry of families, each described once in a table
 * (struct metric_def): a counter, a gauge or a histogram, with at most two
 * labels.  A family's series are made on first use, one per set of label
 * values, and rendered in the order they were made.  Labels say what kind
 * of thing was counted (a channel, an outcome, a status), never who: no id,
 * address, name or code may be a label value.
 *
 * Every call before metrics_start() or after metrics_stop() does nothing,
 * so that the modules' unit tests need no metrics.
 */
#ifndef STOPPVIF_METRICS_H
#define STOPPVIF_METRICS_H

#include <stddef.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRIC_LABELS	2

/* One family: its full name ("stoppvif_messages_total"), its labels. */
struct metric_def {
	const char		*name;
	enum metric_type	 type;
	const char		*help;
	const char		*labels[METRIC_LABELS];	/* NULL: fewer */
	const double		*buckets;	/* histogram: upper bounds, */
	size_t			 nbuckets;	/* increasing; +Inf is added */
};

/* The daemon's families, in the order of metrics_defs (metrics.c). */
enum metric_id {
	M_MESSAGES,		/* {channel, outcome} counter */
	M_OUTBOX,		/* {channel, status} gauge, at scrape */
	M_OLDEST_PENDING,	/* gauge, at scrape */
	M_OLDEST_URGENT,	/* gauge, at scrape */
	M_ALERTS_OPEN,		/* gauge, at scrape */
	M_CLAIM_SECONDS,	/* histogram */
	M_ESCALATIONS,		/* counter */
	M_NEXT_REMINDER,	/* gauge, at scrape; absent when none */
	M_RELOADS,		/* {result} counter */
	M_BUILD_INFO,		/* {version} gauge, 1 */
	M_START_TIME,		/* gauge */
	M_COUNT
};

/* The version stoppvifd reports (build_info, status). */
#define METRICS_VERSION	"0.1"

/*
 * Make the registry of the n families of defs (NULL: the daemon's own,
 * indexed by enum metric_id).  A second start replaces the first.
 */
void	 metrics_start(const struct metric_def *defs, size_t n);
/* Free the registry; the calls after it do nothing. */
void	 metrics_stop(void);
/*
 * Add by to the counter id for the label values l1, l2 (NULL for a label
 * the family has not).  A value is copied; its text is not checked here:
 * pass words of a closed set.
 */
void	 metrics_add(int id, double by, const char *l1, const char *l2);
/* Set the gauge id for the label values l1, l2. */
void	 metrics_set(int id, double v, const char *l1, const char *l2);
/* Count v (seconds, say) in the histogram id. */
void	 metrics_observe(int id, double v);
/* Forget every series of id (a gauge computed afresh at each scrape). */
void	 metrics_clear(int id);
/* The exposition text of every family (a new string; "" when stopped). */
char	*metrics_render(void);

#endif
