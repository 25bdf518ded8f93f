/*
 * api_outbox.h: the control API's handlers for the outbox, the durable
 * queue of messages to send (api_outbox.c).
 */
#ifndef STOPPVIF_API_OUTBOX_H
#define STOPPVIF_API_OUTBOX_H

struct api_req;

int	api_outbox_list(struct api_req *);	/* GET /v1/outbox */
int	api_outbox_retry(struct api_req *);	/* POST /v1/outbox/{id} */

#endif
