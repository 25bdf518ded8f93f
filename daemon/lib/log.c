/*
 * log.c: logging to stderr (foreground) or syslog, after OpenBSD's log.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_fg = 1;
static int	 log_lvl = LOG_LEVEL_INFO;
static const char *log_prog = "stoppvif";

static void	 log_vemit(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 log_verrno(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
log_init(const char *progname, int foreground, int level)
{
	log_prog = progname;
	log_fg = foreground;
	log_lvl = level;
	if (!log_fg)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setlevel(int level)
{
	log_lvl = level;
}

int
log_getlevel(void)
{
	return log_lvl;
}

const char *const log_level_names[] = {
	[LOG_LEVEL_WARN] = "warn", [LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug", NULL
};

int
log_level_parse(const char *name)
{
	int	 l;

	for (l = LOG_LEVEL_WARN; log_level_names[l] != NULL; l++)
		if (strcmp(name, log_level_names[l]) == 0)
			return l;
	return -1;
}

/*
 * Emit one line at syslog priority pri.  In the foreground the line is
 * built whole and written with one write(2): stderr is unbuffered, and
 * stdio would make three or more system calls of it (the dispatcher logs
 * every message it sends), and lines of two processes could interleave.
 * A line longer than LOG_LINE_MAX is cut, marked with "...".
 */
#define LOG_LINE_MAX	2048
static void
log_vemit(int pri, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX + 1], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	size_t		 n;
	int		 saved = errno, w;

	if (log_fg) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
		w = snprintf(line, LOG_LINE_MAX, "%s.%03ldZ %s: ", ts,
		    now.tv_nsec / 1000000, log_prog);
		n = w < 0 ? 0 : (size_t)w < LOG_LINE_MAX ? (size_t)w :
		    LOG_LINE_MAX - 1;
		w = vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);
		if (w > 0 && (size_t)w >= LOG_LINE_MAX - n) {
			n = LOG_LINE_MAX - 1;
			memcpy(line + n - 3, "...", 3);
		} else if (w > 0)
			n += (size_t)w;
		line[n++] = '\n';
		while (write(STDERR_FILENO, line, n) == -1 && errno == EINTR)
			;
	} else
		vsyslog(pri, fmt, ap);
	errno = saved;
}

/* Emit a line from a format and its arguments. */
static void __attribute__((format(printf, 2, 3)))
log_emit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(pri, fmt, ap);
	va_end(ap);
}

/* Append strerror(errno) to fmt and emit at pri. */
static void
log_verrno(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved = errno;

	vsnprintf(buf, sizeof buf, fmt, ap);
	log_emit(pri, "%s: %s", buf, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_verrno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_lvl < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_lvl < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_verrno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

const char *
log_escape(char *buf, size_t len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t		  o = 0;
	unsigned char	  c;

	if (len == 0)
		return buf;
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			if (o + 1 >= len)
				break;
			buf[o++] = (char)c;
		} else {
			if (o + 4 >= len)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	buf[o] = '\0';
	return buf;
}
