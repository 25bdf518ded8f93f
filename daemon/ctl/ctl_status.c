/*
 * ctl_status.c: the stoppvifctl commands about the daemon itself:
 *
 *	status
 *	reload
 *	audit [--limit N]
 *	audit verify
 *	outbox list [--status pending|sent|failed|cancelled] [--show-body]
 *	outbox retry ID
 *
 * status sums up the daemon in a few lines (directory, calendar, outbox,
 * shelters); the others show its audit log and check its chain, show the
 * queue of messages it sends, and let a failed message go again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "ctl_words.h"
#include "utf8.h"
#include "util.h"

#define CTL_STATUS_REASON	160	/* characters of a channel's error */

/* How long the daemon has been up, its pid and version. */
static void
ctl_status_daemon(json_t *s)
{
	long	 up = (long)json_integer_value(json_object_get(s, "uptime"));

	printf("stoppvifd %s, pid %lld, en marche depuis %ldj %02ldh%02ldm\n",
	    json_string_value(json_object_get(s, "version")),
	    (long long)json_integer_value(json_object_get(s, "pid")),
	    up / 86400, up / 3600 % 24, up / 60 % 60);
}

/* A readiness check's name in words: "base de données", "canal SMS". */
static void
ctl_status_check_name(const char *check, char *buf, size_t len)
{
	if (check == NULL)
		snprintf(buf, len, "?");
	else if (strcmp(check, "database") == 0)
		snprintf(buf, len, "base de données");
	else if (strcmp(check, "scheduler") == 0)
		snprintf(buf, len, "planificateur de rappels");
	else if (strncmp(check, "channel ", 8) == 0)
		snprintf(buf, len, "canal %s", ctl_word(CTL_W_CHANNEL,
		    check + 8));
	else
		snprintf(buf, len, "%s", check);
}

/* The readiness checks (those of /readyz): "prêt : oui", or each failing
 * one on a line of its own. */
static void
ctl_status_ready(json_t *s)
{
	json_t	*ck;
	char	 name[64];
	size_t	 i;
	int	 ok = 1;

	json_array_foreach(json_object_get(s, "ready"), i, ck)
		ok &= json_is_true(json_object_get(ck, "ok"));
	if (json_object_get(s, "ready") == NULL)
		return;
	printf("prêt : %s\n", ok ? "oui (base de données, canaux, "
	    "planificateur)" : "NON");
	json_array_foreach(json_object_get(s, "ready"), i, ck) {
		if (json_is_true(json_object_get(ck, "ok")))
			continue;
		ctl_status_check_name(ctl_str(ck, "check"), name, sizeof name);
		printf("  %s : %s\n", name, ctl_str(ck, "problem") ?
		    ctl_str(ck, "problem") : "?");
	}
}

/*
 * Each channel's last success and last error: "canal SMS : dernier envoi
 * réussi : mardi 8 décembre 2026 à 14h05", then "dernière erreur : ...".
 */
static void
ctl_status_channels(struct ctl *c, json_t *s)
{
	const char	*name, *reason;
	json_t		*ch, *err;
	char		*when;

	json_object_foreach(json_object_get(s, "channels"), name, ch) {
		printf("canal %s :\n", ctl_word(CTL_W_CHANNEL, name));
		when = ctl_str(ch, "last_success") != NULL ? ctl_utc_when(c,
		    ctl_str(ch, "last_success"), DATEFMT_LONG) :
		    xstrdup("aucun");
		printf("  dernier envoi réussi : %s\n", when);
		free(when);
		err = json_object_get(ch, "last_error");
		if (!json_is_object(err)) {
			printf("  dernière erreur : aucune depuis le "
			    "démarrage\n");
			continue;
		}
		when = ctl_utc_when(c, ctl_str(err, "at"), DATEFMT_LONG);
		reason = ctl_str(err, "reason");
		printf("  dernière erreur : %s — %s\n", when, reason != NULL ?
		    UTF8_CUT(reason, CTL_STATUS_REASON) : "?");
		free(when);
	}
}

