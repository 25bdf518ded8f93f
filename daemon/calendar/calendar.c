/*
 * calendar.c: events.
 *
 * Each request field is described once, in efields[]: its JSON name and its
 * parser, which validates and normalises the value into a struct evdef.
 * Adding an event is validating a whole definition and writing it; editing
 * is overlaying the request on the stored definition and doing the same, so
 * that the two can never disagree about what a valid event is.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "audience.h"
#include "calendar.h"
#include "duration.h"
#include "guard.h"
#include "holiday.h"
#include "ics.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "store.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"

const char *const calendar_kinds[] = {
	"platform", "training", "cabane", "awareness", "other", NULL
};

#define CAL_MAX_EXDATES		1000
#define CAL_MAX_AUDIENCE	200
#define CAL_HORIZON		(10 * 366 * 86400LL)	/* "next 10 years" */
#define CAL_MAX_DURATION	(31 * 86400LL)
#define CAL_MAX_OFFSET		(366 * 86400LL)

/* A validated event definition. */
struct evdef {
	char		*uid, *title, *kind, *dtstart, *tz, *rrule;
	char		*location, *commune, *description, *skip;
	int64_t		 duration;
	int64_t		 offsets[CAL_MAX_REMIND];
	size_t		 noffsets;
	char		**exdates;
	size_t		 nexdates;
	char		**audience;	/* "role:R" / "person:ID" */
	size_t		 naudience;
	unsigned	 channels;
};

typedef int (*efield_parse)(struct calendar *, struct evdef *, json_t *,
    struct error *);

struct efield {
	const char	*name;
	efield_parse	 parse;		/* v is NULL when absent */
};

