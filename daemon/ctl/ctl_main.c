/*
 * ctl_main.c: stoppvifctl, the client of the control API.
 *
 *	stoppvifctl [-c FILE] [--json] COMMAND ...
 *
 * The top of the client: the global options and a table that maps command
 * words to their handler, one file per group of commands (ctl_cmd.h).
 * Handlers build a JSON request, send it over the daemon's Unix socket
 * (ctl_io.c), and print the answer: aligned text for people, the JSON as is
 * with --json.  Exit codes: 0 done, 1 refused or failed, 2 usage error, 3
 * daemon not reachable.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"
#include "ctl_cmd.h"
#include "ctl_io.h"
#include "log.h"

#define PERSON_FLAGS "--name N --role R[,R...] [--commune C] [--org O]" \
	" [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]" \
	" [--quiet-hours HH:MM-HH:MM|none]"

#define EVENT_FLAGS "--title T --dtstart LOCAL [--tz ZONE] [--rrule RULE]" \
	" [--duration 2h] [--kind platform|training|cabane|awareness|other]" \
	" [--location L] [--commune C] [--description D] [--remind 7d,1d]" \
	" [--audience role:R|person:ID,...] [--channels email,sms]" \
	" [--skip-holidays BE] [--exdate LOCAL,...] [--uid UID]"

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", NULL, ctl_status, "status" },
	{ "people", "add", ctl_people_add, "people add " PERSON_FLAGS },
	{ "people", "list", ctl_people_list, "people list [--role R]" },
	{ "people", "show", ctl_people_show, "people show ID" },
	{ "people", "edit", ctl_people_edit,
	    "people edit ID [--name N] [--role R,...] [--commune C] [--org O]"
	    " [--email E] [--phone P] [--lang L] [--pubkey KEY]" },
	{ "people", "remove", ctl_people_remove, "people remove ID" },
	{ "audit", NULL, ctl_audit, "audit [--limit N]" },
	{ "reload", NULL, ctl_reload, "reload" },
	{ "events", "add", ctl_events_add, "events add " EVENT_FLAGS },
	{ "events", "list", ctl_events_list, "events list" },
	{ "events", "show", ctl_events_show, "events show ID" },
	{ "events", "edit", ctl_events_edit, "events edit ID [same flags as "
	    "events add]" },
	{ "events", "remove", ctl_events_remove, "events remove ID" },
	{ "events", "import", ctl_events_import, "events import FILE.ics" },
	{ "events", "export", ctl_events_export, "events export [FILE.ics]" },
	{ "agenda", NULL, ctl_agenda, "agenda [--from YYYY-MM-DD] [--days N]" },
	{ "oncall", "set", ctl_oncall_set,
	    "oncall set PERSON --from LOCAL --to LOCAL" },
	{ "oncall", "show", ctl_oncall_show, "oncall show [--at LOCAL]" },
	{ "oncall", "remove", ctl_oncall_remove, "oncall remove ID" },
	{ "shelter", "list", ctl_shelter_list, "shelter list" },
	{ "shelter", "status", ctl_shelter_status, "shelter status NAME" },
	{ "shelter", "vacate", ctl_shelter_move, "shelter vacate NAME" },
	{ "shelter", "occupy", ctl_shelter_move, "shelter occupy NAME" },
	{ "shelter", "unavailable", ctl_shelter_move,
	    "shelter unavailable NAME" },
	{ "shelter", "report", ctl_shelter_report,
	    "shelter report NAME [--year YYYY]" },
	{ "alerts", "list", ctl_alerts_list, "alerts list" },
	{ "alerts", "ack", ctl_alerts_ack, "alerts ack CODE [--by ID]" },
	{ "outbox", "list", ctl_outbox_list,
	    "outbox list [--status pending|sent|failed|cancelled]"
	    " [--show-body]" },
	{ "outbox", "retry", ctl_outbox_retry, "outbox retry ID" },
	{ "expand", NULL, ctl_expand, "expand --dtstart YYYY-MM-DDTHH:MM:SS "
	    "--tz ZONE --rrule RULE [--count N] [--until YYYY-MM-DDTHH:MM:SS] "
	    "[--exdate LOCAL,...] [--skip-holidays BE]" },
	{ "holidays", NULL, ctl_holidays, "holidays BE YEAR" },
};

/* Every command's usage, and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: stoppvifctl [-c FILE] [--json] COMMAND ...\n"
	    "commands:\n");
	for (i = 0; i < nitems(ctl_cmds); i++)
		fprintf(stderr, "  %s\n", ctl_cmds[i].usage);
	exit(EXIT_USAGE);
}

/* Every command accepts --json, before or after its words: take it out. */
static void
ctl_take_json(struct ctl *c, int *argc, char **argv)
{
	int	 i, o = 1;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[o++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else
			argv[o++] = argv[i];
	}
	argv[o] = NULL;
	*argc = o;
}

/* Read the global options into c; returns the index of the command word. */
static int
ctl_options(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	while ((ch = getopt_long(argc, argv, "+c:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->file = optarg;
			break;
		case 'j':
			c->json = 1;
			break;
		default:
			usage();
		}
	}
	return optind;
}

/* The command named by the words of argv, or the usage and exit 2. */
static const struct ctl_cmd *
ctl_find(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	size_t			 i;

	if (argc == 0)
		usage();
	for (i = 0; i < nitems(ctl_cmds); i++) {
		cmd = &ctl_cmds[i];
		if (strcmp(argv[0], cmd->word1) != 0)
			continue;
		if (cmd->word2 == NULL)
			return cmd;
		if (argc > 1 && strcmp(argv[1], cmd->word2) == 0)
			return cmd;
	}
	usage();
}

/* Take the global options, find the command and run it. */
int
main(int argc, char *argv[])
{
	const struct ctl_cmd	*cmd;
	struct ctl		 c;
	int			 rc, used;

	memset(&c, 0, sizeof c);
	log_init("stoppvifctl", 1, LOG_LEVEL_WARN);
	ctl_take_json(&c, &argc, argv);
	used = ctl_options(&c, argc, argv);
	argc -= used;
	argv += used;
	cmd = ctl_find(argc, argv);
	used = cmd->word2 == NULL ? 1 : 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmd->fn(&c, cmd, argc - used, argv + used);
	curl_global_cleanup();
	config_free(c.conf);
	return rc;
}
