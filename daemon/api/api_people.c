/*
 * api_people.c: the control API's handlers for the people (shapes in
 * people.h): list, add, show, edit, remove, and the address of their
 * calendar feed.  Removing a person erases their data key, so the WAL is
 * checkpointed after the commit.  Each writing handler runs in api.c's
 * transaction and records its audit entry in it; the reads that open
 * contact data (list, show) record theirs too.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_people.h"
#include "api_req.h"
#include "config.h"
#include "log.h"
#include "people.h"
#include "people_feed.h"
#include "utf8.h"
#include "util.h"

/*
 * A read that opened contact data is audited like a change; when the entry
 * cannot be written, the data is not handed out.
 */
static int
api_people_read(struct api_req *r, const char *action, int64_t id)
{
	if (r->result == NULL)
		return -1;
	if (api_audit_record(r, action, "person", id) == -1) {
		json_decref(r->result);
		r->result = NULL;
		return -1;
	}
	return 0;
}

int
api_people_list(struct api_req *r)
{
	r->result = people_list(r->env->store, r->env->master,
	    api_query(r, "role"), &r->err);
	if (r->result != NULL && json_array_size(r->result) == 0)
		return 0;	/* nothing opened */
	return api_people_read(r, "people.list", 0);
}

int
api_people_add(struct api_req *r)
{
	int64_t	 id;

	if (people_add(r->env->store, r->env->master, r->body,
	    (*r->env->conf)->language, &id, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.add", "person", id) == -1)
		return -1;
	people_mk_timer_touch();	/* a mail key may expire soon */
	log_info("api people_add id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	api_req_created(r, id);
	return 0;
}

int
api_people_show(struct api_req *r)
{
	r->result = people_get(r->env->store, r->env->master, r->id, &r->err);
	return api_people_read(r, "people.show", r->id);
}

int
api_people_edit(struct api_req *r)
{
	if (people_edit(r->env->store, r->env->master, r->id, r->body,
	    &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.edit", "person", r->id) == -1)
		return -1;
	people_mk_timer_touch();
	log_info("api people_edit id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = people_get(r->env->store, r->env->master, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_people_remove(struct api_req *r)
{
	if (people_remove(r->env->store, r->id, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.remove", "person", r->id) == -1)
		return -1;
	people_mk_timer_touch();
	log_info("api people_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->checkpoint = 1;	/* the wrapped key must leave the WAL too */
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id,
	    "removed", 1);
	return 0;
}

/*
 * The webcal:// address of a feed token (a new string): the public URL
 * ([daemon] public_url) with webcal for its scheme, then /cal/TOKEN.ics.
 */
static char *
api_feed_url(const char *public_url, const char *token)
{
	const char	*host = strstr(public_url, "://");
	char		*url;
	size_t		 n;

	host = host != NULL ? host + 3 : public_url;
	n = strlen(host);
	while (n > 0 && host[n - 1] == '/')
		n--;
	xasprintf(&url, "webcal://%.*s/cal/%s.ics", (int)n, host, token);
	return url;
}

/* The "reset" of a feed request's body (false when absent); -1 with
 * r->err for any other field or another type. */
static int
api_feed_reset(struct api_req *r, int *reset)
{
	const char	*key;
	json_t		*v;

	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "reset") != 0) {
			error_set(&r->err, ERR_INVALID, key, "champ inconnu "
			    "« %s »", UTF8_CUT(key, 32));
			return -1;
		}
		if (!json_is_boolean(v)) {
			error_set(&r->err, ERR_INVALID, key, "true ou false "
			    "attendu");
			return -1;
		}
	}
	*reset = json_is_true(json_object_get(r->body, "reset"));
	return 0;
}

/* Whether person r->id may get a new token: not when one exists and the
 * request does not reset it (its address was shown once).  -1 with
 * r->err; *had says whether there was one. */
static int
api_feed_allowed(struct api_req *r, int reset, int *had)
{
	char	 created[32];

	if (!people_exists(r->env->store, r->id)) {
		error_set(&r->err, ERR_NOT_FOUND, "id", "aucune personne n'a "
		    "le numéro %lld", (long long)r->id);
		return -1;
	}
	if ((*had = people_feed_created(r->env->store, r->id, created,
	    sizeof created)) == -1) {
		error_set(&r->err, ERR_INTERNAL, NULL, "lecture du flux "
		    "impossible");
		return -1;
	}
	if (*had && !reset) {
		error_set(&r->err, ERR_CONFLICT, "reset", "la personne %lld a "
		    "déjà une adresse de calendrier (créée le %s) ; elle n'est "
		    "montrée qu'une fois : --reset en fait une nouvelle, et "
		    "l'ancienne ne marche plus", (long long)r->id, created);
		return -1;
	}
	return 0;
}

int
api_people_feed(struct api_req *r)
{
	char	*token = NULL, *url;
	int	 reset, had;

	if (api_feed_reset(r, &reset) == -1 ||
	    api_feed_allowed(r, reset, &had) == -1 ||
	    people_feed_new(r->env->store, r->env->master, r->id, &token,
	    &r->err) == -1)
		return -1;
	url = api_feed_url((*r->env->conf)->public_url, token);
	free(token);
	if (api_audit_record(r, had ? "people.feed_reset" : "people.feed",
	    "person", r->id) == -1) {
		free(url);
		return -1;
	}
	log_info("api people_feed id=%lld reset=%d uid=%u", (long long)r->id,
	    had, (unsigned)r->uid);
	r->result = json_pack("{sI ss sb}", "id", (json_int_t)r->id, "url",
	    url, "reset", had);
	free(url);
	return 0;
}
