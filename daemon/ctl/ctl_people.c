/*
 * ctl_people.c: the stoppvifctl commands of the directory:
 *
 *	people add --name N --role R[,R...] [--commune C] [--org O]
 *	    [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]
 *	    [--quiet-hours HH:MM-HH:MM|none]
 *	people list [--role R] | show ID | remove ID
 *	people edit ID [the flags of people add]
 *	people feed ID [--reset]
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
#include "ctl_words.h"
#include "util.h"

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

/* Value text of a person's field: roles in words, the phone as people
 * write it, local times for the dates. */
static char *
ctl_person_cell(struct ctl *c, const char *key, json_t *v)
{
	if (strcmp(key, "created") == 0 || strcmp(key, "updated") == 0)
		return ctl_localtime(json_string_value(v));
	if (strcmp(key, "roles") == 0)
		return ctl_words(CTL_W_ROLE, v);
	if (strcmp(key, "phone") == 0 && json_is_string(v))
		return ctl_phone_text(json_string_value(v));
	return ctl_text(v);
}

/* Print one person as aligned "label : value" lines. */
static void
ctl_person_print(struct ctl *c, json_t *p)
{
	static const struct ctl_col rows[] = {
		{ "numéro", "id", 0 }, { "nom", "name", 0 },
		{ "rôles", "roles", 0 },
		{ "commune", "commune", 0 }, { "organisme", "org", 0 },
		{ "e-mail", "email", 0 }, { "téléphone", "phone", 0 },
		{ "langue", "lang", 0 }, { "clé publique", "pubkey", 0 },
		{ "heures calmes", "quiet_hours", 0 },
		{ "créé", "created", 0 }, { "modifié", "updated", 0 },
	};

	ctl_record(c, p, rows, nitems(rows), 13, 0, ctl_person_cell);
}

/* people add: "personne 33 ajoutée". */
int
ctl_people_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	ctl_created(c, ctl_add(c, cmd, argc, argv, ctl_person_body,
	    "/v1/people"), "personne", "ajoutée");
	return 0;
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
		{ "N°", "id", 0 }, { "NOM", "name", CTL_COL_WRAP },
		{ "RÔLES", "roles", CTL_COL_WRAP },
		{ "COMMUNE", "commune", CTL_COL_WRAP | CTL_COL_OPT },
		{ "ORGANISME", "org", CTL_COL_WRAP },
		{ "E-MAIL", "email", CTL_COL_WRAP },
		{ "TÉLÉPHONE", "phone", 0 }, { "LANGUE", "lang", CTL_COL_OPT },
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
		    role ? ctl_word(CTL_W_ROLE, role) : "");
	else
		ctl_table(c, ans, cols, nitems(cols), ctl_person_cell);
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

/*
 * people feed ID [--reset]: the webcal:// address of the person's calendar
 * feed, made at the first call; the daemon keeps only a hash of it, so it
 * is shown this once, and --reset makes a new one (the old one then
 * answers 404).
 */
int
ctl_people_feed(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "reset", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*body, *ans;
	char		*path;
	int64_t		 id;
	int		 ch, reset = 0;

	optind = 0;	/* GNU getopt permutes: --reset may come first */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch != 'R')
			ctl_cmd_usage(cmd);
		reset = 1;
	}
	id = ctl_id(argc + 1 - optind, argv - 1 + optind, cmd);
	xasprintf(&path, "/v1/people/%lld/feed", (long long)id);
	body = json_pack("{sb}", "reset", reset);
	ans = ctl_call(c, "POST", path, body);
	json_decref(body);
	free(path);
	if (!c->json)
		fprintf(stderr, "adresse du calendrier de la personne %lld, à "
		    "ouvrir sur son appareil ; elle n'est montrée qu'une fois "
		    "(people feed %lld --reset en fait une nouvelle)\n",
		    (long long)id, (long long)id);
	ctl_done(c, ans, "%s\n", ctl_str(ans, "url") ? ctl_str(ans, "url") :
	    "-");
	return 0;
}
