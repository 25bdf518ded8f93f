/*
 * ctl_cmd.h: the commands of stoppvifctl, one file per group, for the
 * command table of ctl_main.c.
 *
 * Each is a ctl_handler (ctl_io.h): it takes the arguments after its
 * command words (argv[-1] is the last word, for getopt) and returns the
 * exit code, or exits itself through ctl_die() and ctl_cmd_usage().
 */
#ifndef STOPPVIF_CTL_CMD_H
#define STOPPVIF_CTL_CMD_H

#include "ctl_io.h"

/* ctl_status.c: the daemon itself, its audit log and its outbox. */
int	ctl_status(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_reload(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_audit(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_audit_verify(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_outbox_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_outbox_retry(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_people.c: the directory. */
int	ctl_people_add(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_people_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_people_show(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_people_edit(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_people_remove(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_people_feed(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_events.c: the calendar and its agenda. */
int	ctl_events_add(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_show(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_edit(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_remove(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_import(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_events_export(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_agenda(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_oncall.c: the on-call rota. */
int	ctl_oncall_set(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_oncall_show(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_oncall_remove(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_shelter.c: the emergency apartments and their alerts. */
int	ctl_shelter_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_shelter_status(struct ctl *, const struct ctl_cmd *, int, char **);
/* shelter vacate, occupy and unavailable: the second word is the move. */
int	ctl_shelter_move(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_shelter_report(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_alerts_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_alerts_ack(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_backup.c: a copy of the database, made by the running daemon. */
int	ctl_backup(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_web.c: the web console's accounts ("web", "user add": three words). */
int	ctl_web_user_add(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_web_user_passwd(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_web_user_list(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_web_user_remove(struct ctl *, const struct ctl_cmd *, int, char **);

/* ctl_expand.c: the calendar alone, with no daemon. */
int	ctl_expand(struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_holidays(struct ctl *, const struct ctl_cmd *, int, char **);

#endif
