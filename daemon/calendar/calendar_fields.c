/*
 * calendar_fields.c: what a valid event is.
 *
 * Each request field is described once, in efields[]: its JSON name and its
 * parser, which validates and normalises the value into a struct cal_evdef.
 * Adding an event is validating a whole definition and writing it; editing
 * is overlaying the request on the stored definition and doing the same
 * (calendar.c), so that the two can never disagree about what a valid event
 * is.  Errors name the field and speak French, as the API does.  A title
 * the phone guard refuses is kept, with a neutral phone title beside it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "audience.h"
#include "calendar_int.h"
#include "chan.h"
#include "duration.h"
#include "guard.h"
#include "people.h"
#include "recur.h"
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
#define CAL_DEFAULT_DURATION	3600
#define CAL_MAX_UID		255	/* bytes */
#define CAL_UID_RANDOM		12	/* bytes of a generated UID */
#define CAL_MAX_TITLE		200	/* characters */
#define CAL_MAX_LOCATION	200
#define CAL_MAX_COMMUNE		64
#define CAL_MAX_DESCRIPTION	4000
#define CAL_LIST_LEN		128	/* bytes of a list of names */

typedef int (*efield_parse)(struct calendar *, struct cal_evdef *, json_t *,
    struct error *);

struct efield {
	const char	*name;
	efield_parse	 parse;		/* v is NULL when absent */
};

/* Fields of `events show` that a request may carry back but not set. */
static const char *const ereadonly[] = {
	"id", "created", "updated", "next", "phone_title", NULL
};

static void
cal_list_free(char **items, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void
calendar_evdef_free(struct cal_evdef *d)
{
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
	free(d->phone_title);
	cal_list_free(d->exdates, d->nexdates);
	cal_list_free(d->audience, d->naudience);
	memset(d, 0, sizeof *d);
}

/* The names, NULL-terminated, as French prose into buf: "a, b ou c". */
static const char *
cal_or_list(const char *const *names, char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			util_strlcat(buf, names[i + 1] == NULL ? " ou " : ", ",
			    len);
		util_strlcat(buf, names[i], len);
	}
	return buf;
}

/* Check typed text: no control characters (but newlines where allowed),
 * at most max characters. */
static int
cal_text_plain(const char *field, const char *s, size_t max, int newlines,
    struct error *err)
{
	char	*cause = NULL;

	/* invalid UTF-8, controls, invisible and direction characters */
	if (guard_input_check(s, newlines, &cause) == -1) {
		return error_take(err, ERR_INVALID, field, cause);
	}
	if (utf8_len(s) > max) {
		error_set(err, ERR_INVALID, field, "trop long : %zu "
		    "caractères au plus", max);
		return -1;
	}
	return 0;
}

/* Check free text as cal_text_plain does, and keep off it what may not
 * reach a phone. */
static int
cal_text_ok(const char *field, const char *s, size_t max, int newlines,
    struct error *err)
{
	char	*cause = NULL;

