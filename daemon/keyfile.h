/*
 * keyfile.h: where the master key is, and the files of secrets that
 * stoppvifd reads itself (the key, the SMS gateway's secret).
 *
 * [crypto] key_file is a path (built in: /var/lib/stoppvif-key/master.key,
 * out of the state folder so that its backups do not carry the key) or
 * credential:NAME, the file NAME of $CREDENTIALS_DIRECTORY that systemd's
 * LoadCredential= provides.  A key left at the old place, state_dir/
 * master.key, is moved once to the configured one, and the move logged.
 */
#ifndef STOPPVIF_KEYFILE_H
#define STOPPVIF_KEYFILE_H

#include <sys/types.h>

struct config;
struct crypt_key;

/* Whether key_file names a systemd credential. */
int		 keyfile_is_credential(const struct config *);

/*
 * The file key_file names (new string): the path, or
 * $CREDENTIALS_DIRECTORY/NAME; NULL with *cause when that variable is
 * unset.
 */
char		*keyfile_path(const struct config *, char **cause);

/*
 * For -t and the start: the key file and, with sms_listen, the SMS
 * secret, when they exist, are regular files of uid (a credential: of
 * systemd's) that neither the group nor others may open.  A credential
 * is only checked where $CREDENTIALS_DIRECTORY is set.  0, or -1 with
 * *cause (one problem a line, each with its fix).
 */
int		 keyfile_check(const struct config *, uid_t uid, char **cause);

/*
 * Before the key is loaded from path (not a credential): make its folder,
 * mode 0700, when missing.  When path is missing and the old default
 * state_dir/master.key exists, move that key there (copied, flushed,
 * renamed into place, then the old one removed) and log it once; finish a
 * move that stopped half way; warn while another key stays in the state
 * folder.  fatal, with the commands to do it by hand, when the move fails.
 */
void		 keyfile_prepare(const struct config *, const char *path);

/*
 * The master key from a credential file: 32 bytes, a regular file.  NULL
 * with *cause.
 */
struct crypt_key *keyfile_credential(const char *path, char **cause);

#endif
