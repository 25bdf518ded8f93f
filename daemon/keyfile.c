/*
 * keyfile.c: the master key's place, and the secret files the daemon reads.
 *
 * The key used to live in the state folder, beside the database it opens:
 * whoever copied that folder (a backup, a migration) took both.  Its
 * built-in place is now a folder of its own; a key found at the old place
 * is moved once, with the same care as its creation (a new file flushed,
 * renamed into place, its folder flushed, only then the old one removed),
 * and the move is logged in words the administrator can act on.
 *
 * Under systemd the key may also come from LoadCredential=, which copies it
 * into a private, read-only folder for the service alone.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "crypt.h"
#include "keyfile.h"
#include "log.h"
#include "util.h"

#define KEYFILE_OLD_NAME	"master.key"	/* in state_dir, before */
#define KEYFILE_DIR_MODE	0700

int
keyfile_is_credential(const struct config *conf)
{
	return strncmp(conf->key_file, CONFIG_CREDENTIAL,
	    strlen(CONFIG_CREDENTIAL)) == 0;
}

char *
keyfile_path(const struct config *conf, char **cause)
{
	const char	*dir, *name;
	char		*path;

	if (!keyfile_is_credential(conf))
		return xstrdup(conf->key_file);
	name = conf->key_file + strlen(CONFIG_CREDENTIAL);
	if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL || *dir != '/') {
		util_cause(cause, "%s: [crypto] key_file = %s, mais "
		    "$CREDENTIALS_DIRECTORY n'est pas défini : démarrez "
		    "stoppvifd par son unité systemd avec LoadCredential=%s:"
		    "CHEMIN, ou donnez à key_file le chemin de la clé",
		    conf->file, conf->key_file, name);
		return NULL;
	}
	xasprintf(&path, "%s/%s", dir, name);
	return path;
}

/*
 * Check the secret file path (what: "[crypto] key_file") when it exists:
 * a regular file; with uid, of that uid and mode 0600 or stricter, as
 * crypt.c will require when it opens it; without (a credential, which
 * systemd shares by an ACL), neither writable by group or others nor
 * readable by others.
 */
static void
kf_secret(const struct config *conf, const char *what, const char *path,
    const uid_t *uid, char **errs)
{
	struct stat	 sb;
	mode_t		 bad = uid != NULL ? 077 : (S_IWGRP | S_IRWXO);

	if (lstat(path, &sb) == -1) {
		if (errno != ENOENT)
			util_append_line(errs,
			    "%s: %s: %s : %s", conf->file, what,
			    path, strerror(errno));
		return;
	}
	if (S_ISLNK(sb.st_mode))
		util_append_line(errs,
		    "%s: %s: %s est un lien symbolique : nommez le "
		    "vrai fichier", conf->file, what, path);
	else if (!S_ISREG(sb.st_mode))
		util_append_line(errs,
		    "%s: %s: %s n'est pas un fichier ordinaire",
		    conf->file, what, path);
	else if (uid != NULL && sb.st_uid != *uid)
		util_append_line(errs,
		    "%s: %s: %s appartient à l'uid %u, pas à l'uid "
		    "%u qui fera tourner stoppvifd : chown %u %s", conf->file,
		    what, path, (unsigned)sb.st_uid, (unsigned)*uid,
		    (unsigned)*uid, path);
	else if (sb.st_mode & bad)
		util_append_line(errs,
		    "%s: %s: %s a le mode %04o : un secret ne doit "
		    "être ni modifiable par le groupe ou les autres, ni "
		    "lisible par les autres ; corrigez avec : chmod 600 %s",
		    conf->file, what, path, (unsigned)(sb.st_mode & 07777),
		    path);
}

int
keyfile_check(const struct config *conf, uid_t uid, char **cause)
{
	char	*errs = NULL, *path;

	if (!keyfile_is_credential(conf))
		kf_secret(conf, "[crypto] key_file", conf->key_file, &uid,
		    &errs);
	else if (getenv("CREDENTIALS_DIRECTORY") != NULL &&
	    (path = keyfile_path(conf, &errs)) != NULL) {
		kf_secret(conf, "[crypto] key_file", path, NULL, &errs);
		free(path);
	}
	if (*conf->sms_listen != '\0')
		kf_secret(conf, "[inbound] sms_secret_file",
		    conf->sms_secret_file, &uid, &errs);
	if (errs == NULL)
		return 0;
	free(*cause);
	*cause = errs;
	return -1;
}

/*
 * Read exactly CRYPT_KEYBYTES from the key file path into raw: a regular
 * file of that size (with own, of our uid and private).  0, or -1 with
 * *cause.
 */
static int
kf_read(const char *path, int own, uint8_t *raw, char **cause)
{
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		util_cause(cause, "%s : %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size != CRYPT_KEYBYTES || (own && (sb.st_uid != geteuid() ||
	    (sb.st_mode & 077) != 0))) {
		util_cause(cause, "%s : pas une clé maîtresse utilisable (un "
		    "fichier ordinaire de %d octets%s)", path, CRYPT_KEYBYTES,
		    own ? ", à l'utilisateur de stoppvifd, mode 0600" : "");
		close(fd);
		return -1;
	}
	n = read(fd, raw, CRYPT_KEYBYTES);
	close(fd);
	if (n != CRYPT_KEYBYTES) {
		util_cause(cause, "%s : lecture incomplète", path);
		sodium_memzero(raw, CRYPT_KEYBYTES);
		return -1;
	}
	return 0;
}

