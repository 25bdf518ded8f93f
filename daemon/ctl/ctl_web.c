/*
 * ctl_web.c: the stoppvifctl commands of the web console's accounts:
 *
 *	web user add NAME --role coordinator|oncall|viewer [--person ID]
 *	    [--lang fr|nl|de|en]
 *	web user passwd NAME
 *	web user list
 *	web user remove NAME
 *
 * The password is never an argument (the process list would show it): it
 * is asked twice without echo when standard input is a terminal, else read
 * as one line of standard input.  The daemon checks the name, the password
 * and the role; the buffers that held the password are wiped.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "utf8.h"
#include "util.h"

/* Bytes of a password read, at most (the daemon takes fewer). */
#define CTL_PASS_MAX	1024

/* The account NAME of a command: UTF-8, or exit 2. */
static const char *
ctl_web_name(const char *name)
{
	if (*name == '\0' || !utf8_valid(name, strlen(name)))
		ctl_die(EXIT_USAGE, "NAME : nom de compte en texte UTF-8 "
		    "attendu");
	return name;
}

/*
 * One line of fd into buf (len bytes), read byte by byte so that no stdio
 * buffer keeps a copy; "\n" or "\r\n" stripped.  Its length, or -1 with
 * *why set (buf wiped).
 */
static ssize_t
ctl_web_line(int fd, char *buf, size_t len, const char **why)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || (r == 1 && (ch == '\0' || n + 1 >= len))) {
			sodium_memzero(buf, len);
			if (r == -1)
				*why = "lecture du mot de passe impossible";
			else if (ch == '\0')
				*why = "le mot de passe contient un octet nul";
			else
				*why = "mot de passe trop long";
			return -1;
		}
		if (r == 0 || ch == '\n')
			break;
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Ask prompt on the terminal and read the answer without echo; as
 * ctl_web_line(), the terminal restored. */
static ssize_t
ctl_web_ask(const char *prompt, char *buf, size_t len, const char **why)
{
	struct termios	 old, quiet;
	ssize_t		 n;
	int		 restore;

	/* echo off first: what is typed after the prompt is never shown */
	restore = tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stderr);
	fflush(stderr);
	n = ctl_web_line(STDIN_FILENO, buf, len, why);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return n;
}

/*
 * The new password into buf (CTL_PASS_MAX bytes): asked twice on a
 * terminal, else one line of standard input.  Exits 1 when it cannot be
 * read, is empty or when the two differ, having wiped what it read.
 */
static void
ctl_web_password(char *buf)
{
	char		 again[CTL_PASS_MAX];
	const char	*why = NULL;
	ssize_t		 n;
	int		 same;

	if (!isatty(STDIN_FILENO))
		n = ctl_web_line(STDIN_FILENO, buf, CTL_PASS_MAX, &why);
	else if ((n = ctl_web_ask("Mot de passe : ", buf, CTL_PASS_MAX,
	    &why)) > 0) {
		if (ctl_web_ask("Encore une fois : ", again, sizeof again,
		    &why) == -1)
			n = -1;
		same = n > 0 && strcmp(buf, again) == 0;
		sodium_memzero(again, sizeof again);
		if (n > 0 && !same)
			why = "les deux mots de passe diffèrent : rien n'est "
			    "changé";
		if (!same)
			n = -1;
	}
	if (n == 0)
		why = isatty(STDIN_FILENO) ? "mot de passe vide" : "mot de "
		    "passe vide : donnez-le sur l'entrée standard (une ligne)";
	if (n <= 0) {
		sodium_memzero(buf, CTL_PASS_MAX);
		ctl_die(EXIT_REFUSED, "%s", why);
	}
}

/* Send body (a POST of an account) with the password read now; the
 * answer.  body is freed, the password wiped. */
static json_t *
ctl_web_post(struct ctl *c, json_t *body)
{
	char	 pw[CTL_PASS_MAX];
	json_t	*ans, *v;

	ctl_web_password(pw);
	if ((v = json_string(pw)) == NULL) {
		sodium_memzero(pw, sizeof pw);
		json_decref(body);
		ctl_die(EXIT_REFUSED, "mot de passe : texte UTF-8 attendu");
	}
	sodium_memzero(pw, sizeof pw);
	json_object_set_new(body, "password", v);
	ans = ctl_call(c, "POST", "/v1/web/users", body);
	json_decref(body);
	return ans;
}

