/*
 * api_daemon.h: the control API's handlers for the daemon itself: its
 * status, its audit log and a reload of its configuration (api_daemon.c).
 */
#ifndef STOPPVIF_API_DAEMON_H
#define STOPPVIF_API_DAEMON_H

struct api_req;

int	api_daemon_status(struct api_req *);	/* GET /v1/status */
int	api_daemon_audit(struct api_req *);	/* GET /v1/audit */
int	api_daemon_audit_verify(struct api_req *); /* GET /v1/audit/verify */
int	api_daemon_reload(struct api_req *);	/* POST /v1/reload */

#endif
