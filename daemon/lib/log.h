/*
 * log.h: logging in the manner of OpenBSD's log.c.
 *
 * Every line reads "module event key=value key=\"quoted value\"": module is
 * [a-z0-9_.]+ (a plugin's lines are "channel.NAME"), event [a-z_]+ (what
 * happened: sent, reload_refused, start_failed), keys [a-z_]+, a value bare
 * when it has no space, else quoted with log_escape() or log_quote().
 * Keys that recur: id (an outbox message), person, event, alert, shelter,
 * channel, error (the cause, in the daemon's words), reason (a word), hint
 * (what to do, when the line is no failure or error holds strerror), file,
 * dir, uid, usec.  log_warn and fatal add error="strerror(errno)".
 * Tests hold every line of the daemon to this form (tests/e2e/test_logs.py).
 *
 * Start-up failures are lines too (fatalx("daemon start_failed
 * step=store error=\"%s\"", LOG_QUOTE(cause))): the message for the
 * administrator, with what to do, goes in the quoted error through
 * log_quote(), so that its accents stay readable on the terminal; a problem
 * list (privdrop.c) gives one line per problem.  Messages printed before
 * logging starts (a configuration error "file:line: ...", -t's
 * "configuration OK") are the command's output, not log lines, and stay as
 * they are.
 *
 * Never pass a phone number, an email address, a name or a message body:
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

/*
 * How lines are written: as they are, or one JSON object each (log_json.h).
 * 0 is no format: log_setformat(0) keeps the current one, so that a
 * --log-format left out does not override [daemon] log_format.
 */
enum log_format {
	LOG_FORMAT_TEXT = 1,
	LOG_FORMAT_JSON = 2,
};
void	log_setformat(int format);
/* The format names, from LOG_FORMAT_TEXT on, then NULL. */
extern const char *const log_format_names[];
/* Parse "text" or "json" into LOG_FORMAT_*; -1 when unknown. */
int	log_format_parse(const char *name);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy s into buf (of size len) with control characters, quotes, backslashes
 * and non-ASCII bytes escaped as \xNN, truncated to fit; returns buf.  For
 * what comes from outside: a request's path, a server's reply, a peer.
 */
const char *log_escape(char *buf, size_t len, const char *s);
/*
 * The same for the daemon's own messages to the administrator (a cause, a
 * path of the configuration): valid UTF-8 is kept, so that "clé" stays
 * readable; quotes and backslashes are escaped as \" and \\, controls,
 * bidirectional marks and invalid bytes as \xNN.  Truncated at a character
 * boundary.
 */
const char *log_quote(char *buf, size_t len, const char *s);
/* The two in a buffer of the caller's block: for printf arguments. */
#define LOG_ESCAPE(s)	log_escape((char[512]){ 0 }, 512, (s))
#define LOG_QUOTE(s)	log_quote((char[1024]){ 0 }, 1024, (s))

#endif
