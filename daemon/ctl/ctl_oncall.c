/*
 * ctl_oncall.c: the stoppvifctl commands of the on-call rota, who answers
 * a shelter's alert first (role:oncall):
 *
 *	oncall set PERSON --from LOCAL --to LOCAL
 *	oncall show [--at LOCAL]
 *	oncall remove ID
 *
 * LOCAL is a local time, read and checked by the daemon.  Slots are shown
 * with their times in words of the daemon's language.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "util.h"

/* One on-call slot as a row of display text. */
static json_t *
ctl_slot_view(struct ctl *c, json_t *s)
{
	json_t	*v = json_copy(s);

	ctl_set_text(v, "from", ctl_when_of(c, s, "from"));
	ctl_set_text(v, "to", ctl_when_of(c, s, "to"));
	return v;
}

/* oncall set: put a person on call from one time to another. */
int
ctl_oncall_set(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL, *to = NULL;
	json_t		*body, *ans;
	int64_t		 person;
	int		 ch;

	optind = 0;	/* GNU getopt permutes: PERSON may come first */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch == 'f')
			from = optarg;
		else if (ch == 't')
			to = optarg;
		else
			ctl_cmd_usage(cmd);
	}
	if (from == NULL || to == NULL)
		ctl_cmd_usage(cmd);
	person = ctl_id(argc + 1 - optind, argv - 1 + optind, cmd);
	body = json_pack("{sIssss}", "person", (json_int_t)person, "from",
	    from, "to", to);
	if (body == NULL)
		ctl_die(EXIT_USAGE, "--from, --to : texte UTF-8 attendu");
	ans = ctl_call(c, "POST", "/v1/oncall", body);
	json_decref(body);
	ctl_created(c, ans, "garde", "ajoutée");
	return 0;
}

/* Nobody is on call at LOCAL (NULL: now). */
static void
ctl_nobody(struct ctl *c, const char *at)
{
	char	*iso, *when;

	if (at == NULL) {
		printf("personne n'est de garde maintenant\n");
		return;
	}
	/* ctl_when() reads the seconds too: YYYY-MM-DDTHH:MM has none. */
	if (strlen(at) == 16)
		xasprintf(&iso, "%s:00", at);
	else
		iso = xstrdup(at);
	when = ctl_when(c, iso, DATEFMT_SHORT);
	printf("personne n'est de garde le %s\n", when);
	free(when);
	free(iso);
}

/* oncall show: who is on call now, or at --at. */
int
ctl_oncall_show(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "N°", "id", 0 }, { "PERSONNE", "person", 0 },
		{ "NOM", "name", 0 },
		{ "DU", "from", 0 }, { "AU", "to", 0 },
	};
	const char	*at = NULL;
	char		*path;
	json_t		*ans;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch != 'a')
			ctl_cmd_usage(cmd);
		at = optarg;
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	path = ctl_query("/v1/oncall", "at", at);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else if (json_array_size(ans) == 0)
		ctl_nobody(c, at);
	else
		ctl_view_table(c, ans, cols, nitems(cols), ctl_slot_view);
	json_decref(ans);
	return 0;
}

/* oncall remove ID: take a slot out of the rota. */
int
ctl_oncall_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_done(c, ctl_call_id(c, "DELETE", "/v1/oncall", id, NULL),
	    "garde %lld supprimée\n", (long long)id);
	return 0;
}
