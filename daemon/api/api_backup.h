/*
 * api_backup.h: the control API's handlers for backups (api_backup.c): one
 * started, and how the last one goes.
 */
#ifndef STOPPVIF_API_BACKUP_H
#define STOPPVIF_API_BACKUP_H

struct api_req;

int	api_backup_start(struct api_req *);	/* POST /v1/backup */
int	api_backup_show(struct api_req *);	/* GET /v1/backup */

#endif
