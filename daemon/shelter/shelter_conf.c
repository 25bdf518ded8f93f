/*
 * shelter_conf.c: the [shelter.NAME] sections of the configuration, and
 * what every file of the shelters asks of their surroundings: the section
 * of a shelter, the daemon's time zone, a person's name.
 *
 * A section's keys are a table (skeys[]): type, default, bounds and the
 * field each fills.  Every problem is reported, one a line, as
 * "file:line: key: ...", in English like the rest of the configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "calendar.h"
#include "config.h"
#include "duration.h"
#include "guard.h"
#include "log.h"
#include "people.h"
#include "shelter.h"
#include "shelter_int.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"

/* The keys of a [shelter.NAME] section: type, default, bounds, field. */
enum sktype { SK_TITLE, SK_AUDIENCE, SK_AUDIENCE_OPT, SK_DURATION,
    SK_DURATION_OPT, SK_COUNT };

#define SOFF(f)	offsetof(struct shelter_conf, f)
static const struct skey {
	const char	*name;
	enum sktype	 type;
	const char	*def;
	int64_t		 min, max;	/* durations (seconds) and counts */
	size_t		 off;
} skeys[] = {
	{ "title", SK_TITLE, NULL, 1, 64, SOFF(title) },
	{ "notify", SK_AUDIENCE, "role:oncall", 0, 0, SOFF(notify) },
	{ "escalate_after", SK_DURATION, "15m", 5, 86400,
	    SOFF(escalate_after) },
	{ "escalate_to", SK_AUDIENCE_OPT, "role:referent", 0, 0,
	    SOFF(escalate_to) },
	{ "repeat", SK_DURATION_OPT, "15m", 5, 86400, SOFF(repeat) },
	{ "repeat_max", SK_COUNT, "2", 0, 20, SOFF(repeat_max) },
	{ "claim_hold", SK_DURATION, "4h", 10, 7 * 86400, SOFF(claim_hold) },
	{ "link_valid", SK_DURATION, "1d", 10, 7 * 86400, SOFF(link_valid) },
	{ "code_digits", SK_COUNT, "6", 4, 8, SOFF(code_digits) },
};
#define NSKEYS	(sizeof skeys / sizeof skeys[0])

/* A problem of a section, as "file:line: key: ...". */
static void __attribute__((format(printf, 5, 6)))
sconf_error(char **errs, const char *file, int line, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *next;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&next, "%s%s%s:%d: %s%s%s", *errs ? *errs : "", *errs ?
	    "\n" : "", file, line, key ? key : "", key ? ": " : "", msg);
	free(msg);
	free(*errs);
	*errs = next;
}

/* The keys of a section, comma-separated, for a message. */
static const char *
sconf_key_list(void)
{
	static char	 list[256];
	size_t		 i;

	if (list[0] == '\0')
		for (i = 0; i < NSKEYS; i++) {
			if (i > 0)
				util_strlcat(list, ", ", sizeof list);
			util_strlcat(list, skeys[i].name, sizeof list);
		}
	return list;
}

/* Check an audience: "role:R" and "person:ID", comma-separated. */
static int
sconf_audience(const char *value, int empty_ok, char **why)
{
	struct audience_item	*items;
	size_t			 n;
	char			*bad;

	if (audience_parse(value, SIZE_MAX, &items, &n, &bad) == -1) {
		util_cause(why, "\"%s\" is neither role:ROLE (%s) nor "
		    "person:ID", bad != NULL ? bad : value,
		    audience_role_list());
		free(bad);
		return -1;
	}
	free(items);
	if (n == 0 && !empty_ok) {
		util_cause(why, "an audience is needed, such as role:oncall");
		return -1;
	}
	return 0;
}

/* Check a title: it reaches email bodies. */
static int
sconf_title(const struct skey *k, const char *value, char **why)
{
	size_t	 n = utf8_len(value);

	if (n < (size_t)k->min || n > (size_t)k->max) {
		util_cause(why, "%lld to %lld characters", (long long)k->min,
		    (long long)k->max);
		return -1;
	}
	if (guard_input_check(value, 0, why) == -1 ||
	    guard_phone_check(value, why) == -1)
		return -1;
	return 0;
}

/* A count or a duration of key k into *num; -1 with *why. */
static int
sconf_number(const struct skey *k, const char *value, int64_t *num,
    char **why)
{
	int64_t	 v;

	if (k->type == SK_COUNT) {
		if (util_parse_int(value, k->min, k->max, &v) == -1) {
			util_cause(why, "expected a number from %lld to %lld",
			    (long long)k->min, (long long)k->max);
			return -1;
		}
	} else if (k->type == SK_DURATION_OPT && strcmp(value, "0") == 0)
		v = 0;
	else if (duration_parse(value, &v, NULL) == -1 || v < k->min ||
	    v > k->max) {
		util_cause(why, "expected a duration from %llds to %llds, such "
		    "as 15m or 4h%s", (long long)k->min, (long long)k->max,
		    k->type == SK_DURATION_OPT ? ", or 0 for none" : "");
		return -1;
	}
	*num = v;
	return 0;
}

