/*
 * test_metrics.c: the text exposition of metrics.c: HELP and TYPE lines,
 * label values escaped (as an attacker's text would need), histogram
 * buckets cumulative up to +Inf with _sum and _count, calls on the wrong
 * kind of family or before start ignored, and the daemon's own families
 * passing promtool's checks when it is installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

static const double tbuckets[] = { 1, 2.5, 10 };

static const struct metric_def tdefs[] = {
	{ "t_events_total", METRIC_COUNTER, "Events, with a \\ and a\nline.",
	    { "kind", "result" }, NULL, 0 },
	{ "t_level", METRIC_GAUGE, "A level.", { NULL, NULL }, NULL, 0 },
	{ "t_wait_seconds", METRIC_HISTOGRAM, "Waits.", { NULL, NULL },
	    tbuckets, 3 },
	{ "t_runs_total", METRIC_COUNTER, "Runs.", { NULL, NULL }, NULL, 0 },
};

/* Whether text holds line as one whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p++;
	}
	return 0;
}

static void
expect_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("missing line «%s» in:\n%s", line, text);
}

static void
test_help_type(void **state)
{
	char	*t;

	metrics_start(tdefs, 4);
	t = metrics_render();
	expect_line(t, "# HELP t_events_total Events, with a \\\\ and a\\nline.");
	expect_line(t, "# TYPE t_events_total counter");
	expect_line(t, "# TYPE t_level gauge");
	expect_line(t, "# TYPE t_wait_seconds histogram");
	/* no series yet: no sample of the labelled counter or the gauge;
	 * an unlabelled counter and the histogram show their zeros */
	assert_null(strstr(t, "t_events_total{"));
	assert_null(strstr(t, "\nt_level "));
	expect_line(t, "t_runs_total 0");
	expect_line(t, "t_wait_seconds_count 0");
	free(t);
	metrics_stop();
}

static void
test_escape(void **state)
{
	char	*t;

	metrics_start(tdefs, 4);
	metrics_add(0, 1, "a\"b", "c\\d\ne");
	metrics_add(0, 2, "a\"b", "c\\d\ne");
	metrics_add(0, 1, "plain", NULL);
	t = metrics_render();
	expect_line(t, "t_events_total{kind=\"a\\\"b\",result=\"c\\\\d\\ne\"} 3");
	expect_line(t, "t_events_total{kind=\"plain\",result=\"\"} 1");
	/* one line a sample: the line feed never reaches the text raw */
	assert_null(strstr(t, "d\ne"));
	free(t);
	metrics_stop();
}

static void
test_values(void **state)
{
	char	*t;

	metrics_start(tdefs, 4);
	metrics_set(1, 0.25, NULL, NULL);
	t = metrics_render();
	expect_line(t, "t_level 0.25");
	free(t);
	metrics_set(1, 1e20, NULL, NULL);
	t = metrics_render();
	expect_line(t, "t_level 1e+20");
	free(t);
	metrics_set(1, -3, NULL, NULL);
	t = metrics_render();
	expect_line(t, "t_level -3");
	free(t);
	metrics_clear(1);
	t = metrics_render();
	assert_null(strstr(t, "\nt_level "));
	free(t);
	metrics_stop();
}

static void
test_histogram(void **state)
{
	char	*t;

	metrics_start(tdefs, 4);
	t = metrics_render();
	expect_line(t, "t_wait_seconds_bucket{le=\"1\"} 0");
	expect_line(t, "t_wait_seconds_bucket{le=\"+Inf\"} 0");
	expect_line(t, "t_wait_seconds_count 0");
	free(t);
	metrics_observe(2, 0.5);
	metrics_observe(2, 1);		/* le is "less or equal" */
	metrics_observe(2, 2);
	metrics_observe(2, 7);
	metrics_observe(2, 100);
	t = metrics_render();
	expect_line(t, "t_wait_seconds_bucket{le=\"1\"} 2");
	expect_line(t, "t_wait_seconds_bucket{le=\"2.5\"} 3");
	expect_line(t, "t_wait_seconds_bucket{le=\"10\"} 4");
	expect_line(t, "t_wait_seconds_bucket{le=\"+Inf\"} 5");
	expect_line(t, "t_wait_seconds_sum 110.5");
	expect_line(t, "t_wait_seconds_count 5");
	free(t);
	metrics_stop();
}

/* A counter call on a gauge, an unknown id, calls when stopped: nothing. */
static void
test_misuse(void **state)
{
	char	*t;

	metrics_add(0, 1, "x", "y");	/* not started */
	metrics_observe(2, 1);
	t = metrics_render();
	assert_string_equal(t, "");
	free(t);
	metrics_start(tdefs, 4);
	metrics_add(1, 5, NULL, NULL);
	metrics_set(0, 5, "k", "r");
	metrics_observe(0, 5);
	metrics_add(-1, 1, NULL, NULL);
	metrics_add(4, 1, NULL, NULL);
	metrics_clear(99);
	t = metrics_render();
	assert_null(strstr(t, "\nt_level "));
	assert_null(strstr(t, "t_events_total{"));
	free(t);
	metrics_stop();
}

/* The daemon's families, each with a sample, as promtool reads them. */
static void
test_promtool(void **state)
{
	char	 path[] = "/tmp/test_metrics.XXXXXX", cmd[128], out[512];
	char	*t;
	const char *p;
	FILE	*fp;
	size_t	 n;
	int	 fd, i;

	if (access("/usr/bin/promtool", X_OK) != 0)
		skip();
	metrics_start(NULL, 0);
	metrics_add(M_MESSAGES, 3, "email", "sent");
	metrics_set(M_OUTBOX, 2, "sms", "pending");
	metrics_set(M_OLDEST_PENDING, 12, NULL, NULL);
	metrics_set(M_OLDEST_URGENT, 0, NULL, NULL);
	metrics_set(M_ALERTS_OPEN, 1, NULL, NULL);
	metrics_observe(M_CLAIM_SECONDS, 95);
	metrics_add(M_ESCALATIONS, 1, NULL, NULL);
	metrics_set(M_NEXT_REMINDER, 3600, NULL, NULL);
	metrics_add(M_RELOADS, 1, "ok", NULL);
	metrics_set(M_BUILD_INFO, 1, METRICS_VERSION, NULL);
	metrics_set(M_START_TIME, 1796000000, NULL, NULL);
	t = metrics_render();
	for (i = 0, p = t; (p = strstr(p, "# TYPE stoppvif_")) != NULL; i++)
		p++;
	assert_int_equal(i, M_COUNT);
	assert_int_not_equal(fd = mkstemp(path), -1);
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
	assert_non_null(fp = popen(cmd, "r"));
	n = fread(out, 1, sizeof out - 1, fp);
	out[n] = '\0';
	if (pclose(fp) != 0 || n != 0)
		fail_msg("promtool: %s\n%s", out, t);
	unlink(path);
	free(t);
	metrics_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_type),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