/* The outbox counts and the next reminder of a status answer. */
static void
ctl_status_outbox(json_t *s)
{
	json_t	*o = json_object_get(s, "outbox");
	json_t	*next = json_object_get(json_object_get(s, "scheduler"),
		    "next_reminder");
	char	*when;

	printf("messages : %lld en attente, %lld envoyé(s), %lld en échec, "
	    "%lld annulé(s)\n",
	    (long long)json_integer_value(json_object_get(o, "pending")),
	    (long long)json_integer_value(json_object_get(o, "sent")),
	    (long long)json_integer_value(json_object_get(o, "failed")),
	    (long long)json_integer_value(json_object_get(o, "cancelled")));
	/* of those sent, what the phones said (SMS delivery reports) */
	if (json_integer_value(json_object_get(o, "delivered")) > 0 ||
	    json_integer_value(json_object_get(o, "undelivered")) > 0)
		printf("  SMS : %lld délivré(s), %lld non délivré(s)\n",
		    (long long)json_integer_value(json_object_get(o,
		    "delivered")), (long long)json_integer_value(
		    json_object_get(o, "undelivered")));
	when = json_is_string(next) ? ctl_localtime(json_string_value(next)) :
	    xstrdup("aucun");
	printf("prochain rappel : %s\n", when);
	free(when);
}

/* The shelter lines of status: "logement aisova : occupé depuis ...". */
static void
ctl_status_shelters(struct ctl *c, json_t *s)
{
	json_t		*sh;
	const char	*state, *code;
	char		*since;
	size_t		 i;

	json_array_foreach(json_object_get(s, "shelters"), i, sh) {
		state = ctl_str(sh, "state");
		code = ctl_str(sh, "code");
		printf("logement %s : ", ctl_str(sh, "name") ? ctl_str(sh,
		    "name") : "?");
		if (code != NULL && state != NULL &&
		    strcmp(state, "vacant") == 0)
			printf("libre (alerte %s ouverte)", code);
		else if (json_is_true(json_object_get(sh, "alert_open")))
			printf("libre (alerte ouverte)");
		else if (code != NULL)
			printf("%s (alerte %s)", ctl_word(CTL_W_SHELTER,
			    state), code);
		else
			printf("%s", ctl_word(CTL_W_SHELTER, state));
		since = ctl_when_of(c, sh, "since");
		if (ctl_str(sh, "since") != NULL)
			printf(" depuis %s", since);
		free(since);
		putchar('\n');
	}
}

#define CTL_STATUS_COLS	100	/* the longest line of status */

/*
 * The mail keys near their end: "clé de chiffrement de Anne (12) : expire
 * dans 12 jours — demandez-lui un nouveau certificat", the name cut so that
 * the line fits.  A viewer gets no names, only numbers.
 */
static void
ctl_status_mailkeys(json_t *s)
{
	json_t		*k;
	const char	*name;
	char		 who[48], tail[128], cut[4 * CTL_STATUS_COLS + 8];
	size_t		 i, room;
	long long	 n;

	json_array_foreach(json_object_get(s, "mail_keys_expiring"), i, k) {
		n = ctl_num(k, "days_left");
		if (n > 0)
			snprintf(tail, sizeof tail, "expire dans %lld jour%s",
			    n, ctl_plural(n));
		else
			snprintf(tail, sizeof tail, "a expiré");
		util_strlcat(tail, strcmp(ctl_str(k, "kind") ? ctl_str(k,
		    "kind") : "", "smime") == 0 ? " — demandez-lui un nouveau "
		    "certificat" : " — demandez-lui une nouvelle clé",
		    sizeof tail);
		if ((name = ctl_str(k, "name")) == NULL) {
			printf("clé de chiffrement de la personne %lld : %s\n",
			    ctl_num(k, "id"), tail);
			continue;
		}
		snprintf(who, sizeof who, " (%lld) : ", ctl_num(k, "id"));
		room = ctl_width("clé de chiffrement de ") + ctl_width(who) +
		    ctl_width(tail);
		/* utf8_cut adds its "…" to the characters it keeps */
		room = room + 9 < CTL_STATUS_COLS ? CTL_STATUS_COLS - room - 1 :
		    8;
		printf("clé de chiffrement de %s%s%s\n", utf8_cut(cut,
		    sizeof cut, name, room), who, tail);
	}
}

