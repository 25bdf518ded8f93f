/*
 * api_backup.c: the control API's handlers for backups (backup.h).
 *
 * A backup takes from a fraction of a second to minutes, stepped by the
 * event loop, while handlers answer at once: POST /v1/backup starts one
 * and answers with its number, GET /v1/backup says how the last one goes,
 * and the client asks until it is done or failed.  Either answer names the
 * key file, which the backup does not hold.  The start is audited in the
 * route's transaction.
 */
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_backup.h"
#include "api_req.h"
#include "backup.h"
#include "config.h"
#include "log.h"
#include "utf8.h"

/* The request's "file" and "force" into *file and *force; -1 with r->err
 * for any other field or another type. */
static int
api_backup_body(struct api_req *r, const char **file, int *force)
{
	const char	*key;
	json_t		*v;

	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "file") == 0 && !json_is_string(v)) {
			error_set(&r->err, ERR_INVALID, key, "chemin attendu");
			return -1;
		}
		if (strcmp(key, "force") == 0 && !json_is_boolean(v)) {
			error_set(&r->err, ERR_INVALID, key, "true ou false "
			    "attendu");
			return -1;
		}
		if (strcmp(key, "file") != 0 && strcmp(key, "force") != 0) {
			error_set(&r->err, ERR_INVALID, key, "champ inconnu "
			    "« %s »", UTF8_CUT(key, 32));
			return -1;
		}
	}
	if ((*file = json_string_value(json_object_get(r->body,
	    "file"))) == NULL) {
		error_set(&r->err, ERR_INVALID, "file", "chemin du fichier "
		    "de sauvegarde attendu");
		return -1;
	}
	if (strlen(*file) != json_string_length(json_object_get(r->body,
	    "file"))) {
		error_set(&r->err, ERR_INVALID, "file", "caractère nul dans "
		    "le chemin");
		return -1;
	}
	*force = json_is_true(json_object_get(r->body, "force"));
	return 0;
}

/* The status of the last backup, with the key file it leaves out. */
static json_t *
api_backup_result(struct api_req *r)
{
	json_t	*o = backup_status(r->env->backup);

	json_object_set_new(o, "key_file",
	    json_string((*r->env->conf)->key_file));
	return o;
}

/* Whether this daemon makes backups (the fuzz target's does not: no
 * input may write files where it says); -1 with r->err when not. */
static int
api_backup_here(struct api_req *r)
{
	if (r->env->backup != NULL)
		return 0;
	error_set(&r->err, ERR_INTERNAL, NULL, "pas de sauvegarde possible "
	    "dans ce programme");
	return -1;
}

int
api_backup_start(struct api_req *r)
{
	const char	*file;
	int64_t		 id;
	int		 force;

	if (api_backup_here(r) == -1 ||
	    api_backup_body(r, &file, &force) == -1)
		return -1;
	if (api_audit_record(r, "backup", "database", 0) == -1)
		return -1;
	if ((id = backup_start(r->env->backup, file, force, *r->env->conf,
	    &r->err)) == -1)
		return -1;
	log_info("api backup id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	r->result = api_backup_result(r);
	return 0;
}

int
api_backup_show(struct api_req *r)
{
	if (api_backup_here(r) == -1)
		return -1;
	r->result = api_backup_result(r);
	return 0;
}