static int	ef_uid(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_title(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_kind(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_dtstart(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_tz(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_rrule(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_duration(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_location(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_commune(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_description(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_remind(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_audience(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_channels(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_skip(struct calendar *, struct evdef *, json_t *,
		    struct error *);
static int	ef_exdates(struct calendar *, struct evdef *, json_t *,
		    struct error *);

/* In dependency order: tz before dtstart and rrule, which need it. */
static const struct efield efields[] = {
	{ "uid", ef_uid },
	{ "title", ef_title },
	{ "kind", ef_kind },
	{ "tz", ef_tz },
	{ "dtstart", ef_dtstart },
	{ "rrule", ef_rrule },
	{ "duration", ef_duration },
	{ "location", ef_location },
	{ "commune", ef_commune },
	{ "description", ef_description },
	{ "remind", ef_remind },
	{ "audience", ef_audience },
	{ "channels", ef_channels },
	{ "skip_holidays", ef_skip },
	{ "exdates", ef_exdates },
};
#define NEFIELDS	(sizeof efields / sizeof efields[0])

/* Fields of `events show` that a request may carry back but not set. */
static const char *const ereadonly[] = {
	"id", "created", "updated", "next", NULL
};

static void
evdef_free(struct evdef *d)
{
	size_t	 i;

	free(d->uid);
	free(d->title);
	free(d->kind);
	free(d->dtstart);
	free(d->tz);
	free(d->rrule);
	free(d->location);
	free(d->commune);
	free(d->description);
	free(d->skip);
	for (i = 0; i < d->nexdates; i++)
		free(d->exdates[i]);
	free(d->exdates);
	for (i = 0; i < d->naudience; i++)
		free(d->audience[i]);
	free(d->audience);
	memset(d, 0, sizeof *d);
}

/* Check free text: no control characters (but newlines where allowed). */
static int
cal_text_ok(const char *field, const char *s, size_t max, int newlines,
    struct error *err)
{
	char	*cause = NULL;

	/* invalid UTF-8, controls, invisible and direction characters */
	if (guard_input_check(s, newlines, &cause) == -1) {
		error_set(err, ERR_INVALID, field, "%s", cause);
		free(cause);
		return -1;
	}
	if (utf8_len(s) > max) {
		error_set(err, ERR_INVALID, field, "trop long : %zu "
		    "caractères au plus", max);
		return -1;
	}
	/* Titles go into SMS and subjects, places and descriptions into
	 * emails: phones others may read. */
	if (guard_phone_check(s, &cause) == -1) {
		error_set(err, ERR_INVALID, field, "%s : ce texte part "
		    "dans les SMS et les e-mails, lus sur des téléphones que "
		    "d'autres peuvent voir ; choisissez-en un plus discret (par "
		    "ex. « Plateforme », « La Cabane »)", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* A string field: *out is a copy, or NULL for absent, null or "". */
static int
cal_string(const char *field, json_t *v, char **out, struct error *err)
{
	free(*out);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		error_set(err, ERR_INVALID, field, "doit être une "
		    "chaîne de caractères");
		return -1;
	}
	if (*json_string_value(v) != '\0')
		*out = xstrdup(json_string_value(v));
	return 0;
}

/* The items of a list given as a JSON array of strings or one string of
 * comma-separated items; a new NULL-terminated array of strings. */
static char **
cal_list(const char *field, json_t *v, size_t max, size_t *n,
    struct error *err)
{
	char	**items = NULL, *copy, *tok, *save = NULL;
	json_t	*item;
	size_t	 i;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return xcalloc(1, sizeof *items);
	if (json_is_string(v)) {
		/* stop one past max: a long list is refused, not copied */
		copy = xstrdup(json_string_value(v));
		for (tok = strtok_r(copy, ", ", &save); tok != NULL &&
		    *n <= max; tok = strtok_r(NULL, ", ", &save)) {
			items = xreallocarray(items, *n + 2, sizeof *items);
			items[(*n)++] = xstrdup(tok);
		}
		free(copy);
	} else if (json_is_array(v) && json_array_size(v) > max) {
		goto toolong;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) && !json_is_integer(item))
				goto bad;
			items = xreallocarray(items, *n + 2, sizeof *items);
			if (json_is_string(item))
				items[(*n)++] = xstrdup(json_string_value(item));
			else
				xasprintf(&items[(*n)++], "%llds", (long long)
				    json_integer_value(item));
		}
	} else
		goto bad;
	if (items == NULL)
		items = xcalloc(1, sizeof *items);
	items[*n] = NULL;
	if (*n > max)
		goto toolong;
	return items;
toolong:
	error_set(err, ERR_INVALID, field, "%zu éléments au plus",
	    max);
	goto fail;
bad:
	error_set(err, ERR_INVALID, field, "liste attendue (tableau "
	    "de chaînes, ou chaîne séparée par des virgules)");
fail:
	for (i = 0; i < *n; i++)
		free(items[i]);
	free(items);
	*n = 0;
	return NULL;
}

static void
cal_list_free(char **items, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static int
ef_uid(struct calendar *cal, struct evdef *d, json_t *v, struct error *err)
{
	const char	*p;
	uint8_t		 rnd[12];
	char		 hex[25];

	if (cal_string("uid", v, &d->uid, err) == -1)
		return -1;
	if (d->uid == NULL) {
		randombytes_buf(rnd, sizeof rnd);
		sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
		xasprintf(&d->uid, "%s@stoppvif", hex);
		return 0;
	}
	for (p = d->uid; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			break;
	if (*p != '\0' || strlen(d->uid) > 255) {
		error_set(err, ERR_INVALID, "uid", "identifiant "
		    "invalide : 255 caractères visibles au plus, sans espace");
		return -1;
	}
	return 0;
}

static int
ef_title(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	if (cal_string("title", v, &d->title, err) == -1)
		return -1;
	if (d->title == NULL) {
		error_set(err, ERR_INVALID, "title", "obligatoire");
		return -1;
	}
	return cal_text_ok("title", d->title, 200, 0, err);
}

static int
ef_kind(struct calendar *cal, struct evdef *d, json_t *v, struct error *err)
{
	size_t	 i;

	if (cal_string("kind", v, &d->kind, err) == -1)
		return -1;
	if (d->kind == NULL)
		d->kind = xstrdup("other");
	for (i = 0; calendar_kinds[i] != NULL; i++)
		if (strcmp(calendar_kinds[i], d->kind) == 0)
			return 0;
	error_set(err, ERR_INVALID, "kind", "type inconnu « %s » : "
	    "platform, training, cabane, awareness ou other",
	    UTF8_CUT(d->kind, 32));
	return -1;
}

static int
ef_tz(struct calendar *cal, struct evdef *d, json_t *v, struct error *err)
{
	char	*cause = NULL;

	if (cal_string("tz", v, &d->tz, err) == -1)
		return -1;
	if (d->tz == NULL)
		d->tz = xstrdup(cal->default_tz);
	if (calendar_zone(d->tz, &cause) == NULL) {
		error_set(err, ERR_INVALID, "tz", "fuseau horaire "
		    "inconnu « %s » (par ex. Europe/Brussels)",
		    UTF8_CUT(d->tz, 64));
		free(cause);
		return -1;
	}
	return 0;
}

/* Normalise a local date-time to "YYYY-MM-DDTHH:MM:SS". */
static char *
cal_local(const char *field, const char *s, struct error *err)
{
	struct recur_civil	 c;
	char			*cause = NULL, *out;

	if (recur_civil_parse(s, &c, &cause) == -1) {
		error_set(err, ERR_INVALID, field, "%s, heure locale",
		    cause);
		free(cause);
		return NULL;
	}
	xasprintf(&out, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month,
	    c.day, c.hour, c.minute, c.second);
	return out;
}

static int
ef_dtstart(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	char	*s = NULL;

	if (cal_string("dtstart", v, &s, err) == -1)
		return -1;
	if (s == NULL) {
		error_set(err, ERR_INVALID, "dtstart", "obligatoire "
		    "(AAAA-MM-JJTHH:MM:SS, heure locale)");
		return -1;
	}
	free(d->dtstart);
	d->dtstart = cal_local("dtstart", s, err);
	free(s);
	return d->dtstart == NULL ? -1 : 0;
}

/* Whether the definition has an occurrence in the next 10 years. */
static int
cal_has_future(const struct evdef *d, const struct recur_rule *rule)
{
	struct recur_civil	 c;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	const struct tz		*zone;
	int64_t			 now = util_now();
	int			 ok;

	if ((zone = calendar_zone(d->tz, NULL)) == NULL ||
	    recur_civil_parse(d->dtstart, &c, NULL) == -1)
		return 0;
	it = recur_iter_new(rule, &c, zone);
	recur_iter_seek(it, now);
	ok = recur_iter_next(it, &occ) == 1 && occ.utc < now + CAL_HORIZON;
	recur_iter_free(it);
	return ok;
}

static int
ef_rrule(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	struct recur_rule	*rule;
	char			*s = NULL, *cause = NULL;

	if (cal_string("rrule", v, &s, err) == -1)
		return -1;
	free(d->rrule);
	d->rrule = NULL;
	if (s == NULL)
		return 0;
	if ((rule = recur_rule_parse(s, &cause)) == NULL) {
		error_set(err, ERR_INVALID, "rrule", "%s", cause);
		free(cause);
		free(s);
		return -1;
	}
	free(s);
	d->rrule = recur_rule_format(rule);
	if (cal->check_future && !cal_has_future(d, rule)) {
		recur_rule_free(rule);
		error_set(err, ERR_INVALID, "rrule", "cette règle ne "
		    "produit aucune occurrence dans les 10 prochaines années");
		return -1;
	}
	recur_rule_free(rule);
	return 0;
}

/* A duration given as "2h" or as seconds; *secs. */
static int
cal_duration(const char *field, json_t *v, int64_t *secs,
    struct error *err)
{
	char	*cause = NULL;

	if (json_is_integer(v)) {
		*secs = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v) || duration_parse(json_string_value(v), secs,
	    &cause) == -1) {
		error_set(err, ERR_INVALID, field, "%s", cause ? cause :
		    "durée attendue (par ex. 90s, 30m, 2h, 7d, 1d12h)");
		free(cause);
		return -1;
	}
	return 0;
}

static int
ef_duration(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	if (v == NULL || json_is_null(v)) {
		d->duration = 3600;
		return 0;
	}
	if (cal_duration("duration", v, &d->duration, err) == -1)
		return -1;
	if (d->duration < 0 || d->duration > CAL_MAX_DURATION) {
		error_set(err, ERR_INVALID, "duration", "entre 0s et "
		    "31d");
		return -1;
	}
	return 0;
}

/* An optional free-text field of at most max characters into *out. */
static int
ef_text(const char *field, json_t *v, char **out, size_t max, int newlines,
    struct error *err)
{
	if (cal_string(field, v, out, err) == -1)
		return -1;
	return *out == NULL ? 0 : cal_text_ok(field, *out, max, newlines, err);
}

static int
ef_location(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("location", v, &d->location, 200, 0, err);
}

static int
ef_commune(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("commune", v, &d->commune, 64, 0, err);
}

static int
ef_description(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("description", v, &d->description, 4000, 1, err);
}

/* Sort offsets descending, the earliest reminder first. */
static int
cal_offset_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int
ef_remind(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	char	**items, *cause = NULL;
	size_t	  n, i, j;
	int64_t	  off;

	if ((items = cal_list("remind", v, CAL_MAX_REMIND, &n, err)) == NULL)
		return -1;
	d->noffsets = 0;
	for (i = 0; i < n; i++) {
		if (duration_parse(items[i], &off, &cause) == -1 ||
		    off < 1 || off > CAL_MAX_OFFSET) {
			error_set(err, ERR_INVALID, "remind", "« %s » "
			    ": %s", UTF8_CUT(items[i], 16), cause ? cause :
			    "un rappel vient de 1s à 366d avant le début");
			free(cause);
			cal_list_free(items, n);
			return -1;
		}
		for (j = 0; j < d->noffsets; j++)
			if (d->offsets[j] == off)
				break;
		if (j == d->noffsets)
			d->offsets[d->noffsets++] = off;
	}
	cal_list_free(items, n);
	qsort(d->offsets, d->noffsets, sizeof d->offsets[0], cal_offset_cmp);
	return 0;
}

/* Check one audience item and normalise it. */
static int
cal_audience_item(struct calendar *cal, const char *item, char **out,
    struct error *err)
{
	int64_t	 id;

	if (strncmp(item, "role:", 5) == 0 && (audience_role(item + 5) >= 0)) {
		*out = xstrdup(item);
		return 0;
	}
	if (strncmp(item, "person:", 7) == 0) {
		if (util_parse_int(item + 7, 1, INT64_MAX, &id) == -1 ||
		    !people_exists(cal->store, id)) {
			error_set(err, ERR_INVALID, "audience",
			    "« %s » : aucune personne n'a ce numéro",
			    UTF8_CUT(item, 32));
			return -1;
		}
		xasprintf(out, "person:%lld", (long long)id);
		return 0;
	}
	error_set(err, ERR_INVALID, "audience", "« %s » : attendu "
	    "role:R (referent, platform, oncall, coordinator, animator, "
	    "partner) ou person:ID", UTF8_CUT(item, 32));
	return -1;
}

static int
ef_audience(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	char	**items;
	size_t	  n, i, j;

	if ((items = cal_list("audience", v, CAL_MAX_AUDIENCE, &n, err)) ==
	    NULL)
		return -1;
	cal_list_free(d->audience, d->naudience);
	d->audience = xcalloc(n + 1, sizeof *d->audience);
	d->naudience = 0;
	for (i = 0; i < n; i++) {
		char	*norm;

		if (cal_audience_item(cal, items[i], &norm, err) == -1) {
			cal_list_free(items, n);
			return -1;
		}
		for (j = 0; j < d->naudience; j++)
			if (strcmp(d->audience[j], norm) == 0)
				break;
		if (j < d->naudience)
			free(norm);
		else
			d->audience[d->naudience++] = norm;
	}
	cal_list_free(items, n);
	return 0;
}

static int
ef_channels(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	char	**items;
	size_t	  n, i;

	if ((items = cal_list("channels", v, 2, &n, err)) == NULL)
		return -1;
	d->channels = n == 0 ? CAL_CH_EMAIL : 0;
	for (i = 0; i < n; i++) {
		if (strcmp(items[i], "email") == 0)
			d->channels |= CAL_CH_EMAIL;
		else if (strcmp(items[i], "sms") == 0)
			d->channels |= CAL_CH_SMS;
		else {
			error_set(err, ERR_INVALID, "channels", "canal "
			    "inconnu « %s » : email ou sms",
			    UTF8_CUT(items[i], 16));
			cal_list_free(items, n);
			return -1;
		}
	}
	cal_list_free(items, n);
	return 0;
}

static int
ef_skip(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	if (json_is_false(v))
		v = NULL;
	if (json_is_true(v)) {
		free(d->skip);
		d->skip = xstrdup("BE");
		return 0;
	}
	if (cal_string("skip_holidays", v, &d->skip, err) == -1)
		return -1;
	if (d->skip != NULL && strcasecmp(d->skip, "BE") == 0)
		memcpy(d->skip, "BE", 2);
	if (d->skip != NULL && strcmp(d->skip, "BE") != 0) {
		error_set(err, ERR_INVALID, "skip_holidays", "seul le "
		    "calendrier BE (jours fériés belges) est connu");
		return -1;
	}
	return 0;
}

static int
ef_exdates(struct calendar *cal, struct evdef *d, json_t *v,
    struct error *err)
{
	char	**items;
	size_t	  n, i;

	if ((items = cal_list("exdates", v, CAL_MAX_EXDATES, &n, err)) == NULL)
		return -1;
	cal_list_free(d->exdates, d->nexdates);
	d->exdates = xcalloc(n + 1, sizeof *d->exdates);
	d->nexdates = 0;
	for (i = 0; i < n; i++) {
		if ((d->exdates[i] = cal_local("exdates", items[i], err)) ==
		    NULL) {
			cal_list_free(items, n);
			return -1;
		}
		d->nexdates++;
	}
	cal_list_free(items, n);
	return 0;
}

/* Validate a whole definition from req (every field, absent ones take
 * their defaults). */
static int
evdef_parse(struct calendar *cal, json_t *req, struct evdef *d,
    struct error *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	memset(d, 0, sizeof *d);
	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	json_object_foreach(req, key, v) {
		for (i = 0; i < NEFIELDS; i++)
			if (strcmp(efields[i].name, key) == 0)
				break;
		if (i < NEFIELDS)
			continue;
		for (i = 0; ereadonly[i] != NULL; i++)
			if (strcmp(ereadonly[i], key) == 0)
				break;
		if (ereadonly[i] == NULL) {
			error_set(err, ERR_INVALID, UTF8_CUT(key, 32),
			    "champ inconnu « %s »", UTF8_CUT(key, 32));
			return -1;
		}
	}
	for (i = 0; i < NEFIELDS; i++) {
		if (efields[i].parse(cal, d, json_object_get(req,
		    efields[i].name), err) == -1)
			return -1;
	}
	if (d->noffsets > 0 && d->naudience == 0) {
		error_set(err, ERR_INVALID, "audience", "des rappels "
		    "sont demandés mais personne n'est à prévenir : donnez par "
		    "ex. role:referent ou person:ID");
		return -1;
	}
	return 0;
}

/* Bind a nullable text. */
static void
cal_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

/* The channels mask as "email,sms". */
static const char *
cal_channels_text(unsigned ch)
{
	if (ch == (CAL_CH_EMAIL | CAL_CH_SMS))
		return "email,sms";
	return ch == CAL_CH_SMS ? "sms" : "email";
}

/* Replace the reminders, exdates and audience rows of event id. */
static int
evdef_write_children(struct store *st, int64_t id, const struct evdef *d,
    char **cause)
{
	static const char *const del[] = {
		"DELETE FROM event_reminders WHERE event_id = ?",
		"DELETE FROM event_exdates WHERE event_id = ?",
		"DELETE FROM event_audience WHERE event_id = ?",
	};
	static const char *const insr = "INSERT INTO event_reminders"
	    " (event_id, offset) VALUES (?, ?)";
	static const char *const insx = "INSERT INTO event_exdates"
	    " (event_id, local) VALUES (?, ?)";
	static const char *const insa = "INSERT INTO event_audience"
	    " (event_id, kind, value) VALUES (?, ?, ?)";
	sqlite3_stmt	*stmt;
	const char	*colon;
	size_t		 i;

	for (i = 0; i < sizeof del / sizeof del[0]; i++) {
		stmt = store_stmt(st, del[i]);
		sqlite3_bind_int64(stmt, 1, id);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	for (i = 0; i < d->noffsets; i++) {
		stmt = store_stmt(st, insr);
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, d->offsets[i]);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	for (i = 0; i < d->nexdates; i++) {
		stmt = store_stmt(st, insx);
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, d->exdates[i], -1, SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	for (i = 0; i < d->naudience; i++) {
		colon = strchr(d->audience[i], ':');
		stmt = store_stmt(st, insa);
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, d->audience[i],
		    (int)(colon - d->audience[i]), SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, colon + 1, -1, SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	return 0;
}

/* Bind the definition's columns 2..13 of an insert or update. */
static void
evdef_bind(sqlite3_stmt *stmt, const struct evdef *d, const char *now)
{
	cal_bind_text(stmt, 2, d->uid);
	cal_bind_text(stmt, 3, d->title);
	cal_bind_text(stmt, 4, d->kind);
	cal_bind_text(stmt, 5, d->dtstart);
	cal_bind_text(stmt, 6, d->tz);
	cal_bind_text(stmt, 7, d->rrule);
	sqlite3_bind_int64(stmt, 8, d->duration);
	cal_bind_text(stmt, 9, d->location);
	cal_bind_text(stmt, 10, d->commune);
	cal_bind_text(stmt, 11, d->description);
	cal_bind_text(stmt, 12, d->skip);
	sqlite3_bind_text(stmt, 13, cal_channels_text(d->channels), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 14, now, -1, SQLITE_TRANSIENT);
}

/* Insert (id 0) or update event id from d. */
static int
evdef_write(struct calendar *cal, int64_t *id, const struct evdef *d,
    struct error *err)
{
	static const char *const ins = "INSERT INTO events (id, uid, title,"
	    " kind, dtstart, tz, rrule, duration, location, commune,"
	    " description, skip_holidays, channels, created, updated,"
	    " planned_until) VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12, ?13, ?14, ?14, ?15)";
	static const char *const upd = "UPDATE events SET uid = ?2,"
	    " title = ?3, kind = ?4, dtstart = ?5, tz = ?6, rrule = ?7,"
	    " duration = ?8, location = ?9, commune = ?10, description = ?11,"
	    " skip_holidays = ?12, channels = ?13, updated = ?14 WHERE id = ?1";
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;

	stmt = store_stmt(cal->store, *id == 0 ? ins : upd);
	if (*id != 0)
		sqlite3_bind_int64(stmt, 1, *id);
	else
		sqlite3_bind_int64(stmt, 15, util_now());
	evdef_bind(stmt, d, util_utc_now(now, sizeof now));
	if (store_exec_stmt(cal->store, stmt, &cause) == -1)
		goto fail;
	if (*id == 0)
		*id = store_last_id(cal->store);
	if (evdef_write_children(cal->store, *id, d, &cause) == 0)
		return 0;
fail:
	if (strstr(cause, "UNIQUE") != NULL)
		error_set(err, ERR_CONFLICT, "uid", "un autre événement a "
		    "déjà l'identifiant « %s »", UTF8_CUT(d->uid, 64));
	else
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
	free(cause);
	return -1;
}

int
calendar_add(struct calendar *cal, json_t *req, int64_t *id,
    struct error *err)
{
	struct evdef	 d;
	int		 rc = -1;

	*id = 0;
	cal->check_future = 1;
	if (evdef_parse(cal, req, &d, err) == 0)
		rc = evdef_write(cal, id, &d, err);
	evdef_free(&d);
	return rc;
}

int
calendar_edit(struct calendar *cal, int64_t id, json_t *req,
    struct error *err)
{
	struct evdef	 d;
	json_t		*cur;
	int		 rc = -1;

	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	if ((cur = calendar_get(cal, id, err)) == NULL)
		return -1;
	/* A finished event can still be edited, unless its dates change. */
	cal->check_future = json_object_get(req, "rrule") != NULL ||
	    json_object_get(req, "dtstart") != NULL ||
	    json_object_get(req, "tz") != NULL;
	json_object_update(cur, req);
	if (evdef_parse(cal, cur, &d, err) == 0)
		rc = evdef_write(cal, &id, &d, err);
	evdef_free(&d);
	json_decref(cur);
	return rc;
}

int
calendar_remove(struct calendar *cal, int64_t id, struct error *err)
{
	static const char *const del = "DELETE FROM events WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(cal->store, del);
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (store_exec_stmt(cal->store, stmt, &cause) == -1)
		goto fail;
	if (store_changes(cal->store) == 0) {
		error_set(err, ERR_NOT_FOUND, "id", "aucun événement n'a le "
		    "numéro %lld", (long long)id);
		return -1;
	}
	if (outbox_cancel_event(cal->store, id, NULL, &cause) == 0)
		return 0;
fail:
	error_set(err, ERR_INTERNAL, NULL, "%s", cause);
	free(cause);
	return -1;
}

#define SQL_EVENT \
    "SELECT id, uid, title, kind, dtstart, tz, rrule, duration, location," \
    " commune, description, skip_holidays, channels, created, updated," \
    " planned_until," \
    " (SELECT group_concat(offset) FROM (SELECT offset FROM event_reminders" \
    "   WHERE event_id = e.id ORDER BY offset DESC))," \
    " (SELECT group_concat(local) FROM (SELECT local FROM event_exdates" \
    "   WHERE event_id = e.id ORDER BY local))," \
    " (SELECT group_concat(kind || ':' || value) FROM (SELECT kind, value" \
    "   FROM event_audience WHERE event_id = e.id ORDER BY kind DESC," \
    "   CAST(value AS INTEGER), value))" \
    " FROM events e"
static const char *const sql_event = SQL_EVENT " WHERE id = ?";
static const char *const sql_events = SQL_EVENT " ORDER BY id";

enum { EC_ID, EC_UID, EC_TITLE, EC_KIND, EC_DTSTART, EC_TZ, EC_RRULE,
    EC_DURATION, EC_LOCATION, EC_COMMUNE, EC_DESCRIPTION, EC_SKIP,
    EC_CHANNELS, EC_CREATED, EC_UPDATED, EC_PLANNED, EC_OFFSETS, EC_EXDATES,
    EC_AUDIENCE };

/* A text column as a JSON string or null. */
static json_t *
cal_text_col(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(stmt, col));
}

/* A "a,b,c" column as a JSON array of strings (offsets as durations). */
static json_t *
cal_list_col(sqlite3_stmt *stmt, int col, int durations)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);
	json_t		*arr = json_array();
	char		*copy, *tok, *save = NULL, buf[32];
	int64_t		 v;

	if (s == NULL)
		return arr;
	copy = xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (durations && util_parse_int(tok, 0, INT64_MAX, &v) == 0)
			json_array_append_new(arr, json_string(duration_format(v,
			    buf, sizeof buf)));
		else
			json_array_append_new(arr, json_string(tok));
	}
	free(copy);
	return arr;
}

/* The next occurrence of event id from now, exclusions applied, or null. */
static json_t *
cal_next(struct calendar *cal, int64_t id)
{
	struct cal_event	*ev;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	char			 buf[RECUR_FMT_LEN], *cause = NULL;
	json_t			*v = json_null();

	if ((ev = calendar_event_load(cal, id, &cause)) == NULL) {
		free(cause);
		return v;
	}
	it = calendar_event_iter(ev);
	recur_iter_seek(it, util_now());
	if (recur_iter_next(it, &occ) == 1)
		v = json_string(recur_format(&occ, buf, sizeof buf));
	recur_iter_free(it);
	calendar_event_free(ev);
	return v;
}

/*
 * The JSON object of the current row of sql_event(s).  Its texts were
 * validated on the way in (jansson only hands out valid UTF-8), so the pack
 * cannot fail on them; NULL only if the row was written by something else.
 */
static json_t *
cal_row(struct calendar *cal, sqlite3_stmt *stmt)
{
	char	 buf[32];
	json_t	*skip = cal_text_col(stmt, EC_SKIP);

	return json_pack("{sI ss ss ss ss ss so ss so so so so so so so so ss "
	    "ss so}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, EC_ID),
	    "uid", (const char *)sqlite3_column_text(stmt, EC_UID),
	    "title", (const char *)sqlite3_column_text(stmt, EC_TITLE),
	    "kind", (const char *)sqlite3_column_text(stmt, EC_KIND),
	    "dtstart", (const char *)sqlite3_column_text(stmt, EC_DTSTART),
	    "tz", (const char *)sqlite3_column_text(stmt, EC_TZ),
	    "rrule", cal_text_col(stmt, EC_RRULE),
	    "duration", duration_format(sqlite3_column_int64(stmt,
	    EC_DURATION), buf, sizeof buf),
	    "location", cal_text_col(stmt, EC_LOCATION),
	    "commune", cal_text_col(stmt, EC_COMMUNE),
	    "description", cal_text_col(stmt, EC_DESCRIPTION),
	    "remind", cal_list_col(stmt, EC_OFFSETS, 1),
	    "audience", cal_list_col(stmt, EC_AUDIENCE, 0),
	    "channels", cal_list_col(stmt, EC_CHANNELS, 0),
	    "skip_holidays", skip,
	    "exdates", cal_list_col(stmt, EC_EXDATES, 0),
	    "created", (const char *)sqlite3_column_text(stmt, EC_CREATED),
	    "updated", (const char *)sqlite3_column_text(stmt, EC_UPDATED),
	    "next", cal_next(cal, sqlite3_column_int64(stmt, EC_ID)));
}

json_t *
calendar_get(struct calendar *cal, int64_t id, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_event);
	json_t		*o = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		error_set(err, ERR_NOT_FOUND, "id", "aucun événement n'a le "
		    "numéro %lld", (long long)id);
	else if ((o = cal_row(cal, stmt)) == NULL)
		error_set(err, ERR_INTERNAL, NULL, "événement %lld "
		    "illisible dans la base", (long long)id);
	sqlite3_reset(stmt);
	return o;
}

json_t *
calendar_list(struct calendar *cal, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_events);
	json_t		*arr = json_array(), *o;

	while (arr != NULL && sqlite3_step(stmt) == SQLITE_ROW) {
		if ((o = cal_row(cal, stmt)) == NULL) {
			error_set(err, ERR_INTERNAL, NULL, "événement %lld "
			    "illisible dans la base",
			    (long long)sqlite3_column_int64(stmt, EC_ID));
			json_decref(arr);
			arr = NULL;
		} else
			json_array_append_new(arr, o);
	}
	sqlite3_reset(stmt);
	return arr;
}

int64_t
calendar_find_uid(struct calendar *cal, const char *uid)
{
	static const char *const sql = "SELECT id FROM events WHERE uid = ?";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	int64_t		 id = 0;
	int		 rc;

	sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(stmt);
	return id;
}

int64_t
calendar_count(struct calendar *cal)
{
	static const char *const sql = "SELECT count(*) FROM events";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	int64_t		 n = 0;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

/* Whether s is a UTC time as the store writes them, "…T…Z". */
static int
cal_utc_text(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	return s != NULL && strlen(s) == 20 &&
	    (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0';
}

/*
 * Keep the creation and change times an imported event carries (CREATED,
 * LAST-MODIFIED): they belong to the event, wherever it was made, and so an
 * export of what was imported gives back the same text.
 */
static int
cal_import_times(struct calendar *cal, int64_t id, json_t *ev,
    struct error *err)
{
	static const char *const sql = "UPDATE events SET"
	    " created = coalesce(?2, created), updated = coalesce(?3, updated)"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	const char	*c = json_string_value(json_object_get(ev, "created"));
	const char	*u = json_string_value(json_object_get(ev, "updated"));
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	cal_bind_text(stmt, 2, cal_utc_text(c) ? c : NULL);
	cal_bind_text(stmt, 3, cal_utc_text(u) ? u : NULL);
	if (store_exec_stmt(cal->store, stmt, &cause) == 0)
		return 0;
	error_set(err, ERR_INTERNAL, NULL, "%s", cause);
	free(cause);
	return -1;
}

/* Add or update (same UID) the event of one imported object. */
static int
cal_import_one(struct calendar *cal, json_t *ev, size_t n, int64_t *id,
    int *updated, struct error *err)
{
	const char	*uid = json_string_value(json_object_get(ev, "uid"));
	const char	*title = json_string_value(json_object_get(ev, "title"));
	int64_t		 found = uid ? calendar_find_uid(cal, uid) : 0;
	int		 rc;
	char		*why, *field;

	*updated = found > 0;
	if (found > 0) {
		*id = found;
		rc = calendar_edit(cal, found, ev, err);
	} else
		rc = calendar_add(cal, ev, id, err);
	if (rc == 0)
		rc = cal_import_times(cal, *id, ev, err);
	if (rc == -1) {
		/* name the event, its title cut on a character */
		why = err->message;
		field = err->field;
		err->message = err->field = NULL;
		error_set(err, err->kind ? err->kind : ERR_INTERNAL,
		    field, "événement %zu « %s » : %s", n + 1, title ?
		    UTF8_CUT(title, 60) : "?", why ? why : "erreur interne");
		free(why);
		free(field);
	}
	return rc;
}

/*
 * Calendar applications export alarms but not who to remind: an event with
 * reminders and no audience keeps no reminders, and the report says so.
 */
static void
cal_import_alarms(json_t *ev, json_t *report)
{
	json_t		*rem = json_object_get(ev, "remind");
	json_t		*aud = json_object_get(ev, "audience");
	const char	*title = json_string_value(json_object_get(ev, "title"));
	const char	*uid = json_string_value(json_object_get(ev, "uid"));
	char		*msg;

	if (json_array_size(rem) == 0 || json_array_size(aud) > 0 ||
	    (json_is_string(aud) && *json_string_value(aud) != '\0'))
		return;
	json_object_del(ev, "remind");
	xasprintf(&msg, "« %s » (UID %s) : rappels ignorés, faute de "
	    "public (X-STOPPVIF-AUDIENCE) ; ajoutez-le avec events edit "
	    "--audience … --remind …", title ? UTF8_CUT(title, 60) : "?",
	    uid ? UTF8_CUT(uid, 64) : "-");
	json_array_append_new(report, json_string(msg));
	free(msg);
}

int
calendar_import(struct calendar *cal, const char *ics, json_t **result,
    int64_t **ids, size_t *nids, struct error *err)
{
	json_t	*events, *report = NULL, *ev;
	char	*cause = NULL;
	size_t	 i, added = 0, updated = 0;
	int	 upd;

	*ids = NULL;
	*nids = 0;
	events = ics_import(ics, strlen(ics), cal->default_tz, &report, &cause);
	if (events == NULL) {
		error_set(err, ERR_INVALID, "ics", "%s", cause);
		free(cause);
		return -1;
	}
	*ids = xcalloc(json_array_size(events) + 1, sizeof **ids);
	if (report == NULL)
		report = json_array();
	json_array_foreach(events, i, ev) {
		cal_import_alarms(ev, report);
		if (cal_import_one(cal, ev, i, &(*ids)[i], &upd, err) == -1) {
			json_decref(events);
			json_decref(report);
			free(*ids);
			*ids = NULL;
			return -1;
		}
		upd ? updated++ : added++;
	}
	*nids = json_array_size(events);
	*result = json_pack("{sI sI so}", "added", (json_int_t)added,
	    "updated", (json_int_t)updated, "ignored", report);
	json_decref(events);
	return 0;
}

char *
calendar_export(struct calendar *cal, struct error *err)
{
	json_t	*events = calendar_list(cal, err);
	char	*text, *cause = NULL;

	if (events == NULL)
		return NULL;
	if ((text = ics_export(events, &cause)) == NULL) {
		error_set(err, ERR_INTERNAL, NULL, "export : %s", cause);
		free(cause);
	}
	json_decref(events);
	return text;
}
