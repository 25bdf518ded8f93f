/*
 * ctl_people.c: the stoppvifctl commands of the directory:
 *
 *	people add --name N --role R[,R...] [--commune C] [--org O]
 *	    [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]
 *	    [--quiet-hours HH:MM-HH:MM|none]
 *	people list [--role R] | show ID | remove ID
 *	people edit ID [the flags of people add]
 *
 * The flags become the fields of a JSON person as the API takes them; the
 * daemon checks them (roles, phone numbers, languages) and says what is
 * wrong.  People are shown as a table, or one field a line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"

/* Options shared by people add and people edit. */
static const struct option ctl_person_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "role", required_argument, NULL, 'r' },
	{ "commune", required_argument, NULL, 'C' },
	{ "org", required_argument, NULL, 'o' },
	{ "email", required_argument, NULL, 'e' },
	{ "phone", required_argument, NULL, 'p' },
	{ "lang", required_argument, NULL, 'l' },
	{ "pubkey", required_argument, NULL, 'k' },
	{ "quiet-hours", required_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

/* The JSON key of a person option (but --role), or NULL. */
static const char *
ctl_person_key(int ch)
{
	switch (ch) {
	case 'n': return "name";
	case 'C': return "commune";
	case 'o': return "org";
	case 'e': return "email";
	case 'p': return "phone";
	case 'l': return "lang";
	case 'k': return "pubkey";
	case 'q': return "quiet_hours";
	default: return NULL;
	}
}

/* Build a person request from the flags (a ctl_body_fn). */
static json_t *
ctl_person_body(int argc, char **argv, const struct ctl_cmd *cmd,
    int *optidx)
{
	json_t		*body = json_object(), *roles = NULL;
	const char	*key;
	int		 ch;

	optind = 0;	/* GNU getopt permutes: the ID may come first */
	while ((ch = getopt_long(argc, argv, "", ctl_person_opts, NULL)) !=
	    -1) {
		if (ch == 'r') {
			if (roles == NULL)
				roles = json_array();
			ctl_list_append(roles, optarg, "--role");
			continue;
		}
		if ((key = ctl_person_key(ch)) == NULL)
			ctl_cmd_usage(cmd);
		ctl_body_set(body, key, optarg);
	}
	if (roles != NULL)
		json_object_set_new(body, "roles", roles);
	*optidx = optind;
	return body;
}

/* Value text of a person's field: local times for the dates. */
static char *
ctl_person_cell(struct ctl *c, const char *key, json_t *v)
{
	if (strcmp(key, "created") == 0 || strcmp(key, "updated") == 0)
		return ctl_localtime(json_string_value(v));
	return ctl_text(v);
}

/* Print one person as aligned "label : value" lines. */
static void
ctl_person_print(struct ctl *c, json_t *p)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id" }, { "nom", "name" }, { "rôles", "roles" },
		{ "commune", "commune" }, { "organisme", "org" },
		{ "e-mail", "email" }, { "téléphone", "phone" },
		{ "langue", "lang" }, { "clé publique", "pubkey" },
		{ "heures calmes", "quiet_hours" },
		{ "créé", "created" }, { "modifié", "updated" },
	};

	ctl_record(c, p, rows, nitems(rows), 13, 0, ctl_person_cell);
}

/* people add: prints the new person's ID. */
int
ctl_people_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return ctl_add(c, cmd, argc, argv, ctl_person_body, "/v1/people");
}

/* people list: the directory as a table, or those of one role. */
int
ctl_people_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "N°", "id" }, { "NOM", "name" }, { "RÔLES", "roles" },
		{ "COMMUNE", "commune" }, { "ORGANISME", "org" },
		{ "E-MAIL", "email" }, { "TÉLÉPHONE", "phone" },
		{ "LANGUE", "lang" },
	};
	const char	*role = NULL;
	char		*path;
	json_t		*ans;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch != 'r')
			ctl_cmd_usage(cmd);
		role = optarg;
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	path = ctl_query("/v1/people", "role", role);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		printf("aucune personne%s%s\n", role ? " avec le rôle " : "",
		    role ? role : "");
	else
		ctl_table(c, ans, cols, nitems(cols), NULL);
	json_decref(ans);
	return 0;
}

/* people show ID: one person, field by field. */
int
ctl_people_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_answer(c, ctl_call_id(c, "GET", "/v1/people", id, NULL),
	    ctl_person_print);
	return 0;
}

/* people edit ID: change the fields given, show the person. */
int
ctl_people_edit(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return ctl_edit(c, cmd, argc, argv, ctl_person_body, "/v1/people",
	    ctl_person_print, "--phone");
}

/* people remove ID: erase a person. */
int
ctl_people_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_done(c, ctl_call_id(c, "DELETE", "/v1/people", id, NULL),
	    "personne %lld effacée : ses coordonnées sont illisibles\n",
	    (long long)id);
	return 0;
}
