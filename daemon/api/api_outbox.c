/*
 * api_outbox.c: the control API's handlers for the outbox (shapes in
 * outbox.h): the queued messages, with what each says only on request
 * (body=1, logged and each message opened audited: it opens personal data),
 * and a message sent again now, audited in api.c's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_outbox.h"
#include "api_req.h"
#include "dispatch.h"
#include "log.h"
#include "outbox.h"
#include "recur.h"
#include "util.h"

/*
 * The time a message's text is shown as of: when it went out ("sent", UTC,
 * as the outbox writes it), so that {in} reads as it did in the message,
 * else now.
 */
static int64_t
api_outbox_when(json_t *item)
{
	const char		*sent = json_string_value(json_object_get(item,
				    "sent"));
	struct recur_civil	 c;
	char			 buf[sizeof "YYYY-MM-DDTHH:MM:SS"];

	if (sent == NULL || strlen(sent) < sizeof buf - 1)
		return util_now();
	memcpy(buf, sent, sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	if (recur_civil_parse(buf, &c, NULL) == -1)
		return util_now();
	return recur_civil_secs(&c);
}

/*
 * Add to each listed message what it says, rendered as it would be sent
 * (--show-body): only on request, since it opens personal data, and each
 * message opened is audited.  0, or -1 with r->err when an entry cannot be
 * written (then no body is handed out).
 */
static int
api_outbox_bodies(struct api_req *r)
{
	json_t	*item, *text;
	char	*cause = NULL;
	int64_t	 id;
	size_t	 i;

	json_array_foreach(r->result, i, item) {
		id = json_integer_value(json_object_get(item, "id"));
		text = dispatch_render(r->env->dispatch, id,
		    api_outbox_when(item), &cause);
		if (text == NULL) {
			json_object_set_new(item, "render_error",
			    json_string(cause));
			free(cause);
			cause = NULL;
			continue;
		}
		json_object_update_new(item, text);
		if (api_audit_record(r, "outbox.body", "message", id) == -1)
			return -1;
	}
	return 0;
}

int
api_outbox_list(struct api_req *r)
{
	const char	*s = api_query(r, "limit");
	int64_t		 limit = 1000;

	if (s != NULL && util_parse_int(s, 1, 1000000, &limit) == -1) {
		error_set(&r->err, ERR_INVALID, "limit", "nombre "
		    "entre 1 et 1000000 attendu");
		return -1;
	}
	r->result = outbox_list(r->env->store, api_query(r, "status"), limit,
	    &r->err);
	if (r->result != NULL && api_query(r, "body") != NULL &&
	    strcmp(api_query(r, "body"), "1") == 0) {
		log_info("api outbox_bodies uid=%u messages=%zu",
		    (unsigned)r->uid, json_array_size(r->result));
		if (api_outbox_bodies(r) == -1) {
			json_decref(r->result);
			r->result = NULL;
		}
	}
	return r->result == NULL ? -1 : 0;
}

int
api_outbox_retry(struct api_req *r)
{
	if (outbox_retry(r->env->store, r->id, &r->err) == -1 ||
	    api_audit_record(r, "outbox.retry", "message", r->id) == -1)
		return -1;
	log_info("api outbox_retry id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id, "retry", 1);
	return 0;
}
