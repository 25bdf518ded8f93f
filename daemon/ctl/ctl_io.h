/*
 * ctl_io.h: the bottom of stoppvifctl, what every command file shares.
 *
 * The call to the daemon over its Unix socket, the errors that end the
 * program (exit codes below), the aligned tables and "label : value" text,
 * the display text of JSON values and of times, the parsing of an ID
 * argument.  It calls nothing of the command files above it.
 */
#ifndef STOPPVIF_CTL_IO_H
#define STOPPVIF_CTL_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "datefmt.h"

/* Exit codes of stoppvifctl; 0 is done. */
#define EXIT_REFUSED	1	/* refused or failed */
#define EXIT_USAGE	2	/* usage error */
#define EXIT_DOWN	3	/* daemon not reachable */

/* The width of the default view: tables and text fit in it; --wide shows
 * everything, unwrapped. */
#define CTL_COLUMNS	100

/* How many elements an array has. */
#define nitems(a)	(sizeof (a) / sizeof (a)[0])

struct config;

struct ctl {
	const char	*file;		/* configuration file */
	struct config	*conf;		/* loaded by the first call */
	int		 json;		/* --json: print answers as they are */
	int		 wide;		/* --wide: all columns, unwrapped */
};

struct ctl_cmd;
/* A command: its arguments after the command words (argv[-1] is the last
 * word, for getopt); returns the exit code. */
typedef int (*ctl_handler)(struct ctl *, const struct ctl_cmd *, int,
    char **);

struct ctl_cmd {
	const char	*word1, *word2;	/* word2 NULL: a one-word command */
	ctl_handler	 fn;
	const char	*usage;
};

/* A column of a table (or a line of a record): title and object key, and
 * how it gives way when the table is wider than CTL_COLUMNS. */
struct ctl_col {
	const char	*title;
	const char	*key;
	unsigned	 flags;
#define CTL_COL_WRAP	0x1	/* narrowed first, its text wrapped */
#define CTL_COL_OPT	0x2	/* left out of the default view if need be */
};

/* Cell text of key's value v, freed by the caller. */
typedef char *(*ctl_cell)(struct ctl *, const char *key, json_t *v);
/* A row of an answer made display text: a new reference. */
typedef json_t *(*ctl_view)(struct ctl *, json_t *row);
/* Print an answer for people. */
typedef void (*ctl_printer)(struct ctl *, json_t *);
/* Build a request from a command's flags (argv[0] is the last command
 * word); *optidx is set to the first argument that is not an option. */
typedef json_t *(*ctl_body_fn)(int argc, char **argv, const struct ctl_cmd *,
    int *optidx);

/* Errors: say why, and exit. */
void	 ctl_cmd_usage(const struct ctl_cmd *) __attribute__((noreturn));
void	 ctl_die(int code, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/*
 * Send one request to the daemon; returns the decoded JSON answer (new
 * reference).  Exits 3 when the daemon cannot be reached and 1 on an error
 * answer, printing {"error", "field"} as "field: error".
 */
json_t	*ctl_call(struct ctl *, const char *method, const char *path,
	    json_t *body);
/* ctl_call() on BASE/ID (/v1/people/12, /v1/events/3). */
json_t	*ctl_call_id(struct ctl *, const char *method, const char *base,
	    int64_t id, json_t *body);
/* base, or base?key=VALUE with VALUE URL-encoded (NULL: base); freed by
 * the caller. */
char	*ctl_query(const char *base, const char *key, const char *value);

/* Print v as indented JSON; v stays the caller's. */
void	 ctl_print_json(json_t *v);

/* Answers: each of these frees ans. */
/* Print ans as JSON with --json, else with print. */
void	 ctl_answer(struct ctl *, json_t *ans, ctl_printer print);
/* Print ans as JSON with --json, else the message fmt. */
void	 ctl_done(struct ctl *, json_t *ans, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A creation's answer: as JSON with --json, else "NOUN ID PARTICIPLE"
 * ("personne 33 ajoutée"). */
void	 ctl_created(struct ctl *, json_t *ans, const char *noun,
	    const char *participle);

/* Requests from flags. */
/* Append the items of a comma- or space-separated list to arr; exits 2,
 * naming opt, when one is not UTF-8. */
void	 ctl_list_append(json_t *arr, const char *list, const char *opt);
/* Set key of body to the string value; exits 2 when it is not UTF-8. */
void	 ctl_body_set(json_t *body, const char *key, const char *value);
/* `people add`, `events add`: the flags become a POST of path; returns
 * the answer (for ctl_created()). */
json_t	*ctl_add(struct ctl *, const struct ctl_cmd *, int argc, char **argv,
	    ctl_body_fn, const char *path);
/* `people edit`, `events edit`: the flags (before or after the ID) become
 * a PATCH of BASE/ID; hint is an option to suggest when none was given. */
int	 ctl_edit(struct ctl *, const struct ctl_cmd *, int argc, char **argv,
	    ctl_body_fn, const char *base, ctl_printer, const char *hint);
/* The single ID argument of a command, or exit 2. */
int64_t	 ctl_id(int argc, char **argv, const struct ctl_cmd *);

/* Display text. */
/* Display width of a UTF-8 string: its code points. */
size_t	 ctl_width(const char *);
/* A JSON value as display text; the caller frees it. */
char	*ctl_text(json_t *);
/* A string member of an object, or NULL. */
const char *ctl_str(json_t *o, const char *key);
/* A number member of an object as a whole number; 0 when missing. */
long long ctl_num(json_t *o, const char *key);
/* "s" after a count above one, as French writes it. */
const char *ctl_plural(long long n);
/* Set key of o to the display text s, and free s. */
void	 ctl_set_text(json_t *o, const char *key, char *s);
/* The width of the view: CTL_COLUMNS, or 0 (no limit) with --wide. */
size_t	 ctl_columns(struct ctl *);
/*
 * Print s and a newline on fp, in lines of at most width characters (0:
 * one line), broken at blanks or after commas where it can be, else
 * between two characters: the first line starts at column used, the
 * next ones after indent blanks.
 */
void	 ctl_wrap(FILE *fp, const char *s, size_t used, size_t indent,
	    size_t width);

/* Times, as text the caller frees. */
/* A UTC time "YYYY-MM-DDTHH:MM:SSZ" in the configured zone. */
char	*ctl_localtime(const char *utc);
/* A UTC time in the configured zone, in words of the daemon's language. */
char	*ctl_utc_when(struct ctl *, const char *utc, enum datefmt_style);
/* A local time with offset, in words of the daemon's language. */
char	*ctl_when(struct ctl *, const char *iso, enum datefmt_style);
/* A time member of an object, short ("-" when null). */
char	*ctl_when_of(struct ctl *, json_t *o, const char *key);

/* Tables and records. */
/* Print an array of objects as an aligned table; fmt (NULL: ctl_text)
 * makes each cell. */
void	 ctl_table(struct ctl *, json_t *rows, const struct ctl_col *,
	    size_t ncols, ctl_cell fmt);
/* Print rows as a table, each row first made display text by view. */
void	 ctl_view_table(struct ctl *, json_t *rows, const struct ctl_col *,
	    size_t ncols, ctl_view view);
/* Print "title : value" lines, titles padded to width, with fmt (NULL:
 * ctl_text) making each value; dash shows empty values as "-". */
void	 ctl_record(struct ctl *, json_t *o, const struct ctl_col *,
	    size_t nrows, size_t width, int dash, ctl_cell fmt);

#endif
