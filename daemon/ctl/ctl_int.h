/*
 * ctl_int.h: what the files of stoppvifctl share.  ctl.c holds the command
 * table, the call to the daemon and the output helpers; ctl_shelter.c the
 * commands of the on-call rota, the shelters and their alerts.
 */
#ifndef STOPPVIF_CTL_INT_H
#define STOPPVIF_CTL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "datefmt.h"

/* Exit codes of DESIGN.md; 0 is done. */
#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_DOWN	3

struct config;

struct ctl {
	const char	*file;		/* configuration file */
	struct config	*conf;
	int		 json;
};

struct ctl_cmd;
/* A command: its arguments after the command words (argv[-1] is the last
 * word, for getopt); returns the exit code. */
typedef int (*ctl_handler)(struct ctl *, const struct ctl_cmd *, int,
    char **);

struct ctl_cmd {
	const char	*word1, *word2;
	ctl_handler	 fn;
	const char	*usage;
};

/* A column of a table: header and the object key it shows. */
struct ctl_col {
	const char	*title;
	const char	*key;
};

/* ctl.c */
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
json_t	*ctl_call_id(struct ctl *, const char *method, const char *base,
	    int64_t id, json_t *body);
void	 ctl_print_json(json_t *);
/* Print an answer: as JSON with --json, else with print; then free it. */
void	 ctl_answer(struct ctl *, json_t *,
	    void (*print)(struct ctl *, json_t *));
size_t	 ctl_width(const char *);
/* A JSON value as display text; the caller frees it. */
char	*ctl_text(json_t *);
void	 ctl_table(json_t *rows, const struct ctl_col *, size_t ncols,
	    char *(*fmt)(const char *, json_t *));
/* The single ID argument of a command, or exit 2. */
int64_t	 ctl_id(int argc, char **argv, const struct ctl_cmd *);
/* A local time with offset, in words of the daemon's language; freed by
 * the caller. */
char	*ctl_when(struct ctl *, const char *iso, enum datefmt_style);

/* ctl_shelter.c */
int	 ctl_oncall_set(struct ctl *, const struct ctl_cmd *, int, char **);
int	 ctl_oncall_show(struct ctl *, const struct ctl_cmd *, int, char **);
int	 ctl_oncall_remove(struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	 ctl_shelter_list(struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	 ctl_shelter_status(struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	 ctl_shelter_move(struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	 ctl_shelter_report(struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	 ctl_alerts_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	 ctl_alerts_ack(struct ctl *, const struct ctl_cmd *, int, char **);
/* The "shelters" of a status answer, one line each. */
void	 ctl_status_shelters(struct ctl *, json_t *status);

#endif
