/*
 * log.h: logging in the manner of OpenBSD's log.c.
 *
 * Lines read "module event key=value".  Never pass a phone number, an email
 * address or a message body: use log_escape() for untrusted strings, and
 * identify people by id.  Levels are checked before any formatting.
 */
#ifndef STOPPVIF_LOG_H
#define STOPPVIF_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
};

/* Foreground logs to stderr with a timestamp; otherwise syslog(3). */
void	log_init(const char *progname, int foreground, int level);
void	log_setlevel(int level);
int	log_getlevel(void);
/* The level names, indexed by LOG_LEVEL_*, then NULL. */
extern const char *const log_level_names[];
/* Parse "warn", "info" or "debug"; -1 when unknown. */
int	log_level_parse(const char *name);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy s into buf (of size len) with control characters, quotes, backslashes
 * and non-ASCII bytes escaped, truncated to fit; returns buf.
 */
const char *log_escape(char *buf, size_t len, const char *s);

#endif