/* Set key k of sc from value; -1 with *why. */
static int
sconf_set(struct shelter_conf *sc, const struct skey *k, const char *value,
    char **why)
{
	char	**str = (char **)((char *)sc + k->off);

	switch (k->type) {
	case SK_TITLE:
		if (sconf_title(k, value, why) == -1)
			return -1;
		break;
	case SK_AUDIENCE:
	case SK_AUDIENCE_OPT:
		if (sconf_audience(value, k->type == SK_AUDIENCE_OPT,
		    why) == -1)
			return -1;
		break;
	default:
		return sconf_number(k, value, (int64_t *)((char *)sc + k->off),
		    why);
	}
	free(*str);
	*str = xstrdup(value);
	return 0;
}

static void
sconf_free(struct shelter_conf *sc)
{
	free(sc->name);
	free(sc->title);
	free(sc->notify);
	free(sc->escalate_to);
}

/* sc with the defaults of every key, named name. */
static void
sconf_defaults(struct shelter_conf *sc, const char *name)
{
	char	*why = NULL;
	size_t	 i;

	memset(sc, 0, sizeof *sc);
	sc->name = xstrdup(name);
	for (i = 0; i < NSKEYS; i++)
		if (skeys[i].def != NULL && sconf_set(sc, &skeys[i],
		    skeys[i].def, &why) == -1)
			fatalx("shelter bad_default key=%s error=\"%s\"",
			    skeys[i].name, LOG_QUOTE(why));
	if (sc->title == NULL)
		sc->title = xstrdup(name);
}

/* Parse one section into sc; problems appended to *errs. */
static void
sconf_parse(const struct config *conf, const struct config_channel *sec,
    struct shelter_conf *sc, char **errs)
{
	const struct config_kv	*kv;
	char			*why = NULL;
	size_t			 i, k;

	sconf_defaults(sc, sec->name);
	for (k = 0; k < sec->nkv; k++) {
		kv = &sec->kv[k];
		for (i = 0; i < NSKEYS; i++)
			if (strcmp(skeys[i].name, kv->key) == 0)
				break;
		if (i == NSKEYS)
			sconf_error(errs, conf->file, kv->line, kv->key,
			    "unknown key in [shelter.%s] (%s)", sec->name,
			    sconf_key_list());
		else if (sconf_set(sc, &skeys[i], kv->value, &why) == -1) {
			sconf_error(errs, conf->file, kv->line, kv->key, "%s",
			    why);
			free(why);
			why = NULL;
		}
	}
	if (strlen(sec->name) >= SHELTER_NAME_MAX)
		sconf_error(errs, conf->file, sec->line, NULL, "[shelter.%s]: "
		    "a name of at most %d characters", sec->name,
		    SHELTER_NAME_MAX - 1);
}

int
shelter_conf_load(const struct config *conf, struct shelter_conf **out,
    size_t *n, char **cause)
{
	struct shelter_conf	*sc;
	char			*errs = NULL;
	size_t			 i;

	sc = xcalloc(conf->nshelters + 1, sizeof *sc);
	for (i = 0; i < conf->nshelters; i++)
		sconf_parse(conf, &conf->shelters[i], &sc[i], &errs);
	if (errs != NULL) {
		shelter_conf_free(sc, conf->nshelters);
		free(*cause);
		*cause = errs;
		return -1;
	}
	*out = sc;
	*n = conf->nshelters;
	return 0;
}

void
shelter_conf_free(struct shelter_conf *sc, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		sconf_free(&sc[i]);
	free(sc);
}

int
shelter_conf_check(const struct config *conf, char **cause)
{
	struct shelter_conf	*sc;
	size_t			 n;

	if (shelter_conf_load(conf, &sc, &n, cause) == -1)
		return -1;
	shelter_conf_free(sc, n);
	return 0;
}

const struct shelter_conf *
shelter_conf_find(const struct shelters *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->nsc; i++)
		if (strcmp(s->sc[i].name, name) == 0)
			return &s->sc[i];
	return NULL;
}

const struct shelter_conf *
shelter_conf_named(const struct shelters *s, const char *name,
    struct error *err)
{
	const struct shelter_conf	*sc;
	char				 list[256] = "";
	size_t				 i;

	if ((sc = shelter_conf_find(s, name)) != NULL)
		return sc;
	for (i = 0; i < s->nsc; i++) {
		if (i > 0)
			util_strlcat(list, ", ", sizeof list);
		util_strlcat(list, s->sc[i].name, sizeof list);
	}
	error_set(err, ERR_NOT_FOUND, "name", "aucun logement nommé « %s"
	    " » : %s", UTF8_CUT(name, 64), s->nsc == 0 ? "aucun n'est "
	    "configuré (section [shelter.NOM] de stoppvif.ini)" : list);
	return NULL;
}

const struct tz *
shelter_zone(const struct shelters *s)
{
	const struct tz	*zone = tz_cached((*s->conf)->timezone, NULL);

	if (zone == NULL)
		fatalx("shelter tz_unreadable zone=%s", (*s->conf)->timezone);
	return zone;
}

const char *
shelter_local(const struct shelters *s, int64_t utc, char *buf, size_t len)
{
	return calendar_instant(shelter_zone(s), utc, buf, len);
}

json_t *
shelter_person(struct shelters *s, int64_t id)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*p, *o;

	if ((p = people_get(s->store, s->master, id, &err)) == NULL) {
		error_clear(&err);
		return json_pack("{sI sn}", "id", (json_int_t)id, "name");
	}
	o = json_pack("{sI sO}", "id", (json_int_t)id, "name",
	    json_object_get(p, "name"));
	json_decref(p);
	return o;
}
