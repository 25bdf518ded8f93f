/*
 * shelter_metrics.c: what the shelters tell the metrics at a scrape
 * (shelter.h); the claim durations and escalations are counted where they
 * happen (alert.c).
 */
#include <sqlite3.h>

#include "metrics.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"

void
shelter_scrape(struct shelters *s)
{
	static const char *const sql = "SELECT count(*) FROM alerts"
	    " WHERE status = '" ALERT_OPEN "'";
	sqlite3_stmt	*stmt;
	double		 n = 0;

	if (s != NULL) {
		stmt = store_stmt(s->store, sql);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = (double)sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
	}
	metrics_set(M_ALERTS_OPEN, n, NULL, NULL);
}