/*
 * The open alarms of the dead-man's switch, one line each: "alarme : canal
 * e-mail en échec depuis lun. 7 déc. 2026 14:05 (5 échecs)", with "message
 * retenu ([alarm] repeat)" when nobody was told yet.
 */
static void
ctl_status_alarms(struct ctl *c, json_t *s)
{
	json_t		*al;
	const char	*kind, *subject;
	char		*since;
	size_t		 i;

	json_array_foreach(json_object_get(s, "alarms"), i, al) {
		kind = ctl_str(al, "kind") ? ctl_str(al, "kind") : "";
		subject = ctl_str(al, "subject") ? ctl_str(al, "subject") : "";
		since = ctl_when_of(c, al, "since");
		if (strcmp(kind, "channel") == 0)
			printf("alarme : canal %s en échec depuis %s (%lld "
			    "échecs)", ctl_word(CTL_W_CHANNEL, subject), since,
			    ctl_num(al, "count"));
		else if (strcmp(kind, "urgent_age") == 0)
			printf("alarme : un message urgent attend depuis %s",
			    since);
		else if (strcmp(kind, "no_report") == 0)
			printf("alarme : SMS urgents sans accusé de réception "
			    "depuis %s", since);
		else
			printf("alarme : alerte n° %s sans réponse depuis %s",
			    subject, since);
		printf("%s\n", json_is_true(json_object_get(al, "notified")) ?
		    "" : " — message retenu ([alarm] repeat)");
		free(since);
	}
}

/* A status answer for people. */
static void
ctl_status_print(struct ctl *c, json_t *s)
{
	ctl_status_daemon(s);
	ctl_status_ready(s);
	ctl_status_channels(c, s);
	printf("annuaire : %lld personne(s)\n", (long long)
	    json_integer_value(json_object_get(s, "people")));
	printf("calendrier : %lld événement(s)\n", (long long)
	    json_integer_value(json_object_get(s, "events")));
	ctl_status_outbox(s);
	ctl_status_shelters(c, s);
	ctl_status_alarms(c, s);
	ctl_status_mailkeys(s);
	if (ctl_str(json_object_get(s, "caller"), "role") != NULL)
		printf("vous : %s\n", ctl_word(CTL_W_ACCESS, ctl_str(
		    json_object_get(s, "caller"), "role")));
}

/* status: the daemon in a few lines. */
int
ctl_status(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (argc != 0)
		ctl_cmd_usage(cmd);
	ctl_answer(c, ctl_call(c, "GET", "/v1/status", NULL), ctl_status_print);
	return 0;
}

/* reload: make the daemon read its configuration again. */
int
ctl_reload(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (argc != 0)
		ctl_cmd_usage(cmd);
	ctl_done(c, ctl_call(c, "POST", "/v1/reload", NULL),
	    "configuration rechargée\n");
	return 0;
}

/* Cell text for the audit table: local times, actions and objects in
 * words. */
static char *
ctl_audit_cell(struct ctl *c, const char *key, json_t *v)
{
	if (strcmp(key, "at") == 0)
		return ctl_localtime(json_string_value(v));
	if (strcmp(key, "action") == 0)
		return xstrdup(ctl_word(CTL_W_ACTION, json_string_value(v)));
	if (strcmp(key, "object") == 0)
		return ctl_object_text(json_string_value(v));
	if (strcmp(key, "actor") == 0)
		return ctl_actor_text(json_string_value(v));
	return ctl_text(v);
}