struct crypt_key *
keyfile_credential(const char *path, char **cause)
{
	struct crypt_key	*key;
	uint8_t			 raw[CRYPT_KEYBYTES];

	if (kf_read(path, 0, raw, cause) == -1)
		return NULL;
	key = crypt_key_from_bytes(raw);
	sodium_memzero(raw, sizeof raw);
	return key;
}

/* Flush the folder of path, so that a rename or unlink in it lasts. */
static int
kf_sync_dir(const char *path)
{
	char	*dir = util_dirname(path);
	int	 fd, rc = -1;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/* Write the key bytes raw to path, atomically (tmp, then rename), in its
 * folder (keyfile_prepare made it). */
static int
kf_write(const char *path, const uint8_t *raw, char **cause)
{
	char	*tmp;
	int	 fd, rc = -1;

	xasprintf(&tmp, "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		util_cause(cause, "%s : %s", tmp, strerror(errno));
		goto out;
	}
	if (write(fd, raw, CRYPT_KEYBYTES) != CRYPT_KEYBYTES ||
	    fsync(fd) == -1) {
		util_cause(cause, "%s : %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		util_cause(cause, "%s : %s", path, strerror(errno));
		goto fail;
	}
	if (kf_sync_dir(path) == -1)
		util_cause(cause, "%s : %s", path, strerror(errno));
	else
		rc = 0;
	goto out;
fail:
	unlink(tmp);
out:
	free(tmp);
	return rc;
}

/* Whether the files a and b hold the same key (both readable keys). */
static int
kf_same(const char *a, const char *b)
{
	uint8_t	 ka[CRYPT_KEYBYTES], kb[CRYPT_KEYBYTES];
	char	*cause = NULL;
	int	 same;

	same = kf_read(a, 1, ka, &cause) == 0 && kf_read(b, 1, kb, &cause) ==
	    0 && sodium_memcmp(ka, kb, sizeof ka) == 0;
	sodium_memzero(ka, sizeof ka);
	sodium_memzero(kb, sizeof kb);
	free(cause);
	return same;
}

/* Move the key at old to path; fatal with the manual steps on failure. */
static void
kf_move(const char *old, const char *path)
{
	uint8_t	 raw[CRYPT_KEYBYTES];
	char	*cause = NULL;

	if (kf_read(old, 1, raw, &cause) == -1 ||
	    kf_write(path, raw, &cause) == -1) {
		sodium_memzero(raw, sizeof raw);
		fatalx("crypto key_move_failed error=\"la clé maîtresse est "
		    "maintenant lue dans %s, hors du dossier d'état, mais "
		    "l'ancienne, %s, n'a pas pu y être déplacée (%s).  "
		    "Déplacez-la vous-même, stoppvifd arrêté : install -d -m "
		    "700 -o UTILISATEUR $(dirname %s) && mv %s %s\"",
		    LOG_QUOTE(path), LOG_QUOTE(old), LOG_QUOTE(cause),
		    LOG_QUOTE(path), LOG_QUOTE(old), LOG_QUOTE(path));
	}
	sodium_memzero(raw, sizeof raw);
	if (unlink(old) == -1 || kf_sync_dir(old) == -1)
		fatal("crypto key_move_failed hint=\"clé maîtresse copiée dans "
		    "%s, mais l'ancienne %s n'a pas pu être supprimée : "
		    "supprimez-la vous-même\"", LOG_QUOTE(path),
		    LOG_QUOTE(old));
	log_warnx("crypto key_moved from=%s to=%s hint=\"la clé maîtresse "
	    "n'est plus dans le dossier d'état : ses sauvegardes ne la portent "
	    "plus.  Sauvegardez maintenant %s à part, une fois, comme "
	    "l'ancienne\"", old, path, LOG_QUOTE(path));
}

void
keyfile_prepare(const struct config *conf, const char *path)
{
	struct stat	 sb;
	char		*old, *dir;

	if (keyfile_is_credential(conf))
		return;
	/* its own folder, as the state folder is made (a failure shows
	 * when the key is created) */
	dir = util_dirname(path);
	if (mkdir(dir, KEYFILE_DIR_MODE) == 0)
		log_info("crypto key_folder_created path=%s mode=%04o", dir,
		    (unsigned)KEYFILE_DIR_MODE);
	free(dir);
	xasprintf(&old, "%s/%s", conf->state_dir, KEYFILE_OLD_NAME);
	if (strcmp(old, path) == 0 || lstat(old, &sb) == -1)
		goto out;
	if (lstat(path, &sb) == -1 && errno == ENOENT)
		kf_move(old, path);
	else if (kf_same(old, path)) {
		/* a move stopped between the copy and the removal */
		if (unlink(old) == 0 && kf_sync_dir(old) == 0)
			log_warnx("crypto key_moved from=%s to=%s hint=\"fin "
			    "d'un déplacement interrompu : l'ancienne copie "
			    "est supprimée\"", old, path);
	} else
		log_warnx("crypto old_key_left file=%s hint=\"une autre clé "
		    "maîtresse est restée dans le dossier d'état, que ses "
		    "sauvegardes emportent ; stoppvifd lit %s : si elle ne "
		    "sert plus, supprimez-la\"", old, LOG_QUOTE(path));
out:
	free(old);
}
