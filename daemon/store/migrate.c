/*
 * migrate.c: the schema, as a list of numbered migrations.
 *
 * Never edit a migration that has shipped: add the next one.  Personal data
 * columns hold ciphertexts (see crypt.h); a person's data key lives alone in
 * person_keys so that erasing the person is deleting one row.
 */
#include <stdio.h>
#include <stdlib.h>

#include "migrate.h"
#include "util.h"

static const char *const migrations[] = {
	/* 1: meta, the directory and its keys. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL"
	");"
	"CREATE TABLE people ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name BLOB,"			/* sealed; NULL once removed */
	"  email BLOB,"			/* sealed */
	"  phone BLOB,"			/* sealed */
	"  commune TEXT,"
	"  org TEXT,"
	"  lang TEXT NOT NULL DEFAULT 'fr',"
	"  pubkey TEXT,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  removed TEXT"		/* when erased; the id stays */
	");"
	"CREATE TABLE person_keys ("
	"  person_id INTEGER PRIMARY KEY REFERENCES people(id),"
	"  wrapped BLOB NOT NULL"
	");"
	"CREATE TABLE person_roles ("
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"
	"  PRIMARY KEY (person_id, role)"
	") WITHOUT ROWID;"
	"CREATE INDEX person_roles_role ON person_roles(role);",

	/* 2: the audit log. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"		/* UTC */
	"  uid INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  object_id INTEGER"
	");",

	/*
	 * 3: the calendar and the outbox.  Events are wall-clock times in their
	 * zone; the scheduler's state is per event: every reminder due up to
	 * planned_until (UTC seconds) has been handled, and next_due is the
	 * earliest one after it (NULL: none left).  An outbox row is one message
	 * to one person on one channel; its key makes enqueueing idempotent.
	 */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  dtstart TEXT NOT NULL,"	/* local, YYYY-MM-DDTHH:MM:SS */
	"  tz TEXT NOT NULL,"
	"  rrule TEXT,"			/* canonical; NULL: one occurrence */
	"  duration INTEGER NOT NULL,"	/* seconds */
	"  location TEXT,"
	"  commune TEXT,"
	"  description TEXT,"
	"  skip_holidays TEXT,"		/* 'BE' or NULL */
	"  channels TEXT NOT NULL,"	/* 'email,sms' */
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  planned_until INTEGER NOT NULL,"
	"  next_due INTEGER"
	");"
	"CREATE INDEX events_next_due ON events(next_due)"
	"  WHERE next_due IS NOT NULL;"
	"CREATE TABLE event_reminders ("
	"  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  offset INTEGER NOT NULL,"	/* seconds before the start */
	"  PRIMARY KEY (event_id, offset)"
	") WITHOUT ROWID;"
	"CREATE TABLE event_exdates ("
	"  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  local TEXT NOT NULL,"
	"  PRIMARY KEY (event_id, local)"
	") WITHOUT ROWID;"
	"CREATE TABLE event_audience ("
	"  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('role', 'person')),"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (event_id, kind, value)"
	") WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"		/* 'reminder', ... */
	"  person_id INTEGER NOT NULL REFERENCES people(id),"
	"  channel TEXT NOT NULL,"	/* 'email', 'sms' */
	"  urgent INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN"
	"    ('pending', 'sent', 'failed', 'cancelled')),"
	"  created TEXT NOT NULL,"	/* UTC */
	"  not_before INTEGER NOT NULL,"	/* UTC seconds */
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  event_id INTEGER,"		/* reminders: the event, */
	"  occurrence INTEGER,"		/* its occurrence (UTC seconds), */
	"  remind_offset INTEGER,"	/* and the offset before it */
	"  payload BLOB"		/* sealed under the person's data key */
	");"
	"CREATE INDEX outbox_status ON outbox(status, not_before);"
	"CREATE INDEX outbox_event ON outbox(event_id) WHERE event_id IS NOT NULL;",

	/*
	 * 4: delivery.  What the channel answered, when it was sent, the last
	 * error of a retried message, and the message a fallback replaces.
	 */
	"ALTER TABLE outbox ADD COLUMN last_error TEXT;"
	"ALTER TABLE outbox ADD COLUMN reply TEXT;"
	"ALTER TABLE outbox ADD COLUMN sent TEXT;"	/* UTC */
	"ALTER TABLE outbox ADD COLUMN fallback_of INTEGER;"
	"ALTER TABLE people ADD COLUMN quiet_hours TEXT;"
	"CREATE INDEX outbox_due ON outbox(status, urgent DESC, not_before, id);",

	/*
	 * 5: the dispatcher reads each channel's pending rows in order from
	 * the index alone, so that skipping the rows it has taken costs no
	 * table lookup and one channel's backlog does not hide the other's.
	 * Only pending rows are in it: a row leaves it when it is sent, and
	 * the index stays the size of the queue, not of the history (status
	 * is a column all the same, or SQLite 3.40 reads the table to check
	 * it).
	 */
	"DROP INDEX outbox_due;"
	"CREATE INDEX outbox_due ON outbox(status, channel, urgent DESC,"
	"  not_before, id) WHERE status = 'pending';"
	/* when `outbox retry` last gave it a new start: max_age counts from
	 * there (UTC seconds), NULL: from created */
	"ALTER TABLE outbox ADD COLUMN retried INTEGER;",

	/*
	 * 6: the shelters.  A shelter's state and its history (every move,
	 * with its cause and actor: the reports are computed from it); its
	 * alerts, with their escalation state (level, repeats, next step) and
	 * who was alerted; the on-call rota.  Times are UTC seconds.  A code is
	 * unique among open alerts only.
	 */
	"CREATE TABLE shelters ("
	"  name TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('occupied', 'vacant', 'reserved', 'unavailable')),"
	"  since INTEGER NOT NULL,"
	"  alert_id INTEGER,"		/* vacant: open; reserved: claimed */
	"  reserved_by INTEGER REFERENCES people(id),"
	"  reserved_until INTEGER"
	");"
	"CREATE TABLE shelter_history ("
	"  id INTEGER PRIMARY KEY,"
	"  shelter TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  from_state TEXT,"		/* NULL: the shelter's first row */
	"  to_state TEXT NOT NULL,"
	"  cause TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"	/* 'uid:0', 'person:12', 'daemon' */
	"  alert_id INTEGER"
	");"
	"CREATE INDEX shelter_history_at ON shelter_history(shelter, at);"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  shelter TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'closed')),"
	"  opened INTEGER NOT NULL,"
	"  level INTEGER NOT NULL DEFAULT 1,"
	"  repeats INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER,"		/* the next escalation step, open only */
	"  exhausted INTEGER NOT NULL DEFAULT 0,"
	"  claimed_by INTEGER REFERENCES people(id),"
	"  claimed_at INTEGER,"
	"  via TEXT,"			/* 'cli', 'sms', 'link', 'web' */
	"  closed_at INTEGER,"
	"  close_cause TEXT"
	");"
	"CREATE UNIQUE INDEX alerts_open_code ON alerts(code)"
	"  WHERE status = 'open';"
	"CREATE INDEX alerts_code ON alerts(code, opened);"
	"CREATE INDEX alerts_next ON alerts(next_at) WHERE status = 'open';"
	"CREATE TABLE alert_recipients ("
	"  alert_id INTEGER NOT NULL REFERENCES alerts(id),"
	"  person_id INTEGER NOT NULL REFERENCES people(id),"
	"  level INTEGER NOT NULL,"
	"  notified INTEGER NOT NULL,"
	"  PRIMARY KEY (alert_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE oncall ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  person_id INTEGER NOT NULL REFERENCES people(id),"
	"  start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL,"	/* excluded */
	"  created TEXT NOT NULL"
	");"
	"CREATE INDEX oncall_start ON oncall(start, end);",

	/*
	 * 7: claims that prove the phone.  Each person alerted gets a code of
	 * their own (the alert's code stays its reference, for the control
	 * socket and the coordinators).  phone_mac is a keyed MAC of the phone
	 * the alert went to, so that an SMS reply finds its recipient without
	 * opening every phone number; bad_tries counts the wrong codes sent
	 * from it (5 lock its replies out for the rest of the alert).
	 */
	"ALTER TABLE alert_recipients ADD COLUMN code TEXT;"
	"ALTER TABLE alert_recipients ADD COLUMN phone_mac BLOB;"
	"ALTER TABLE alert_recipients ADD COLUMN bad_tries INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE INDEX alert_recipients_phone ON alert_recipients(phone_mac)"
	"  WHERE phone_mac IS NOT NULL;"
	"CREATE INDEX alert_recipients_code ON alert_recipients(code)"
	"  WHERE code IS NOT NULL;",

	/*
	 * 8: calendar feeds.  Each person may have one feed token (the
	 * webcal:// address of their events); only a keyed hash of it is kept,
	 * so that the database alone does not open anyone's feed.  Resetting
	 * the token replaces the row: the old address answers 404.
	 */
	"CREATE TABLE person_feeds ("
	"  person_id INTEGER PRIMARY KEY REFERENCES people(id),"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  created TEXT NOT NULL"
	");",

	/*
	 * 9: phone titles.  An event whose title the phone guard refuses is
	 * kept whole for the agenda and the export; phone_title holds the
	 * neutral title ([calendar] phone_title) put in its place where a
	 * phone shows it, NULL when the title itself may go, as judged at
	 * the last write.  Readers judge the title again with the current
	 * word list and setting (calendar.c, dispatch.c).
	 */
	"ALTER TABLE events ADD COLUMN phone_title TEXT;",

	/*
	 * 10: an audit log you can trust.  Each row carries a MAC chained to
	 * the previous row's (audit.c); the actor is a name ("alice",
	 * "uid:1001", "sms:12", "link:12") and uid the caller's, NULL from
	 * outside.  The table is rebuilt for that (uid may now be NULL) and its
	 * ids are never reused.  audit_chain holds the chain's ends, sealed by
	 * a MAC: the last pruned row (where the chain starts) and the last row
	 * written.  Rows written before have no MAC: the first start chains
	 * them (seal NULL until then).
	 */
	"CREATE TABLE audit_v10 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at TEXT NOT NULL,"		/* UTC */
	"  actor TEXT NOT NULL,"
	"  uid INTEGER,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  object_id INTEGER,"
	"  mac BLOB"
	");"
	"INSERT INTO audit_v10 (id, at, actor, uid, action, object, object_id)"
	"  SELECT id, at, 'uid:' || uid, uid, action, object, object_id"
	"  FROM audit ORDER BY id;"
	"DROP TABLE audit;"
	"ALTER TABLE audit_v10 RENAME TO audit;"
	"CREATE TABLE audit_chain ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  pruned_id INTEGER NOT NULL,"	/* 0: nothing pruned */
	"  pruned_mac BLOB,"
	"  tip_id INTEGER NOT NULL,"	/* 0: nothing written */
	"  tip_mac BLOB,"
	"  seal BLOB"
	");"
	"INSERT INTO audit_chain (one, pruned_id, tip_id) VALUES (1, 0, 0);",

	/*
	 * 11: a person's mail key, to encrypt the emails sent to them
	 * (mailcrypt.h).  mail_key is the public material mailcrypt_check()
	 * keeps (a DER certificate or a binary OpenPGP key), sealed under the
	 * person's data key like their address; the rest is clear so that
	 * status can warn of an expiry without opening anything: the kind
	 * ('smime' or 'openpgp'), the end of validity in UTC seconds (NULL:
	 * never) and the fingerprint.  One key per person; erasure empties all
	 * four.
	 */
	"ALTER TABLE people ADD COLUMN mail_key BLOB;"
	"ALTER TABLE people ADD COLUMN mail_key_kind TEXT;"
	"ALTER TABLE people ADD COLUMN mail_key_expires INTEGER;"
	"ALTER TABLE people ADD COLUMN mail_key_fpr TEXT;",

	/*
	 * 12: SMS delivery reports (delivery/dlr.c).  A sent SMS whose gateway
	 * was asked for reports may get one: dlr is then 'delivered' or
	 * 'undelivered' (the handset's answer; status stays 'sent', what the
	 * gateway accepted), at dlr_at (UTC seconds).  dlr_due is set on an
	 * urgent SMS while its report is awaited: when it passes with no
	 * report, the message falls back to email; NULL once settled.
	 */
	"ALTER TABLE outbox ADD COLUMN dlr TEXT CHECK (dlr IN"
	"  ('delivered', 'undelivered'));"
	"ALTER TABLE outbox ADD COLUMN dlr_at INTEGER;"
	"ALTER TABLE outbox ADD COLUMN dlr_due INTEGER;"
	"CREATE INDEX outbox_dlr_due ON outbox(dlr_due)"
	"  WHERE dlr_due IS NOT NULL;",

	/*
	 * 13: the dead-man's switch (shelter/alarm.c).  One row per alarm: a
	 * condition (kind) on a subject ('email', 'sms', an alert's id, ''
	 * for the urgent queue) that began at since and was raised at raised
	 * (UTC seconds), with count failures seen.  notified is when its
	 * messages were queued, NULL when they were held back (an alarm of
	 * the same kind and subject was sent less than [alarm] repeat ago);
	 * cleared is when the condition ended, NULL while it holds: at most
	 * one open alarm per kind and subject.
	 */
	"CREATE TABLE alarms ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('channel', 'urgent_age', 'no_report', 'exhausted')),"
	"  subject TEXT NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  raised INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  notified INTEGER,"
	"  cleared INTEGER"
	");"
	"CREATE UNIQUE INDEX alarms_open ON alarms(kind, subject)"
	"  WHERE cleared IS NULL;"
	"CREATE INDEX alarms_notified ON alarms(kind, subject, notified);",

	/*
	 * 14: the web console's accounts (webuser.c).  name is the login,
	 * folded to lower case; hash is crypto_pwhash_str's Argon2id string,
	 * never the password; person is the directory's id the account acts
	 * as (NULL: none; an oncall account always has one).  People are
	 * erased, not deleted: the trigger empties person when a person's
	 * removed is set, so that no account keeps the id of someone erased,
	 * and an oncall account, which acts as its person, becomes a viewer.
	 */
	"CREATE TABLE web_users ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN"
	"    ('viewer', 'oncall', 'coordinator')),"
	"  person INTEGER REFERENCES people(id),"
	"  lang TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  created TEXT NOT NULL,"	/* UTC */
	"  last_login TEXT"		/* UTC; NULL: never */
	");"
	"CREATE TRIGGER web_users_person_erased"
	"  AFTER UPDATE OF removed ON people WHEN NEW.removed IS NOT NULL"
	"  BEGIN UPDATE web_users SET person = NULL, role = CASE role"
	"    WHEN 'oncall' THEN 'viewer' ELSE role END"
	"  WHERE person = NEW.id; END;",
};
#define NMIGRATIONS	((int)(sizeof migrations / sizeof migrations[0]))

int
migrate_latest(void)
{
	return NMIGRATIONS;
}

/* Read PRAGMA user_version; -1 on error. */
static int
migrate_version(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Run migration n (1-based) and set the version, in one transaction. */
static int
migrate_one(sqlite3 *db, int n, char **cause)
{
	char	*sql, *err = NULL;

	xasprintf(&sql, "BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
	    migrations[n - 1], n);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		util_cause(cause, "schema migration %d failed: %s", n,
		    err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		free(sql);
		return -1;
	}
	free(sql);
	return 0;
}

int
migrate_run(sqlite3 *db, int target, char **cause)
{
	int	 v;

	if ((v = migrate_version(db)) == -1) {
		util_cause(cause, "cannot read the schema version: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (v > NMIGRATIONS) {
		util_cause(cause, "the database has schema version %d, newer "
		    "than this program's %d: install a newer stoppvif", v,
		    NMIGRATIONS);
		return -1;
	}
	if (target > NMIGRATIONS)
		target = NMIGRATIONS;
	for (v = v + 1; v <= target; v++)
		if (migrate_one(db, v, cause) == -1)
			return -1;
	return 0;
}