/* The audit log for people, saying when older entries are left out. */
static void
ctl_audit_print(struct ctl *c, json_t *ans, int64_t limit, int given)
{
	static const struct ctl_col cols[] = {
		{ "N°", "id", 0 }, { "QUAND", "at", 0 },
		{ "QUI", "actor", CTL_COL_WRAP },
		{ "ACTION", "action", CTL_COL_WRAP },
		{ "OBJET", "object", CTL_COL_WRAP }, { "ID", "object_id", 0 },
	};

	if (json_array_size(ans) == 0) {
		printf("journal vide\n");
		return;
	}
	ctl_table(c, ans, cols, nitems(cols), ctl_audit_cell);
	if ((int64_t)json_array_size(ans) >= limit)
		printf("(les %lld dernières entrées seulement%s)\n",
		    (long long)limit, given ? "" : " : --limit N pour en "
		    "voir plus");
}

/* audit: the last entries of the audit log. */
int
ctl_audit(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t	 limit = 50;
	char	*path;
	json_t	*ans;
	int	 ch, given = 0;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch != 'l')
			ctl_cmd_usage(cmd);
		given = 1;
		if (util_parse_int(optarg, 1, 100000, &limit) == -1)
			ctl_die(EXIT_USAGE, "--limit : nombre de 1 à 100000 "
			    "attendu");
	}
	if (optind != argc + 1)
		ctl_die(EXIT_USAGE, "audit : argument en trop « %s » ; usage : "
		    "audit [--limit N], ou audit verify", UTF8_CUT(
		    argv[optind - 1], 40));
	xasprintf(&path, "/v1/audit?limit=%lld", (long long)limit);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_audit_print(c, ans, limit, given);
	json_decref(ans);
	return 0;
}

/* One problem of a check: "entrée n° ID : reason", or the reason alone
 * when it is not about a row. */
static void
ctl_audit_problem(const char *lead, json_t *p)
{
	json_t	*id = json_object_get(p, "id");

	if (json_is_integer(id))
		printf("%sentrée n° %lld : %s\n", lead,
		    (long long)json_integer_value(id), ctl_str(p, "reason"));
	else
		printf("%s%s\n", lead, ctl_str(p, "reason"));
}

/* The answer of a check of the chain, for people. */
static void
ctl_audit_verdict(json_t *ans)
{
	json_t		*p;
	long long	 entries = ctl_num(ans, "entries"),
			 pruned = ctl_num(ans, "pruned_to");
	size_t		 i;

	if (json_is_true(json_object_get(ans, "ok"))) {
		if (entries == 0)
			printf("journal d'audit vide : chaîne intacte");
		else
			printf("journal d'audit intact : %lld entrée%s "
			    "vérifiée%s (n° %lld à %lld)", entries,
			    ctl_plural(entries), ctl_plural(entries),
			    ctl_num(ans, "first"), ctl_num(ans, "last"));
		if (pruned > 0)
			printf(" ; les entrées jusqu'au n° %lld ont été "
			    "élaguées ([privacy] keep_audit)", pruned);
		printf("\n");
		return;
	}
	ctl_audit_problem("journal d'audit ALTÉRÉ : ", ans);
	json_array_foreach(json_object_get(ans, "problems"), i, p)
		if (i > 0)
			ctl_audit_problem("  et ", p);
	if (ctl_num(ans, "problem_count") >
	    (long long)json_array_size(json_object_get(ans, "problems")))
		printf("  (%lld problèmes en tout)\n",
		    ctl_num(ans, "problem_count"));
	printf("Ces entrées ont été changées hors du démon, par quelqu'un qui "
	    "a pu écrire dans la base : comparez-les avec une sauvegarde et "
	    "avec le journal du système.\n");
}

/* audit verify: check the audit log's MAC chain; exit 1 when broken. */
int
ctl_audit_verify(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*ans;
	int	 ok;

	if (argc != 0)
		ctl_cmd_usage(cmd);
	ans = ctl_call(c, "GET", "/v1/audit/verify", NULL);
	ok = json_is_true(json_object_get(ans, "ok"));
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_audit_verdict(ans);
	json_decref(ans);
	return ok ? 0 : EXIT_REFUSED;
}

