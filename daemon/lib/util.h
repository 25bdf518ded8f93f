/*
 * util.h: allocators that abort on exhaustion, bounded strings, paths and
 * permission checks shared by stoppvifd and stoppvifctl.
 */
#ifndef STOPPVIF_UTIL_H
#define STOPPVIF_UTIL_H

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* strlcpy/strlcat semantics: return the length they tried to create. */
size_t	 util_strlcpy(char *, const char *, size_t);
size_t	 util_strlcat(char *, const char *, size_t);
/* The NULL-terminated names, comma-separated, into buf; returns buf. */
const char *util_join(char *buf, size_t len, const char *const *names);

/*
 * Append a formatted line to the lines in *lines (NULL: none yet), a "\n"
 * between two: how a check gathers every problem before it reports them.
 */
void	 util_append_line(char **lines, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Free *cause then set it to a new formatted message; NULL cause is ignored. */
void	 util_cause(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Resolve path against the folder of base_file when it is relative.
 * Returns a new string.
 */
char	*util_path_resolve(const char *base_file, const char *path);
/* The folder part of path, as a new string ("." when there is none). */
char	*util_dirname(const char *path);

/*
 * Check that dir is a folder owned by uid (or root) and not writable by group
 * or others.  Returns 0 or -1 with *cause set.
 */
int	 util_check_dir(const char *dir, uid_t uid, char **cause);
/* Create dir with mode when it does not exist (parents must exist). */
int	 util_mkdir(const char *dir, mode_t mode, char **cause);

/*
 * The current time in whole seconds since the epoch, read from
 * CLOCK_REALTIME itself: time(2) reads the coarse clock, which lags a
 * CLOCK_REALTIME timer's expiry by up to a tick.
 */
int64_t	 util_now(void);
/*
 * The same, rounded up to the next whole second: the base of a due time
 * ("in 5 minutes"), which must never come early.
 */
int64_t	 util_now_up(void);

/*
 * Listen on a Unix socket at path: its folder must be owned by us (or
 * root) and not writable by others; a stale socket file is removed, one
 * that answers refused; the socket gets mode.  The fd, or -1 with *cause.
 */
int	 util_listen_unix(const char *path, mode_t mode, char **cause);

/*
 * The value of the hexadecimal digit c (either case), or -1.  Inline: the
 * log's JSON reader uses it, and util.c calls the log, so a function in
 * util.c would make a circle log -> log_json -> util -> log.
 */
static inline int
util_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* UTC seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
const char *util_utc_format(int64_t secs, char *buf, size_t len);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
const char *util_utc_now(char *buf, size_t len);

/* Parse a decimal int64 in [min, max]; returns 0 or -1. */
int	 util_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
