/*
 * api_shelter.h: the control API's handlers for the shelters, their alerts
 * and the on-call rota (api_shelter.c).
 */
#ifndef STOPPVIF_API_SHELTER_H
#define STOPPVIF_API_SHELTER_H

struct api_req;

int	api_shelters_list(struct api_req *);	/* GET /v1/shelters */
int	api_shelters_show(struct api_req *);	/* GET /v1/shelters/{name} */
/* POST /v1/shelters/{name}/vacate, occupy, unavailable */
int	api_shelters_vacate(struct api_req *);
int	api_shelters_occupy(struct api_req *);
int	api_shelters_unavailable(struct api_req *);
int	api_shelters_report(struct api_req *);	/* GET .../{name}/report */
int	api_alerts_list(struct api_req *);	/* GET /v1/alerts */
int	api_alerts_ack(struct api_req *);	/* POST /v1/alerts/ack */
int	api_oncall_show(struct api_req *);	/* GET /v1/oncall */
int	api_oncall_set(struct api_req *);	/* POST /v1/oncall */
int	api_oncall_remove(struct api_req *);	/* DELETE /v1/oncall/{id} */

#endif
