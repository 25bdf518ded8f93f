/*
 * api_people.c: the control API's handlers for the people (shapes in
 * people.h): list, add, show, edit, remove.  Removing a person erases
 * their data key, so the WAL is checkpointed after the commit.  Each writing
 * handler runs in api.c's transaction and records its audit entry in it.
 */
#include <jansson.h>

#include "api.h"
#include "api_people.h"
#include "api_req.h"
#include "config.h"
#include "log.h"
#include "people.h"

int
api_people_list(struct api_req *r)
{
	r->result = people_list(r->env->store, r->env->master,
	    api_query(r, "role"), &r->err);
	return r->result == NULL ? -1 : 0;
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
	log_info("api people_add id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	api_req_created(r, id);
	return 0;
}

int
api_people_show(struct api_req *r)
{
	r->result = people_get(r->env->store, r->env->master, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_people_edit(struct api_req *r)
{
	if (people_edit(r->env->store, r->env->master, r->id, r->body,
	    &r->err) == -1)
		return -1;
	if (api_audit_record(r, "people.edit", "person", r->id) == -1)
		return -1;
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
	log_info("api people_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->checkpoint = 1;	/* the wrapped key must leave the WAL too */
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id,
	    "removed", 1);
	return 0;
}
