/*
 * api_web.c: the control API's handlers for the web console's accounts
 * (shapes in webuser.h).  The request body of an addition carries the
 * password: it goes to webuser_add() and nowhere else, neither the log
 * nor an error message.  Log lines name the account by its id only.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_req.h"
#include "api_web.h"
#include "config.h"
#include "log.h"
#include "webuser.h"

int
api_web_users_list(struct api_req *r)
{
	r->result = webuser_list(r->env->store, &r->err);
	return r->result == NULL ? -1 : 0;
}

/*
 * Wipe the password of body where jansson keeps it: the request's text is
 * wiped by httpd_req_clear(), this the copy the parser made (its
 * intermediate buffers are out of reach).
 */
static void
api_web_wipe(json_t *body)
{
	json_t	*pw = json_object_get(body, "password");

	if (json_is_string(pw))
		explicit_bzero((void *)(uintptr_t)json_string_value(pw),
		    json_string_length(pw));
}

int
api_web_users_add(struct api_req *r)
{
	int64_t	 id;
	int	 rc;
	int	 replace = json_is_true(json_object_get(r->body, "replace"));

	/* an account speaks the daemon's language unless told otherwise */
	if (json_is_object(r->body) && json_object_get(r->body, "lang") == NULL)
		json_object_set_new(r->body, "lang",
		    json_string((*r->env->conf)->language));
	rc = webuser_add(r->env->store, r->body, &id, &r->err);
	api_web_wipe(r->body);
	if (rc == -1)
		return -1;
	if (api_audit_record(r, replace ? "web.user_passwd" : "web.user_add",
	    "webuser", id) == -1)
		return -1;
	log_info("api web_user_%s id=%lld uid=%u", replace ? "passwd" : "add",
	    (long long)id, (unsigned)r->uid);
	if (replace) {
		r->result = json_pack("{sI}", "id", (json_int_t)id);
		return 0;
	}
	api_req_created(r, id);
	return 0;
}

/*
 * The id of the account named name (any case), from the list: >0, 0 when
 * there is none, -1 with r->err.  The name is folded into folded.
 */
static int64_t
api_web_user_id(struct api_req *r, const char *name, char *folded,
    size_t len)
{
	json_t		*list, *o;
	int64_t		 id = 0;
	size_t		 i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		folded[i] = (char)tolower((unsigned char)name[i]);
	folded[i] = '\0';
	if ((list = webuser_list(r->env->store, &r->err)) == NULL)
		return -1;
	json_array_foreach(list, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "name")),
		    folded) == 0)
			id = json_integer_value(json_object_get(o, "id"));
	}
	json_decref(list);
	return id;
}

int
api_web_users_remove(struct api_req *r)
{
	char	 name[sizeof r->name];
	int64_t	 id;

	if ((id = api_web_user_id(r, r->name, name, sizeof name)) == -1 ||
	    webuser_remove(r->env->store, name, &r->err) == -1)
		return -1;
	if (api_audit_record(r, "web.user_remove", "webuser", id) == -1)
		return -1;
	log_info("api web_user_remove id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	r->result = json_pack("{ss sb}", "name", name, "removed", 1);
	return 0;
}
