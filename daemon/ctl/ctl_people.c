/*
 * ctl_people.c: the stoppvifctl commands of the directory:
 *
 *	people add --name N --role R[,R...] [--commune C] [--org O]
 *	    [--email E] [--phone +32...] [--lang fr|nl|de|en] [--pubkey KEY]
 *	    [--quiet-hours HH:MM-HH:MM|none]
 *	    [--smime-cert FILE | --openpgp-key FILE | --no-mail-key]
 *	people list [--role R] | show ID | remove ID
 *	people edit ID [the flags of people add]
 *	people feed ID [--reset]
 *
 * The flags become the fields of a JSON person as the API takes them; the
 * daemon checks them (roles, phone numbers, languages) and says what is
 * wrong.  People are shown as a table, or one field a line.  A mail key is
 * given as its file, read here and sent in base64; the daemon keeps only
 * its public part and says why it refuses one.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "ctl_words.h"
#include "util.h"

#define CTL_MAILKEY_MAX	(64 * 1024)	/* bytes of a key file (mailcrypt.h) */

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
	{ "smime-cert", required_argument, NULL, 'S' },
	{ "openpgp-key", required_argument, NULL, 'P' },
	{ "no-mail-key", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 }
};

/* Why a key file cannot be read, in French. */
static const char *
ctl_file_error(int e)
{
	switch (e) {
	case ENOENT: return "fichier introuvable";
	case EACCES: return "lecture refusée (droits du fichier)";
	case EISDIR: return "c'est un dossier, pas un fichier";
	default: return "lecture impossible";
	}
}

/*
 * Read key file path, at most CTL_MAILKEY_MAX bytes, into a new buffer;
 * exit 2 saying why when it cannot.
 */
static uint8_t *
ctl_key_read(const char *opt, const char *path, size_t *len)
{
	uint8_t	*buf = xmalloc(CTL_MAILKEY_MAX + 1);
	ssize_t	 n;
	int	 fd, e;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, buf + *len, CTL_MAILKEY_MAX + 1 - *len)) > 0)
		if ((*len += (size_t)n) > CTL_MAILKEY_MAX)
			break;
	if (n == -1)
		goto fail;
	close(fd);
	if (*len > CTL_MAILKEY_MAX || *len == 0) {
		sodium_memzero(buf, CTL_MAILKEY_MAX + 1);
		free(buf);
		ctl_die(EXIT_USAGE, "%s « %s » : %s", opt, path, *len == 0 ?
		    "fichier vide" : "fichier trop gros : un certificat ou une "
		    "clé publique fait au plus 64 Kio");
	}
	return buf;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	sodium_memzero(buf, CTL_MAILKEY_MAX + 1);
	free(buf);
	ctl_die(EXIT_USAGE, "%s « %s » : %s", opt, path, ctl_file_error(e));
}

/*
 * Set key (smime_cert, openpgp_key) of body to the base64 of file path.
 * The file may be a private key given by mistake: the copies read here are
 * wiped; the daemon refuses it.
 */
static void
ctl_key_set(json_t *body, const char *key, const char *opt,
    const char *path)
{
	uint8_t	*buf;
	char	*b64;
	size_t	 len, blen;

	if (json_object_get(body, "smime_cert") != NULL ||
	    json_object_get(body, "openpgp_key") != NULL ||
	    json_object_get(body, "mail_key") != NULL)
		ctl_die(EXIT_USAGE, "une seule clé de chiffrement : "
		    "--smime-cert, --openpgp-key ou --no-mail-key, un seul");
	if (path == NULL) {
		json_object_set_new(body, "mail_key", json_null());
		return;
	}
	buf = ctl_key_read(opt, path, &len);
	blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, buf, len, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(buf, len);
	free(buf);
	json_object_set_new(body, key, json_string(b64));
	sodium_memzero(b64, blen);
	free(b64);
}

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
		if (ch == 'S' || ch == 'P' || ch == 'N') {
			ctl_key_set(body, ch == 'S' ? "smime_cert" :
			    "openpgp_key", ch == 'S' ? "--smime-cert" :
			    "--openpgp-key", ch == 'N' ? NULL : optarg);
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

/*
 * A person's mail key: "S/MIME, expire le vendredi 12 mars 2027 (dans 95
 * jours)", or that their emails go in clear.
 */
static char *
ctl_mailkey_text(struct ctl *c, json_t *k)
{
	const char	*kind = ctl_str(k, "kind");
	json_t		*days = json_object_get(k, "days_left");
	char		*when, *s;
	long long	 n;

	if (kind == NULL)
		return xstrdup("aucun (les emails partent en clair)");
	kind = strcmp(kind, "smime") == 0 ? "S/MIME" : "OpenPGP";
	if (!json_is_integer(days)) {
		xasprintf(&s, "%s, sans date de fin", kind);
		return s;
	}
	n = (long long)json_integer_value(days);
	when = ctl_utc_when(c, ctl_str(k, "expires"), DATEFMT_DATE);
	if (n > 0)
		xasprintf(&s, "%s, expire le %s (dans %lld jour%s)", kind,
		    when, n, ctl_plural(n));
	else
		xasprintf(&s, "%s, a expiré le %s : les emails partent en "
		    "clair, demandez-lui une nouvelle clé", kind, when);
	free(when);
	return s;
}

/* Value text of a person's field: roles in words, the phone as people
 * write it, local times for the dates. */
static char *
ctl_person_cell(struct ctl *c, const char *key, json_t *v)
{
	if (strcmp(key, "mail_key") == 0)
		return ctl_mailkey_text(c, v);
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
		{ "chiffrement", "mail_key", 0 },
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
