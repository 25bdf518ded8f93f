/*
 * ctl_main.c: stoppvifctl, the client of the control API.
 *
 *	stoppvifctl [-c FILE] [--json] [--wide] COMMAND ...
 *	stoppvifctl --help | help [WORD]
 *
 * The top of the client: the global options and a table that maps command
 * words to their handler, one file per group of commands (ctl_cmd.h).
 * Handlers build a JSON request, send it over the daemon's Unix socket
 * (ctl_io.c), and print the answer: aligned text for people, the JSON as is
 * with --json.  A mistyped command gets one line naming the nearest one.
 * Exit codes: 0 done, 1 refused or failed, 2 usage error, 3
 * daemon not reachable.
 */
#include <sys/param.h>

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"
#include "ctl_cmd.h"
#include "ctl_io.h"
#include "log.h"
#include "utf8.h"
#include "util.h"

#define CTL_WORD_MAX	32	/* characters of a command word compared */
#define CTL_NEAR_MAX	2	/* slips of a word still suggested */

#define PERSON_FLAGS "--name N --role R[,R...] [--commune C] [--org O]" \
	" [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]" \
	" [--quiet-hours HH:MM-HH:MM|none]" \
	" [--smime-cert FILE|--openpgp-key FILE|--no-mail-key]"

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
	    " [--email E] [--phone P] [--lang L] [--pubkey KEY]"
	    " [--smime-cert FILE|--openpgp-key FILE|--no-mail-key]" },
	{ "people", "remove", ctl_people_remove, "people remove ID" },
	{ "people", "feed", ctl_people_feed, "people feed ID [--reset]" },
	{ "audit", "verify", ctl_audit_verify, "audit verify" },
	{ "audit", NULL, ctl_audit, "audit [--limit N]" },
	{ "reload", NULL, ctl_reload, "reload" },
	{ "backup", NULL, ctl_backup, "backup FILE [--force]" },
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
	    "outbox list [--status pending|sent|delivered|undelivered|"
	    "failed|cancelled] [--show-body]" },
	{ "outbox", "retry", ctl_outbox_retry, "outbox retry ID" },
	{ "expand", NULL, ctl_expand, "expand --dtstart YYYY-MM-DDTHH:MM:SS "
	    "--tz ZONE --rrule RULE [--count N] [--until YYYY-MM-DDTHH:MM:SS] "
	    "[--exdate LOCAL,...] [--skip-holidays BE]" },
	{ "holidays", NULL, ctl_holidays, "holidays BE YEAR" },
	{ "web", "user add", ctl_web_user_add, "web user add NAME --role "
	    "coordinator|oncall|viewer [--person ID] [--lang fr|nl|de|en]" },
	{ "web", "user passwd", ctl_web_user_passwd, "web user passwd NAME" },
	{ "web", "user list", ctl_web_user_list, "web user list" },
	{ "web", "user remove", ctl_web_user_remove, "web user remove NAME" },
};

/* The usage of the commands whose first word is group (NULL: all), on fp;
 * long lines wrapped to the width of the default view. */
static void
ctl_usage_print(FILE *fp, const char *group)
{
	size_t	 i;

	fprintf(fp, "usage: stoppvifctl [-c FILE] [--json] [--wide] COMMAND "
	    "...\ncommandes :\n");
	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (group != NULL && strcmp(group, ctl_cmds[i].word1) != 0)
			continue;
		fputs("  ", fp);
		ctl_wrap(fp, ctl_cmds[i].usage, 2, 6, CTL_COLUMNS);
	}
	fprintf(fp, "--json : la réponse du démon telle quelle, pour les "
	    "scripts ; --wide : les tableaux\nen entier ; le détail : man "
	    "stoppvifctl\n");
}

/* Every command's usage on stderr, and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	ctl_usage_print(stderr, NULL);
	exit(EXIT_USAGE);
}

/* The code points of s into out (CTL_WORD_MAX of them); their number,
 * CTL_WORD_MAX when s is longer than that. */
static size_t
ctl_codepoints(const char *s, uint32_t *out)
{
	size_t	 n = 0, len = strlen(s), k;

	while (len > 0 && n < CTL_WORD_MAX) {
		k = utf8_decode((const unsigned char *)s, len, &out[n++]);
		s += k;
		len -= k;
	}
	return len > 0 ? CTL_WORD_MAX : n;
}

/* Edit distance of a and b in characters, a swap of two neighbours
 * counting one; more than CTL_NEAR_MAX is as good as far. */
static size_t
ctl_distance(const char *a, const char *b)
{
	uint32_t	 x[CTL_WORD_MAX], y[CTL_WORD_MAX];
	size_t		 d[CTL_WORD_MAX + 1][CTL_WORD_MAX + 1], n, m, i, j, v;

	n = ctl_codepoints(a, x);
	m = ctl_codepoints(b, y);
	if (n == 0 || m == 0 || n == CTL_WORD_MAX || m == CTL_WORD_MAX)
		return SIZE_MAX;
	for (i = 0; i <= n; i++)
		d[i][0] = i;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			v = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);
			v = MIN(v, MIN(d[i - 1][j], d[i][j - 1]) + 1);
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
			    x[i - 2] == y[j - 1])
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	}
	return d[n][m];
}

/* The command word nearest to typed (the second word of group when group
 * is set), or NULL when none is near enough to be a typing slip. */
