/*
 * spool.c: the spool channel, each message written as one file in a folder.
 *
 * The embedded default channel: the daemon does its whole job on a machine
 * with no mail server and no SMS gateway, and a person (or a script) reads
 * the folder.  The folder (key dir, default "spool" under the state folder)
 * is created 0700 when missing and refused when writable by group or
 * others, or owned by another user.
 *
 * File names are ID-KEY.eml for an email (a message with a subject, or to
 * an address with "@") and ID-KEY.sms for an SMS: ID is the outbox id, KEY
 * the outbox key with every character but [A-Za-z0-9._-] turned into "_".
 * The id makes the name unique, and the same message always gets the same
 * name, so sending it again after a crash replaces the file instead of
 * adding one.  The names are a contract with the host, which deletes the
 * files by them ([privacy] keep_spool after they were written, and a
 * person's at their erasure: daemon/delivery/retention.c): the plugin ABI
 * has no timer, and this plugin never deletes a file itself.
 *
 * Each file is written atomically, mode 0600: into ".NAME.tmp" in the same
 * folder, fsync, rename over NAME, fsync of the folder.  A reader never
 * sees half a message; a reader globbing *.eml or *.sms never sees the
 * temporary file.  Content:
 *
 *	email	To, Subject, Date (from created, UTC), Message-ID (the key,
 *		<KEY@stoppvif> with characters outside RFC 5322 atext
 *		percent-encoded), MIME headers for UTF-8 text, a blank line and
 *		the body (headers as UTF-8, RFC 6532; line ends LF)
 *	SMS	"To: +32...\n\n" then the text, as is
 *
 * An email the host wants encrypted (msg->encrypt) gets a From
 * (noreply@stoppvif) and a bare To, is handed to the host's encrypt(), and
 * the file holds what comes back: the wrapped message, CRLF, with only its
 * neutral header in clear.
 *
 * The outcome is given from inside send(): SV_SENT with "spooled NAME", or
 * SV_RETRY with the failing step and strerror text ("write: No space left
 * on device").  Nothing is logged but ids and file names.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stoppvif_plugin.h"

#define SPOOL_KEY_MAX	160		/* bytes of the key in a file name */
#define SPOOL_MSGID_HOST "stoppvif"
#define SPOOL_FROM	"noreply@" SPOOL_MSGID_HOST	/* of encrypted mail */

struct spool {
	struct sv_host	*host;
	char		*dir;
	int		 dfd;
	int		 errors;
};

struct spool_buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

static const struct sv_host_api *api;

const struct sv_channel_ops *stoppvif_plugin_entry(const struct sv_host_api *);

static void
buf_add(struct spool_buf *b, const char *p, size_t n)
{
	size_t	 cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct spool_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* s as a header value: control characters (CR, LF...) become spaces. */
static void
buf_header(struct spool_buf *b, const char *s)
{
	char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
		buf_add(b, &c, 1);
	}
}

static void __attribute__((format(printf, 3, 4)))
spool_error(struct spool *sp, const char *key, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	api->conf_error(sp->host, key, "%s", msg);
	sp->errors++;
}

