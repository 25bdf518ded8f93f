/*
 * log.c: logging to stderr (foreground) or syslog, after OpenBSD's log.c,
 * as text lines or JSON objects (log_json.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "log_json.h"

static int	 log_fg = 1;
static int	 log_lvl = LOG_LEVEL_INFO;
static int	 log_fmt = LOG_FORMAT_TEXT;
static const char *log_prog = "stoppvif";

static void	 log_vemit(int, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
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

const char *const log_format_names[] = { "text", "json", NULL };

int
log_format_parse(const char *name)
{
	int	 i;

	for (i = 0; log_format_names[i] != NULL; i++)
		if (strcmp(name, log_format_names[i]) == 0)
			return LOG_FORMAT_TEXT + i;
	return -1;
}

void
log_setformat(int format)
{
	if (format == LOG_FORMAT_TEXT || format == LOG_FORMAT_JSON)
		log_fmt = format;
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

/* The level a line of syslog priority pri shows in JSON. */
static const char *
log_pri_name(int pri)
{
	switch (pri) {
	case LOG_CRIT:
		return "fatal";
	case LOG_WARNING:
		return "warn";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* Now, as 2026-12-07T03:31:25.123Z. */
static void
log_stamp(char *ts, size_t len)
{
	struct timespec	 now;
	struct tm	 tm;
	char		 s[24];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts, len, "%s.%03ldZ", s, now.tv_nsec / 1000000);
}

/*
 * Cut the line s, whose message starts at m and which was cut at n bytes,
 * to end with "..." at a character boundary, closing a quoted value left
 * open, so that the cut line still reads "module event key=value".  Returns
 * the new length, never more than n.
 */
static size_t
log_cut(char *s, size_t m, size_t n)
{
	size_t	 i;
	int	 quoted = 0;

	if (n < m + 8)
		return n;
	n -= 4;
	while (n > m && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	for (i = m; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (quoted && s[i] == '\\')
			i++;
	}
	if (i > n)	/* a lone backslash last: drop it */
		n--;
	memcpy(s + n, "...", 3);
	n += 3;
	if (quoted)
		s[n++] = '"';
	return n;
}

/*
 * A control character that a caller let through unescaped becomes '?': no
 * value, however it was formatted, can start a line of its own (a forged
 * one) or move a terminal's cursor.
 */
static void
log_unbreak(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/*
 * Emit one line at syslog priority pri, with err (strerror's text, or
 * NULL) as its "error" key.  In the foreground the line is built whole and
 * written with one write(2): stderr is unbuffered, and stdio would make
 * three or more system calls of it (the dispatcher logs every message it
 * sends), and lines of two processes could interleave.  A line longer than
 * LOG_LINE_MAX is cut (log_cut); the JSON form of it is no longer.  All of
 * it on the stack: this runs for every message sent.
 */
#define LOG_LINE_MAX	2048
static void
log_vemit(int pri, const char *err, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX + 1], json[LOG_LINE_MAX + 1];
	char		 ts[40], e[256], *out = line;
	size_t		 n = 0, m;
	int		 saved = errno, w, cut = 0;

	log_stamp(ts, sizeof ts);
	if (log_fg && log_fmt != LOG_FORMAT_JSON) {
		w = snprintf(line, LOG_LINE_MAX, "%s %s: ", ts, log_prog);
		n = w < 0 ? 0 : (size_t)w < LOG_LINE_MAX / 2 ? (size_t)w : 0;
	}
	m = n;
	w = vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);
	if (w > 0 && (size_t)w >= LOG_LINE_MAX - n)
		n = LOG_LINE_MAX - 1, cut = 1;
	else if (w > 0)
		n += (size_t)w;
	if (err != NULL && log_fmt != LOG_FORMAT_JSON && !cut) {
		w = snprintf(line + n, LOG_LINE_MAX - n, " error=\"%s\"",
		    log_escape(e, sizeof e, err));
		if (w > 0 && (size_t)w >= LOG_LINE_MAX - n)
			n = LOG_LINE_MAX - 1, cut = 1;
		else if (w > 0)
			n += (size_t)w;
	}
	if (cut)
		n = log_cut(line, m, n);
	line[n] = '\0';
	log_unbreak(line + m);
	if (log_fmt == LOG_FORMAT_JSON) {
		n = log_json(json, LOG_LINE_MAX, ts, log_pri_name(pri),
		    log_prog, line, err);
		out = json;
	}
	if (log_fg) {
		out[n++] = '\n';
		while (write(STDERR_FILENO, out, n) == -1 && errno == EINTR)
			;
	} else
		syslog(pri, "%s", out);
	errno = saved;
}

/* Emit fmt at pri with strerror(errno) as its "error" key. */
static void
log_verrno(int pri, const char *fmt, va_list ap)
{
	log_vemit(pri, strerror(errno), fmt, ap);
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
	log_vemit(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_lvl < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_lvl < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, NULL, fmt, ap);
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
	log_vemit(LOG_CRIT, NULL, fmt, ap);
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

/*
 * Whether code point cp may show as it is in a quoted value: no control,
 * C1 control, line separator or bidirectional mark, which would make a
 * terminal show another line than the one logged.
 */
static int
log_printable(uint32_t cp)
{
	return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
	    cp != 0x061c && cp != 0x200e && cp != 0x200f &&
	    !(cp >= 0x2028 && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
}

const char *
log_quote(char *buf, size_t len, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, l, i, n = strlen(s);
	uint32_t		 cp;

	if (len == 0)
		return buf;
	for (; n > 0; p += l, n -= l) {
		l = log_u8char(p, n, &cp);
		if (l > 0 && cp != '"' && cp != '\\' && log_printable(cp)) {
			if (o + l >= len)
				break;
			memcpy(buf + o, p, l);
			o += l;
			continue;
		}
		if (l == 1 && (cp == '"' || cp == '\\')) {	/* \" and \\ */
			if (o + 2 >= len)
				break;
			buf[o++] = '\\';
			buf[o++] = (char)cp;
			continue;
		}
		if (l == 0)
			l = 1;
		if (o + 4 * l >= len)
			break;
		for (i = 0; i < l; i++) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[p[i] >> 4];
			buf[o++] = hex[p[i] & 0xf];
		}
	}
	buf[o] = '\0';
	return buf;
}