/* web user add NAME --role R [--person ID] [--lang L] */
int
ctl_web_user_add(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "person", required_argument, NULL, 'p' },
		{ "lang", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*role = NULL, *lang = NULL, *person = NULL, *name;
	json_t		*body, *ans;
	int64_t		 pid;
	int		 ch;

	optind = 0;	/* GNU getopt permutes: NAME may come first */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch == 'r')
			role = optarg;
		else if (ch == 'p')
			person = optarg;
		else if (ch == 'l')
			lang = optarg;
		else
			ctl_cmd_usage(cmd);
	}
	if (role == NULL || argc + 1 - optind != 1)
		ctl_cmd_usage(cmd);
	name = ctl_web_name(argv[optind - 1]);
	body = json_object();
	ctl_body_set(body, "name", name);
	ctl_body_set(body, "role", role);
	if (lang != NULL)
		ctl_body_set(body, "lang", lang);
	if (person != NULL) {
		if (util_parse_int(person, 1, INT64_MAX, &pid) == -1)
			ctl_die(EXIT_USAGE, "--person : numéro de personne "
			    "attendu (stoppvifctl people list)");
		json_object_set_new(body, "person", json_integer(pid));
	}
	ans = ctl_web_post(c, body);
	if (c->json) {
		ctl_print_json(ans);
		json_decref(ans);
		return 0;
	}
	json_decref(ans);
	/* the daemon took the name: a-z 0-9 . _ - and capitals it folded */
	printf("compte ");
	for (; *name != '\0'; name++)
		putchar(tolower((unsigned char)*name));
	printf(" ajouté : %s\n", role);
	return 0;
}

/*
 * The account named name (any case) in the list the daemon gives: a new
 * reference, or exits 1 saying there is none.
 */
static json_t *
ctl_web_find(struct ctl *c, const char *name)
{
	json_t		*list, *o, *found = NULL;
	const char	*have;
	size_t		 i;

	list = ctl_call(c, "GET", "/v1/web/users", NULL);
	json_array_foreach(list, i, o) {
		have = ctl_str(o, "name");
		if (have != NULL && strcasecmp(have, name) == 0 &&
		    strlen(have) == strlen(name)) {
			found = json_incref(o);
			break;
		}
	}
	json_decref(list);
	if (found == NULL)
		ctl_die(EXIT_REFUSED, "aucun compte ne s'appelle « %s » "
		    "(stoppvifctl web user list)", UTF8_CUT(name, 32));
	return found;
}

/* web user passwd NAME: a new password, the rest kept. */
int
ctl_web_user_passwd(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*u, *body;

	if (argc != 1 || argv[0][0] == '-')
		ctl_cmd_usage(cmd);
	u = ctl_web_find(c, ctl_web_name(argv[0]));
	body = json_pack("{sO sO sO sO sb}", "name", json_object_get(u, "name"),
	    "role", json_object_get(u, "role"), "person",
	    json_object_get(u, "person"), "lang", json_object_get(u, "lang"),
	    "replace", 1);
	if (body == NULL)
		ctl_die(EXIT_REFUSED, "réponse du démon incomplète");
	ctl_done(c, ctl_web_post(c, body), "mot de passe du compte %s "
	    "changé\n", ctl_str(u, "name"));
	json_decref(u);
	return 0;
}

/* One account as a row of display text. */
static json_t *
ctl_web_view(struct ctl *c, json_t *u)
{
	json_t		*v = json_copy(u);
	const char	*last = ctl_str(u, "last_login");

	if (!json_is_integer(json_object_get(u, "person")))
		ctl_set_text(v, "person", xstrdup("-"));
	ctl_set_text(v, "last_login", last == NULL ? xstrdup("jamais") :
	    ctl_utc_when(c, last, DATEFMT_LONG));
	return v;
}

/* The accounts for people: a table, or a line when there is none. */
static void
ctl_web_print(struct ctl *c, json_t *ans)
{
	static const struct ctl_col cols[] = {
		{ "NOM", "name", 0 }, { "RÔLE", "role", 0 },
		{ "PERSONNE", "person", 0 }, { "LANGUE", "lang", 0 },
		{ "DERNIÈRE CONNEXION", "last_login", CTL_COL_WRAP },
	};

	if (json_array_size(ans) == 0)
		printf("aucun compte : stoppvifctl web user add NAME --role "
		    "coordinator|oncall|viewer\n");
	else
		ctl_view_table(c, ans, cols, nitems(cols), ctl_web_view);
}

/* web user list */
int
ctl_web_user_list(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	if (argc != 0)
		ctl_cmd_usage(cmd);
	ctl_answer(c, ctl_call(c, "GET", "/v1/web/users", NULL),
	    ctl_web_print);
	return 0;
}

/* web user remove NAME */
int
ctl_web_user_remove(struct ctl *c, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*u;
	char	*path;

	if (argc != 1 || argv[0][0] == '-')
		ctl_cmd_usage(cmd);
	u = ctl_web_find(c, ctl_web_name(argv[0]));
	xasprintf(&path, "/v1/web/users/%s", ctl_str(u, "name"));
	ctl_done(c, ctl_call(c, "DELETE", path, NULL), "compte %s supprimé\n",
	    ctl_str(u, "name"));
	free(path);
	json_decref(u);
	return 0;
}
