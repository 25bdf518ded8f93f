/*
 * chanstat.c: the channels' counts and health (chanstat.h).
 *
 * The observer runs after each committed flush of the dispatcher and for
 * each delivery report: it only counts and copies, and never touches the
 * database.  The scrape's queries read the outbox through its indexes
 * (outbox_due starts with status and channel).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chan.h"
#include "chanstat.h"
#include "metrics.h"
#include "observe.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

#define CHANSTAT_REASON	200	/* characters of a reason kept */

static struct chanstat {
	int64_t		 ok_at;		/* 0: none known */
	int64_t		 err_at;
	char		*err;
} chans[CHAN_COUNT];

/* Whether word (n bytes) may name someone: an address, or a number of six
 * digits or more (a phone). */
static int
chanstat_personal(const char *word, size_t n)
{
	size_t	 i, digits = 0;

	for (i = 0; i < n; i++) {
		if (word[i] == '@')
			return 1;
		digits += isdigit((unsigned char)word[i]) != 0;
	}
	return digits >= 6;
}

/*
 * Mask in place, as "…", each run of digits separated by single blanks
 * that holds six digits or more: a phone number written "0470 12 34 56" or
 * "+32 470 12 34 56".  "550 5.1.1" stays.
 */
static void
chanstat_mask_numbers(char *s)
{
	char	*p = s, *q, *end;
	size_t	 digits;

	while (*p != '\0') {
		if ((*p != '+' && !isdigit((unsigned char)*p)) ||
		    (p > s && isalnum((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		digits = 0;
		for (q = p + (*p == '+'); *q != '\0'; q++) {
			if (isdigit((unsigned char)*q))
				digits++;
			else if (*q != ' ' || !isdigit((unsigned char)q[1]))
				break;
		}
		end = q;
		if (digits < 6) {
			p = end > p ? end : p + 1;
			continue;
		}
		memcpy(p, "…", strlen("…"));
		memmove(p + strlen("…"), end, strlen(end) + 1);
		p += strlen("…");
	}
}

/*
 * The reason to keep from a channel's error text: valid UTF-8, a word that
 * may name someone masked as "…", cut at CHANSTAT_REASON characters.  A
 * plugin's error should name nobody; this makes sure status never shows
 * an address a remote server put in its answer.
 */
static char *
chanstat_reason(const char *text)
{
	char		*clean, *out, *cut;
	const char	*p, *w;
	size_t		 n, o = 0;

	clean = utf8_sanitize(text);
	out = xcalloc(1, strlen(clean) * 3 + 1);
	for (p = clean; *p != '\0';) {
		if (isspace((unsigned char)*p)) {
			out[o++] = isprint((unsigned char)*p) ? *p : ' ';
			p++;
			continue;
		}
		for (w = p; *p != '\0' && !isspace((unsigned char)*p); p++)
			;
		n = (size_t)(p - w);
		if (chanstat_personal(w, n)) {
			memcpy(out + o, "…", strlen("…"));
			o += strlen("…");
		} else {
			memcpy(out + o, w, n);
			o += n;
		}
	}
	out[o] = '\0';
	free(clean);
	chanstat_mask_numbers(out);
	cut = xstrdup(UTF8_CUT(out, CHANSTAT_REASON));
	free(out);
	return cut;
}

/* Keep c's last error: at when, for text (NULL: the outcome's name). */
static void
chanstat_error(struct chanstat *c, const struct obs *o)
{
	free(c->err);
	c->err = chanstat_reason(o->error != NULL ? o->error :
	    observe_name(o->kind));
	c->err_at = o->when;
}

/* The observer: count every outcome, keep the channel's last ones. */
static void
chanstat_observe(void *arg, const struct obs *o)
{
	struct chanstat	*c;

	if (o->chan < 0 || o->chan >= CHAN_COUNT)
		return;
	c = &chans[o->chan];
	metrics_add(M_MESSAGES, 1, chan_name(o->chan), observe_name(o->kind));
	switch (o->kind) {
	case OBS_SENT:
	case OBS_DELIVERED:
		if (o->when > c->ok_at)
			c->ok_at = o->when;
		break;
	case OBS_RETRY:
	case OBS_FAILED:
	case OBS_UNDELIVERED:
	case OBS_NO_REPORT:
		chanstat_error(c, o);
		break;
	default:
		break;
	}
}

/* The newest sent row of each channel: its last success before this run. */
static void
chanstat_seed(struct store *st)
{
	static const char *const sql = "SELECT CAST(strftime('%s',"
	    " max(sent)) AS INTEGER) FROM outbox WHERE status = 'sent'"
	    " AND channel = ?1";
	sqlite3_stmt	*stmt;
	int		 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		stmt = store_stmt(st, sql);
		sqlite3_bind_text(stmt, 1, chan_name(c), -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
			chans[c].ok_at = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
	}
}

void
chanstat_start(struct store *st)
{
	int	 c, k;

	chanstat_stop();
	/* every series from the start: a rate needs its zero */
	for (c = 0; c < CHAN_COUNT; c++)
		for (k = 0; k < OBS_COUNT; k++)
			metrics_add(M_MESSAGES, 0, chan_name(c),
			    observe_name(k));
	chanstat_seed(st);
	observe_add(chanstat_observe, NULL);
}

void
chanstat_stop(void)
{
	int	 c;

	observe_remove(chanstat_observe, NULL);
	for (c = 0; c < CHAN_COUNT; c++) {
		free(chans[c].err);
		memset(&chans[c], 0, sizeof chans[c]);
	}
}

/* The age of the oldest pending message (urgent ones only: urgent), from
 * when it fell due when untried, from its creation once tried. */
static void
chanstat_oldest(struct store *st, int id, int urgent, int64_t now)
{
	static const char *const sql = "SELECT min(CASE WHEN attempts = 0"
	    " THEN not_before ELSE CAST(strftime('%s', created) AS INTEGER)"
	    " END) FROM outbox WHERE status = 'pending' AND urgent >= ?1"
	    " AND (attempts > 0 OR not_before <= ?2)";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 since = now;

	sqlite3_bind_int(stmt, 1, urgent);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		since = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	metrics_set(id, since < now ? (double)(now - since) : 0, NULL, NULL);
}

void
chanstat_scrape(struct store *st)
{
	static const char *const sql = "SELECT channel, status, count(*)"
	    " FROM outbox GROUP BY status, channel";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 now = util_now();

	metrics_clear(M_OUTBOX);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		/* a channel name is one of chan.h's: never someone's */
		if (chan_parse((const char *)sqlite3_column_text(stmt, 0)) == -1)
			continue;
		metrics_set(M_OUTBOX, (double)sqlite3_column_int64(stmt, 2),
		    (const char *)sqlite3_column_text(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 1));
	}
	sqlite3_reset(stmt);
	chanstat_oldest(st, M_OLDEST_PENDING, 0, now);
	chanstat_oldest(st, M_OLDEST_URGENT, 1, now);
}

/* A time for JSON: UTC text, or null when unknown. */
static json_t *
chanstat_time(int64_t t)
{
	char	 buf[32];

	return t > 0 ? json_string(util_utc_format(t, buf, sizeof buf)) :
	    json_null();
}

json_t *
chanstat_json(void)
{
	json_t	*o = json_object(), *err;
	int	 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		err = chans[c].err_at > 0 ? json_pack("{so ss}", "at",
		    chanstat_time(chans[c].err_at), "reason", chans[c].err) :
		    json_null();
		json_object_set_new(o, chan_name(c), json_pack("{so so}",
		    "last_success", chanstat_time(chans[c].ok_at),
		    "last_error", err));
	}
	return o;
}