static const char *
ctl_nearest(const char *group, const char *typed)
{
	const char	*best = NULL, *w;
	size_t		 i, d, bestd = SIZE_MAX;

	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (group != NULL && (ctl_cmds[i].word2 == NULL ||
		    strcmp(group, ctl_cmds[i].word1) != 0))
			continue;
		w = group != NULL ? ctl_cmds[i].word2 : ctl_cmds[i].word1;
		if ((d = ctl_distance(typed, w)) < bestd) {
			bestd = d;
			best = w;
		}
	}
	/* one slip in three characters at most, and two in all */
	if (bestd > CTL_NEAR_MAX || bestd * 3 > utf8_len(typed))
		return NULL;
	return best;
}

/* Say that the command typed is unknown, suggest the nearest, exit 2. */
static void __attribute__((noreturn))
ctl_unknown(const char *group, const char *typed)
{
	const char	*near = ctl_nearest(group, typed);

	fprintf(stderr, "stoppvifctl: commande inconnue : « %s%s%s »",
	    group ? group : "", group ? " " : "", UTF8_CUT(typed, 40));
	if (near != NULL)
		fprintf(stderr, " (voulez-vous dire « %s%s%s » ?)", group ?
		    group : "", group ? " " : "", near);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* Whether word is the first word of some command. */
static int
ctl_is_group(const char *word)
{
	size_t	 i;

	for (i = 0; i < nitems(ctl_cmds); i++)
		if (strcmp(word, ctl_cmds[i].word1) == 0)
			return 1;
	return 0;
}

/* help [WORD]: the usage on stdout, of the commands of WORD if given. */
static void __attribute__((noreturn))
ctl_help(int argc, char **argv)
{
	if (argc > 2)
		usage();
	if (argc == 2 && !ctl_is_group(argv[1]))
		ctl_unknown(NULL, argv[1]);
	ctl_usage_print(stdout, argc == 2 ? argv[1] : NULL);
	exit(0);
}

/* Every command accepts --json and --wide, before or after its words:
 * take them out. */
static void
ctl_take_flags(struct ctl *c, int *argc, char **argv)
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
		else if (strcmp(argv[i], "--wide") == 0)
			c->wide = 1;
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
		case 'h':
			ctl_usage_print(stdout, NULL);
			exit(0);
		default:
			usage();
		}
	}
	return optind;
}

/*
 * How many words of argv name cmd: 1, 2, or 3 when its second "word" is
 * two ("web", "user add"); 0 when they do not name it.  With sub set, a
 * first word of cmd's word2 that argv[1] is counts too (sub is set to 1).
 */
static int
ctl_cmd_words(const struct ctl_cmd *cmd, int argc, char **argv, int *sub)
{
	const char	*sp;
	size_t		 n;

	if (strcmp(argv[0], cmd->word1) != 0)
		return 0;
	if (cmd->word2 == NULL)
		return 1;
	if (argc < 2)
		return 0;
	if ((sp = strchr(cmd->word2, ' ')) == NULL)
		return strcmp(argv[1], cmd->word2) == 0 ? 2 : 0;
	n = (size_t)(sp - cmd->word2);
	if (strncmp(argv[1], cmd->word2, n) != 0 || argv[1][n] != '\0')
		return 0;
	if (sub != NULL)
		*sub = 1;
	return argc > 2 && strcmp(argv[2], sp + 1) == 0 ? 3 : 0;
}

/* The command named by the words of argv; exit 2 with the usage when
 * there is none, or with the nearest command when one is mistyped. */
static const struct ctl_cmd *
ctl_find(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	size_t			 i;
	int			 sub = 0;
	char			*group;

	if (argc == 0)
		usage();
	if (strcmp(argv[0], "help") == 0)
		ctl_help(argc, argv);
	for (i = 0; i < nitems(ctl_cmds); i++) {
		cmd = &ctl_cmds[i];
		if (ctl_cmd_words(cmd, argc, argv, &sub) > 0)
			return cmd;
	}
	if (!ctl_is_group(argv[0]))
		ctl_unknown(NULL, argv[0]);
	if (argc == 1 || argv[1][0] == '-' || (sub && (argc == 2 ||
	    argv[2][0] == '-'))) {
		ctl_usage_print(stderr, argv[0]);
		exit(EXIT_USAGE);
	}
	if (!sub)
		ctl_unknown(argv[0], argv[1]);
	xasprintf(&group, "%s %s", argv[0], argv[1]);
	ctl_unknown(group, argv[2]);
}

/* COMMAND --help: the command's usage on stdout, and exit 0. */
static void
ctl_cmd_help(const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (argc == 0 || strcmp(argv[0], "--help") != 0)
		return;
	fputs("usage: stoppvifctl [-c FILE] [--json] ", stdout);
	ctl_wrap(stdout, cmd->usage, 38, 6, CTL_COLUMNS);
	exit(0);
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
	ctl_take_flags(&c, &argc, argv);
	used = ctl_options(&c, argc, argv);
	argc -= used;
	argv += used;
	cmd = ctl_find(argc, argv);
	used = ctl_cmd_words(cmd, argc, argv, NULL);
	ctl_cmd_help(cmd, argc - used, argv + used);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmd->fn(&c, cmd, argc - used, argv + used);
	curl_global_cleanup();
	config_free(c.conf);
	return rc;
}