	if (cal_text_plain(field, s, max, newlines, err) == -1)
		return -1;
	/* Places and descriptions go into emails: phones others may read. */
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

const char *
calendar_phone_title(const struct calendar *cal, const char *title)
{
	if (guard_phone_check(title, NULL) == 0)
		return NULL;
	return cal->phone_title != NULL ? cal->phone_title :
	    CALENDAR_PHONE_TITLE;
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

/*
 * The comma-separated items of s, as a new NULL-terminated array of *n
 * strings; it stops one past max: a long list is refused, not copied.
 */
static char **
cal_list_split(const char *s, size_t max, size_t *n)
{
	char	**items = NULL, *copy, *tok, *save = NULL;

	copy = xstrdup(s);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && *n <= max;
	    tok = strtok_r(NULL, ", ", &save)) {
		items = xreallocarray(items, *n + 2, sizeof *items);
		items[(*n)++] = xstrdup(tok);
	}
	free(copy);
	if (items == NULL)
		items = xcalloc(1, sizeof *items);
	items[*n] = NULL;
	return items;
}

/*
 * The items of JSON array v, strings or integers (taken as seconds), as a
 * new NULL-terminated array of *n strings; NULL when an item is neither.
 */
static char **
cal_list_array(json_t *v, size_t *n)
{
	char	**items = xcalloc(json_array_size(v) + 1, sizeof *items);
	json_t	*item;
	size_t	 i;

	json_array_foreach(v, i, item) {
		if (json_is_string(item))
			items[(*n)++] = xstrdup(json_string_value(item));
		else if (json_is_integer(item))
			xasprintf(&items[(*n)++], "%llds", (long long)
			    json_integer_value(item));
		else {
			cal_list_free(items, *n);
			*n = 0;
			return NULL;
		}
	}
	items[*n] = NULL;
	return items;
}

/* The items of a list given as a JSON array of strings or one string of
 * comma-separated items; a new NULL-terminated array of strings. */
static char **
cal_list(const char *field, json_t *v, size_t max, size_t *n,
    struct error *err)
{
	char	**items = NULL;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return xcalloc(1, sizeof *items);
	if (json_is_array(v) && json_array_size(v) > max)
		goto toolong;
	if (json_is_string(v))
		items = cal_list_split(json_string_value(v), max, n);
	else if (!json_is_array(v) || (items = cal_list_array(v, n)) == NULL)
		goto bad;
	if (*n <= max)
		return items;
toolong:
	error_set(err, ERR_INVALID, field, "%zu éléments au plus",
	    max);
	cal_list_free(items, *n);
	*n = 0;
	return NULL;
bad:
	error_set(err, ERR_INVALID, field, "liste attendue (tableau "
	    "de chaînes, ou chaîne séparée par des virgules)");
	return NULL;
}

static int
ef_uid(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	const char	*p;
	uint8_t		 rnd[CAL_UID_RANDOM];
	char		 hex[2 * CAL_UID_RANDOM + 1];

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
	if (*p != '\0' || strlen(d->uid) > CAL_MAX_UID) {
		error_set(err, ERR_INVALID, "uid", "identifiant "
		    "invalide : %d caractères visibles au plus, sans espace",
		    CAL_MAX_UID);
		return -1;
	}
	return 0;
}

static int
ef_title(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	const char	*phone;

	if (cal_string("title", v, &d->title, err) == -1)
		return -1;
	if (d->title == NULL) {
		error_set(err, ERR_INVALID, "title", "obligatoire");
		return -1;
	}
	if (cal_text_plain("title", d->title, CAL_MAX_TITLE, 0, err) == -1)
		return -1;
	/* Titles go into SMS and subjects: one the guard refuses is kept,
	 * and phones get a neutral one. */
	free(d->phone_title);
	d->phone_title = NULL;
	if ((phone = calendar_phone_title(cal, d->title)) != NULL)
		d->phone_title = xstrdup(phone);
	return 0;
}

static int
ef_kind(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	char	 list[CAL_LIST_LEN];
	size_t	 i;

	if (cal_string("kind", v, &d->kind, err) == -1)
		return -1;
	if (d->kind == NULL)
		d->kind = xstrdup("other");
	for (i = 0; calendar_kinds[i] != NULL; i++)
		if (strcmp(calendar_kinds[i], d->kind) == 0)
			return 0;
	error_set(err, ERR_INVALID, "kind", "type inconnu « %s » : %s",
	    UTF8_CUT(d->kind, 32), cal_or_list(calendar_kinds, list,
	    sizeof list));
	return -1;
}

static int
ef_tz(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	char	*cause = NULL;

	if (cal_string("tz", v, &d->tz, err) == -1)
		return -1;
	if (d->tz == NULL)
		d->tz = xstrdup(cal->default_tz);
	if (tz_cached(d->tz, &cause) == NULL) {
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
ef_dtstart(struct calendar *cal, struct cal_evdef *d, json_t *v,
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
cal_has_future(const struct cal_evdef *d, const struct recur_rule *rule)
{
	struct recur_civil	 c;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	const struct tz		*zone;
	int64_t			 now = util_now();
	int			 ok;

	if ((zone = tz_cached(d->tz, NULL)) == NULL ||
	    recur_civil_parse(d->dtstart, &c, NULL) == -1)
		return 0;
	it = recur_iter_new(rule, &c, zone);
	recur_iter_seek(it, now);
	ok = recur_iter_next(it, &occ) == 1 && occ.utc < now + CAL_HORIZON;
	recur_iter_free(it);
	return ok;
}

static int
ef_rrule(struct calendar *cal, struct cal_evdef *d, json_t *v,
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
		    "produit aucune occurrence dans les 10 prochaines années "
		    "(série terminée ?) : rien à rappeler ; pour garder un "
		    "événement passé, importez-le (events import)");
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
ef_duration(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	if (v == NULL || json_is_null(v)) {
		d->duration = CAL_DEFAULT_DURATION;
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
ef_location(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("location", v, &d->location, CAL_MAX_LOCATION, 1, err);
}

static int
ef_commune(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("commune", v, &d->commune, CAL_MAX_COMMUNE, 0, err);
}

static int
ef_description(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	return ef_text("description", v, &d->description,
	    CAL_MAX_DESCRIPTION, 1, err);
}

/* Sort offsets descending, the earliest reminder first. */
static int
cal_offset_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Add reminder offset off to d unless it is there already. */
static void
cal_offset_add(struct cal_evdef *d, int64_t off)
{
	size_t	 i;

	for (i = 0; i < d->noffsets; i++)
		if (d->offsets[i] == off)
			return;
	d->offsets[d->noffsets++] = off;
}

static int
ef_remind(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	char	**items, *cause = NULL;
	size_t	  n, i;
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
		cal_offset_add(d, off);
	}
	cal_list_free(items, n);
	qsort(d->offsets, d->noffsets, sizeof d->offsets[0], cal_offset_cmp);
	return 0;
}

/* Check one audience item (a role, or a person who exists) and normalise
 * it into *out, "role:R" or "person:ID". */
static int
cal_audience_item(struct calendar *cal, const char *item, char **out,
    struct error *err)
{
	struct audience_item	 it;
	char			 buf[64];

	if (audience_item_parse(item, &it) == 0 && (it.role >= 0 ||
	    people_exists(cal->store, it.person))) {
		*out = xstrdup(audience_item_text(&it, buf, sizeof buf));
		return 0;
	}
	if (strncmp(item, "person:", 7) == 0)
		error_set(err, ERR_INVALID, "audience",
		    "« %s » : aucune personne n'a ce numéro",
		    UTF8_CUT(item, 32));
	else
		error_set(err, ERR_INVALID, "audience", "« %s » : attendu "
		    "role:R (%s) ou person:ID", UTF8_CUT(item, 32),
		    audience_role_list());
	return -1;
}

/* Whether list (of n strings) holds s. */
static int
cal_list_has(char *const *list, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int
ef_audience(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	char	**items, *norm;
	size_t	  n, i;

	if ((items = cal_list("audience", v, CAL_MAX_AUDIENCE, &n, err)) ==
	    NULL)
		return -1;
	cal_list_free(d->audience, d->naudience);
	d->audience = xcalloc(n + 1, sizeof *d->audience);
	d->naudience = 0;
	for (i = 0; i < n; i++) {
		if (cal_audience_item(cal, items[i], &norm, err) == -1) {
			cal_list_free(items, n);
			return -1;
		}
		if (cal_list_has(d->audience, d->naudience, norm))
			free(norm);
		else
			d->audience[d->naudience++] = norm;
	}
	cal_list_free(items, n);
	return 0;
}

/* Say that channel name is not one. */
static void
cal_channel_error(const char *name, struct error *err)
{
	const char	*names[CHAN_COUNT + 1];
	char		 list[CAL_LIST_LEN];
	int		 c;

	for (c = 0; c < CHAN_COUNT; c++)
		names[c] = chan_name(c);
	names[CHAN_COUNT] = NULL;
	error_set(err, ERR_INVALID, "channels", "canal inconnu « %s » : %s",
	    UTF8_CUT(name, 16), cal_or_list(names, list, sizeof list));
}

static int
ef_channels(struct calendar *cal, struct cal_evdef *d, json_t *v,
    struct error *err)
{
	char	**items;
	size_t	  n, i;
	int	  c;

	if ((items = cal_list("channels", v, CHAN_COUNT, &n, err)) == NULL)
		return -1;
	d->channels = n == 0 ? CHAN_BIT(CHAN_EMAIL) : 0;
	for (i = 0; i < n; i++) {
		if ((c = chan_parse(items[i])) == -1) {
			cal_channel_error(items[i], err);
			cal_list_free(items, n);
			return -1;
		}
		d->channels |= CHAN_BIT(c);
	}
	cal_list_free(items, n);
	return 0;
}

static int
ef_skip(struct calendar *cal, struct cal_evdef *d, json_t *v,
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
ef_exdates(struct calendar *cal, struct cal_evdef *d, json_t *v,
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

/* Whether key is a field of efields[] or one of ereadonly[]. */
static int
cal_known_key(const char *key)
{
	size_t	 i;

	for (i = 0; i < NEFIELDS; i++)
		if (strcmp(efields[i].name, key) == 0)
			return 1;
	for (i = 0; ereadonly[i] != NULL; i++)
		if (strcmp(ereadonly[i], key) == 0)
			return 1;
	return 0;
}

/* Refuse a request that is not an object, or has a field we do not know. */
static int
cal_check_keys(json_t *req, struct error *err)
{
	const char	*key;
	json_t		*v;

	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	json_object_foreach(req, key, v) {
		if (!cal_known_key(key)) {
			error_set(err, ERR_INVALID, UTF8_CUT(key, 32),
			    "champ inconnu « %s »", UTF8_CUT(key, 32));
			return -1;
		}
	}
	return 0;
}

/* Whether rule (as recur_rule_format writes it) repeats within a day. */
static int
cal_rrule_too_often(const char *rule)
{
	static const char *const freqs[] = { "FREQ=HOURLY", "FREQ=MINUTELY",
	    "FREQ=SECONDLY", NULL };
	size_t	 i;

	for (i = 0; rule != NULL && freqs[i] != NULL; i++)
		if (strstr(rule, freqs[i]) != NULL)
			return 1;
	return 0;
}

int
calendar_evdef_parse(struct calendar *cal, json_t *req, struct cal_evdef *d,
    struct error *err)
{
	size_t	 i;

	memset(d, 0, sizeof *d);
	if (cal_check_keys(req, err) == -1)
		return -1;
	for (i = 0; i < NEFIELDS; i++) {
		if (efields[i].parse(cal, d, json_object_get(req,
		    efields[i].name), err) == -1)
			return -1;
	}
	if (d->noffsets > 0 && cal_rrule_too_often(d->rrule)) {
		error_set(err, ERR_INVALID, "rrule", "une règle qui se répète "
		    "toutes les heures, minutes ou secondes (FREQ=HOURLY, "
		    "MINUTELY ou SECONDLY) ne peut pas avoir de rappels : "
		    "choisissez au plus une fois par jour (FREQ=DAILY)");
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
