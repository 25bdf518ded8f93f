/*
 * util.c: allocators, bounded strings, paths and permission checks.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		fatalx("util alloc_zero call=xmalloc");
	if ((p = malloc(size)) == NULL)
		fatal("util alloc_failed call=xmalloc bytes=%zu", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		fatalx("util alloc_zero call=xcalloc");
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("util alloc_failed call=xcalloc n=%zu size=%zu", nmemb,
		    size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		fatalx("util alloc_zero call=xreallocarray");
	if (SIZE_MAX / nmemb < size)
		fatalx("util alloc_overflow call=xreallocarray n=%zu size=%zu",
		    nmemb, size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		fatal("util alloc_failed call=xreallocarray n=%zu size=%zu",
		    nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("util alloc_failed call=xstrdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("util alloc_failed call=xstrndup");
	return p;
}

int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int	 n;

	if ((n = vasprintf(ret, fmt, ap)) < 0 || *ret == NULL)
		fatal("util alloc_failed call=xvasprintf");
	return n;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return n;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 n = strlen(src);

	if (size > 0) {
		size_t	 c = n >= size ? size - 1 : n;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

size_t
util_strlcat(char *dst, const char *src, size_t size)
{
	size_t	 d = strnlen(dst, size);

	if (d == size)
		return d + strlen(src);
	return d + util_strlcpy(dst + d, src, size - d);
}

const char *
util_join(char *buf, size_t len, const char *const *names)
{
	size_t	 i;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			util_strlcat(buf, ", ", len);
		util_strlcat(buf, names[i], len);
	}
	return buf;
}

void
util_cause(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return;
	free(*cause);
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

void
util_append_line(char **lines, const char *fmt, ...)
{
	char	*msg, *next;
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&next, "%s%s%s", *lines ? *lines : "", *lines ? "\n" : "",
	    msg);
	free(msg);
	free(*lines);
	*lines = next;
}

char *
util_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Remove "." segments and fold "name/.." pairs of a path, in place. */
static void
util_path_clean(char *path)
{
	char	*copy, *tok, *save = NULL, **segs;
	size_t	 n = 0, i;
	int	 abs = path[0] == '/';

	copy = xstrdup(path);
	segs = xcalloc(strlen(path) + 1, sizeof *segs);
	for (tok = strtok_r(copy, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n > 0 && strcmp(segs[n - 1], "..") != 0) {
				n--;
				continue;
			}
			if (abs)
				continue;	/* ".." at the root */
		}
		segs[n++] = tok;
	}
	path[0] = '\0';
	if (abs)
		strcpy(path, "/");
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(path, "/");
		strcat(path, segs[i]);	/* never longer than the input */
	}
	if (path[0] == '\0')
		strcpy(path, ".");
	free(segs);
	free(copy);
}

char *
util_path_resolve(const char *base_file, const char *path)
{
	char	*dir, *out;

	if (path[0] == '/')
		out = xstrdup(path);
	else {
		dir = util_dirname(base_file);
		xasprintf(&out, "%s/%s", dir, path);
		free(dir);
	}
	util_path_clean(out);
	return out;
}

int
util_check_dir(const char *dir, uid_t uid, char **cause)
{
	struct stat	 sb;

	if (stat(dir, &sb) == -1) {
		util_cause(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		util_cause(cause, "%s: not a folder", dir);
		return -1;
	}
	if (sb.st_uid != uid && sb.st_uid != 0) {
		util_cause(cause, "%s: owned by uid %u, expected %u or root",
		    dir, (unsigned)sb.st_uid, (unsigned)uid);
		return -1;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		util_cause(cause, "%s: writable by group or others (mode %04o);"
		    " run chmod go-w on it", dir, (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
util_mkdir(const char *dir, mode_t mode, char **cause)
{
	if (mkdir(dir, mode) == -1 && errno != EEXIST) {
		util_cause(cause, "cannot create folder %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* A stale socket at sun's path (nobody answers) is removed; one that
 * answers is another process's: refused. */
static int
util_stale_socket(const struct sockaddr_un *sun, char **cause)
{
	const char	*path = sun->sun_path;
	struct stat	 sb;
	int		 fd, rc;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(sb.st_mode)) {
		util_cause(cause, "%s exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (rc == 0) {
		util_cause(cause, "%s: another process is listening on it",
		    path);
		return -1;
	}
	unlink(path);
	return 0;
}

int
util_listen_unix(const char *path, mode_t mode, char **cause)
{
	struct sockaddr_un	 sun;
	char			*dir;
	mode_t			 old;
	int			 fd, rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		util_cause(cause, "%s: socket path too long", path);
		return -1;
	}
	dir = util_dirname(path);
	rc = util_check_dir(dir, geteuid(), cause);
	free(dir);
	if (rc == -1 || util_stale_socket(&sun, cause) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		util_cause(cause, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc == -1 || chmod(path, mode) == -1 || listen(fd, 128) == -1) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		if (rc != -1)
			unlink(path);
		return -1;
	}
	return fd;
}

int64_t
util_now_up(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + (ts.tv_nsec > 0);
}

int64_t
util_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

const char *
util_utc_format(int64_t secs, char *buf, size_t len)
{
	time_t		 t = (time_t)secs;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *
util_utc_now(char *buf, size_t len)
{
	return util_utc_format(time(NULL), buf, len);
}

int
util_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
