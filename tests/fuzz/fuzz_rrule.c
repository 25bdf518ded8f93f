/*
 * fuzz_rrule.c: recurrence rules on arbitrary text.  The first line is the
 * rule, an optional second line the DTSTART ("2026-01-07T14:00:00" when
 * absent or invalid), in Europe/Brussels.  An accepted rule formats to a
 * canonical text that parses to the same rule; up to 50 occurrences come
 * in increasing order with consistent offsets; seeking to any of them
 * gives what iterating gave.  Nothing may crash or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "tz.h"
#include "util.h"

#define FUZZ_OCC	50

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Iterate, then seek to each occurrence (and just past it) and compare. */
static void
fuzz_iterate(const struct recur_rule *r, const struct recur_civil *dt,
    const struct tz *z)
{
	struct recur_occ	 occ[FUZZ_OCC], o;
	struct recur_iter	*it = recur_iter_new(r, dt, z);
	char			 buf[RECUR_FMT_LEN];
	size_t			 n, i;

	for (n = 0; n < FUZZ_OCC && recur_iter_next(it, &occ[n]) == 1; n++) {
		if ((n > 0 && occ[n].utc <= occ[n - 1].utc) ||
		    occ[n].local != occ[n].utc + occ[n].offset ||
		    strlen(recur_format(&occ[n], buf, sizeof buf)) < 25)
			abort();
	}
	for (i = 0; i < n; i += 1 + n / 8) {
		recur_iter_seek(it, occ[i].utc);
		if (recur_iter_next(it, &o) != 1 || o.utc != occ[i].utc)
			abort();
		recur_iter_seek(it, occ[i].utc + 1);
		if (i + 1 < n && (recur_iter_next(it, &o) != 1 ||
		    o.utc != occ[i + 1].utc))
			abort();
	}
	recur_iter_free(it);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz	*z;
	struct recur_civil	 dt = { 2026, 1, 7, 14, 0, 0 };
	struct recur_rule	*r, *back;
	char			*s, *nl, *cause = NULL, *f1, *f2;

	if (size > 512)
		return 0;
	if (z == NULL && (z = tz_load("Europe/Brussels", NULL)) == NULL)
		abort();
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl++ = '\0';
		nl[strcspn(nl, "\r\n")] = '\0';
		if (recur_civil_parse(nl, &dt, NULL) == -1)
			dt = (struct recur_civil){ 2026, 1, 7, 14, 0, 0 };
	}
	if ((r = recur_rule_parse(s, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		free(s);
		return 0;
	}
	f1 = recur_rule_format(r);
	if ((back = recur_rule_parse(f1, NULL)) == NULL)
		abort();
	f2 = recur_rule_format(back);
	if (strcmp(f1, f2) != 0 ||
	    recur_rule_finite(r) != recur_rule_finite(back))
		abort();
	fuzz_iterate(r, &dt, z);
	free(f1);
	free(f2);
	recur_rule_free(back);
	recur_rule_free(r);
	free(s);
	return 0;
}