/* Check an existing folder: a directory, ours, not writable by others. */
static int
spool_check(struct spool *sp, const struct stat *st)
{
	if (!S_ISDIR(st->st_mode)) {
		spool_error(sp, "dir", "%s: not a folder", sp->dir);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		spool_error(sp, "dir", "%s: owned by uid %u, not by the daemon's "
		    "user (uid %u)", sp->dir, (unsigned)st->st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		spool_error(sp, "dir", "%s: writable by group or others (mode "
		    "%04o): chmod 0700 it", sp->dir,
		    (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* check_only: the folder is right, or missing with its parent there. */
static void
spool_check_only(struct spool *sp)
{
	struct stat	 st;
	char		*parent, *slash;

	if (stat(sp->dir, &st) == 0) {
		spool_check(sp, &st);
		return;
	}
	if (errno != ENOENT) {
		spool_error(sp, "dir", "%s: %s", sp->dir, strerror(errno));
		return;
	}
	if ((parent = strdup(sp->dir)) == NULL)
		abort();
	if ((slash = strrchr(parent, '/')) != NULL)
		*(slash == parent ? slash + 1 : slash) = '\0';
	else
		strcpy(parent, ".");
	/* The daemon makes its state folder at start: that parent may wait. */
	if ((stat(parent, &st) == -1 || !S_ISDIR(st.st_mode)) &&
	    strcmp(parent, api->state_dir(sp->host)) != 0)
		spool_error(sp, "dir", "%s: its parent folder %s is missing",
		    sp->dir, parent);
	free(parent);
}

/* Create the folder when missing, open it and check it. */
static void
spool_open(struct spool *sp)
{
	struct stat	 st;
	int		 made = 0;

	if (mkdir(sp->dir, 0700) == 0)
		made = 1;
	else if (errno == ENOENT) {
		spool_error(sp, "dir", "%s: its parent folder is missing",
		    sp->dir);
		return;
	} else if (errno != EEXIST) {
		spool_error(sp, "dir", "%s: %s", sp->dir, strerror(errno));
		return;
	}
	sp->dfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dfd == -1 || fstat(sp->dfd, &st) == -1) {
		spool_error(sp, "dir", "%s: %s", sp->dir, strerror(errno));
		return;
	}
	if (made && (st.st_mode & 07777) != 0700 && fchmod(sp->dfd,
	    0700) == 0)
		st.st_mode = (st.st_mode & ~07777u) | 0700;
	if (spool_check(sp, &st) == 0 && made)
		api->log(sp->host, SV_LOG_INFO, "created dir=%s", sp->dir);
}

static void
spool_free(struct spool *sp)
{
	if (sp->dfd != -1)
		close(sp->dfd);
	free(sp->dir);
	free(sp);
}

static void *
spool_init(struct sv_host *host, int check_only)
{
	struct spool	*sp;
	const char	*dir = api->conf(host, "dir");
	const char	*state;

	if ((sp = calloc(1, sizeof *sp)) == NULL)
		abort();
	sp->host = host;
	sp->dfd = -1;
	if (dir != NULL && dir[0] == '\0') {
		spool_error(sp, "dir", "empty");
		goto out;
	}
	if (dir != NULL)
		sp->dir = api->path(host, dir);
	else {
		state = api->state_dir(host);
		if (state == NULL || asprintf(&sp->dir, "%s/spool", state) == -1)
			abort();
	}
	if (check_only)
		spool_check_only(sp);
	else
		spool_open(sp);
out:
	if (sp->errors > 0) {
		spool_free(sp);
		return NULL;
	}
	return sp;
}

/* The file name: ID-KEY.eml or ID-KEY.sms, KEY made safe. */
static void
spool_name(const struct sv_message *msg, int email, char *name, size_t len)
{
	char	 key[SPOOL_KEY_MAX + 1];
	size_t	 i;
	char	 c;

	for (i = 0; msg->key != NULL && msg->key[i] != '\0' &&
	    i < SPOOL_KEY_MAX; i++) {
		c = msg->key[i];
		key[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' ? c : '_';
	}
	key[i] = '\0';
	snprintf(name, len, "%lld%s%s.%s", (long long)msg->id,
	    key[0] ? "-" : "", key, email ? "eml" : "sms");
}

/* <KEY@stoppvif>: outside atext (and "." and "%"), percent-encoded. */
static void
spool_msgid(struct spool_buf *b, const struct sv_message *msg)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s;
	char			 esc[3], num[32];

	buf_str(b, "Message-ID: <");
	if (msg->key == NULL || msg->key[0] == '\0') {
		snprintf(num, sizeof num, "%lld", (long long)msg->id);
		buf_str(b, num);
	}
	for (s = (const unsigned char *)(msg->key ? msg->key : ""); *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') ||
		    (*s != '%' && strchr("!#$&'*+-/=?^_`{|}~", *s) != NULL)) {
			buf_add(b, (const char *)s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[*s >> 4];
		esc[2] = hex[*s & 15];
		buf_add(b, esc, 3);
	}
	buf_str(b, "@" SPOOL_MSGID_HOST ">\n");
}

/* "To: " with the display name quoted when there is one. */
static void
spool_to(struct spool_buf *b, const struct sv_message *msg)
{
	const char	*s;

	buf_str(b, "To: ");
	if (msg->to_name != NULL && msg->to_name[0] != '\0') {
		buf_str(b, "\"");
		for (s = msg->to_name; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				buf_add(b, "\\", 1);
			buf_header(b, (char[]){ *s, '\0' });
		}
		buf_str(b, "\" <");
		buf_header(b, msg->to);
		buf_str(b, ">\n");
	} else {
		buf_header(b, msg->to);
		buf_str(b, "\n");
	}
}

/* The RFC 5322 text of an email. */
static void
spool_email(struct spool_buf *b, const struct sv_message *msg)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;
	time_t		 t = msg->created > 0 ? (time_t)msg->created :
			    time(NULL);
	char		 date[64];
	size_t		 n;

	if (msg->encrypt) {
		/* encrypt() needs a From, and a To in ASCII */
		buf_str(b, "From: " SPOOL_FROM "\nTo: ");
		buf_header(b, msg->to);
		buf_str(b, "\n");
	} else
		spool_to(b, msg);
	buf_str(b, "Subject: ");
	buf_header(b, msg->subject ? msg->subject : "");
	gmtime_r(&t, &tm);
	snprintf(date, sizeof date, "\nDate: %s, %02d %s %04d %02d:%02d:%02d "
	    "+0000\n", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_str(b, date);
	spool_msgid(b, msg);
	if (msg->kind != NULL) {
		buf_str(b, "X-Stoppvif-Kind: ");
		buf_header(b, msg->kind);
		buf_str(b, "\n");
	}
	buf_str(b, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	buf_str(b, msg->body);
	n = strlen(msg->body);
	if (n == 0 || msg->body[n - 1] != '\n')
		buf_str(b, "\n");
}

/*
 * Write data as name in the folder, atomically and durably.  Returns 0, or
 * -1 with the failing step and its strerror in err.
 */
static int
spool_write(struct spool *sp, const char *name, const struct spool_buf *b,
    char *err, size_t errlen)
{
	const char	*step;
	char		 tmp[NAME_MAX + 1];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, e;

	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	step = "open";
	fd = openat(sp->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		goto fail;
	step = "chmod";
	if (fchmod(fd, 0600) == -1)
		goto fail;
	step = "write";
	while (off < b->len) {
		if ((n = write(fd, b->p + off, b->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	step = "fsync";
	if (fsync(fd) == -1)
		goto fail;
	step = "close";
	e = close(fd);
	fd = -1;
	if (e == -1)
		goto fail;
	step = "rename";
	if (renameat(sp->dfd, tmp, sp->dfd, name) == -1)
		goto fail;
	step = "fsync folder";
	if (fsync(sp->dfd) == -1) {
		snprintf(err, errlen, "%s: %s", step, strerror(errno));
		return -1;
	}
	return 0;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	unlinkat(sp->dfd, tmp, 0);
	snprintf(err, errlen, "%s: %s", step, strerror(e));
	return -1;
}

/*
 * The encrypted form of msg into *b (empty).  0, or -1 when the host could
 * not encrypt (it has logged why).
 */
static int
spool_encrypt(struct spool *sp, const struct sv_message *msg,
    struct spool_buf *b)
{
	struct spool_buf	 plain = { NULL, 0, 0 };
	char			*out;
	size_t			 outlen;
	int			 rc;

	spool_email(&plain, msg);
	rc = api->encrypt(sp->host, msg, plain.p, plain.len, &out, &outlen);
	explicit_bzero(plain.p, plain.len);
	free(plain.p);
	if (rc == -1)
		return -1;
	b->p = out;
	b->len = b->cap = outlen;
	return 0;
}

static int
spool_send(void *arg, const struct sv_message *msg)
{
	struct spool		*sp = arg;
	struct spool_buf	 b = { NULL, 0, 0 };
	char			 name[NAME_MAX - 8], reply[NAME_MAX + 64];
	int			 email;

	if (msg->to == NULL || msg->to[0] == '\0' || msg->body == NULL) {
		api->complete(sp->host, msg, SV_FAILED, msg->body == NULL ?
		    "no body" : "no recipient");
		return 0;
	}
	email = msg->subject != NULL || strchr(msg->to, '@') != NULL;
	spool_name(msg, email, name, sizeof name);
	if (email && msg->encrypt) {
		if (spool_encrypt(sp, msg, &b) == -1) {
			api->complete(sp->host, msg, SV_FAILED, "encryption "
			    "failed");
			return 0;
		}
	} else if (email)
		spool_email(&b, msg);
	else {
		buf_str(&b, "To: ");
		buf_header(&b, msg->to);
		buf_str(&b, "\n\n");
		buf_str(&b, msg->body);
	}
	if (spool_write(sp, name, &b, reply, sizeof reply) == -1) {
		api->log(sp->host, SV_LOG_WARN, "write_failed id=%lld "
		    "error=\"%s\"", (long long)msg->id, reply);
		free(b.p);
		api->complete(sp->host, msg, SV_RETRY, reply);
		return 0;
	}
	free(b.p);
	api->log(sp->host, SV_LOG_DEBUG, "wrote id=%lld file=%s",
	    (long long)msg->id, name);
	snprintf(reply, sizeof reply, "spooled %s", name);
	api->complete(sp->host, msg, SV_SENT, reply);
	return 0;
}

static void
spool_shutdown(void *arg)
{
	if (arg != NULL)
		spool_free(arg);
}

static const struct sv_channel_ops spool_ops = {
	SV_PLUGIN_ABI, "spool", spool_init, spool_send, spool_shutdown,
};

const struct sv_channel_ops *
stoppvif_plugin_entry(const struct sv_host_api *host)
{
	if (host == NULL || host->abi != SV_PLUGIN_ABI)
		return NULL;
	api = host;
	return &spool_ops;
}