/* What each listed message says (--show-body), after the table. */
static void
ctl_outbox_bodies(json_t *rows)
{
	json_t	*m;
	char	*to;
	size_t	 i;

	json_array_foreach(rows, i, m) {
		to = ctl_phone_text(ctl_str(m, "to") ? ctl_str(m, "to") : "?");
		printf("\n— message %lld à %s\n", (long long)json_integer_value(
		    json_object_get(m, "id")), to);
		free(to);
		if (ctl_str(m, "subject") != NULL)
			printf("Objet : %s\n", ctl_str(m, "subject"));
		if (ctl_str(m, "body") != NULL)
			printf("%s\n", ctl_str(m, "body"));
		else if (json_is_true(json_object_get(m, "erased")))
			printf("(contenu effacé : un message envoyé, en échec "
			    "ou annulé n'est gardé que le temps de [privacy] "
			    "keep_bodies)\n");
		else if (ctl_str(m, "render_error") != NULL)
			printf("(illisible : %s)\n", ctl_str(m,
			    "render_error"));
	}
}

/* Cell text for the outbox table: local times, states and kinds in
 * words. */
static char *
ctl_outbox_cell(struct ctl *c, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);

	if (strcmp(key, "not_before") == 0 || strcmp(key, "occurrence") == 0)
		return ctl_localtime(s);
	if (strcmp(key, "status") == 0)
		return xstrdup(ctl_word(CTL_W_OUTBOX, s));
	if (strcmp(key, "kind") == 0)
		return xstrdup(ctl_word(CTL_W_MESSAGE, s));
	if (strcmp(key, "channel") == 0)
		return xstrdup(ctl_word(CTL_W_CHANNEL, s));
	return ctl_text(v);
}

/* The path of outbox list: the status asked for, and the bodies. */
static char *
ctl_outbox_path(const char *status, int bodies)
{
	char	*path, *esc;

	esc = curl_easy_escape(NULL, status ? status : "", 0);
	xasprintf(&path, "/v1/outbox?limit=1000%s%s%s", status ? "&status=" :
	    "", status ? esc : "", bodies ? "&body=1" : "");
	curl_free(esc);
	return path;
}

/* The messages of outbox list for people. */
static void
ctl_outbox_print(struct ctl *c, json_t *ans, const char *status, int bodies)
{
	static const struct ctl_col cols[] = {
		{ "N°", "id", 0 }, { "ÉTAT", "status", 0 },
		{ "TYPE", "kind", CTL_COL_WRAP }, { "CANAL", "channel", 0 },
		{ "PERSONNE", "person", 0 },
		{ "ÉVÉNEMENT", "event", CTL_COL_OPT },
		{ "OCCURRENCE", "occurrence", CTL_COL_OPT },
		{ "À PARTIR DE", "not_before", 0 }, { "ESSAIS", "attempts", 0 },
	};

	if (json_array_size(ans) == 0)
		printf("aucun message%s%s\n", status ? " à l'état " : "",
		    status ? ctl_word(CTL_W_OUTBOX, status) : "");
	else
		ctl_table(c, ans, cols, nitems(cols), ctl_outbox_cell);
	if (bodies)
		ctl_outbox_bodies(ans);
}

/* outbox list: the queued messages, of one status with --status. */
int
ctl_outbox_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "show-body", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*status = NULL;
	char		*path;
	json_t		*ans;
	int		 ch, bodies = 0;

	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		if (ch == 'b')
			bodies = 1;
		else if (ch == 's')
			status = optarg;
		else
			ctl_cmd_usage(cmd);
	}
	if (optind != argc + 1)
		ctl_cmd_usage(cmd);
	path = ctl_outbox_path(status, bodies);
	ans = ctl_call(c, "GET", path, NULL);
	free(path);
	if (c->json)
		ctl_print_json(ans);
	else
		ctl_outbox_print(c, ans, status, bodies);
	json_decref(ans);
	return 0;
}

/* outbox retry ID: send a message again now. */
int
ctl_outbox_retry(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int64_t	 id = ctl_id(argc, argv, cmd);

	ctl_done(c, ctl_call_id(c, "POST", "/v1/outbox", id, NULL),
	    "message %lld remis en file : il part maintenant\n",
	    (long long)id);
	return 0;
}
