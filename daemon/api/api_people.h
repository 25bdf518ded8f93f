/*
 * api_people.h: the control API's handlers for the people who receive the
 * reminders (api_people.c; shapes in people.h).
 */
#ifndef STOPPVIF_API_PEOPLE_H
#define STOPPVIF_API_PEOPLE_H

struct api_req;

int	api_people_list(struct api_req *);	/* GET /v1/people */
int	api_people_add(struct api_req *);	/* POST /v1/people */
int	api_people_show(struct api_req *);	/* GET /v1/people/{id} */
int	api_people_edit(struct api_req *);	/* PATCH /v1/people/{id} */
int	api_people_remove(struct api_req *);	/* DELETE /v1/people/{id} */
/*
 * POST /v1/people/{id}/feed {"reset": bool}: a new calendar feed token,
 * {"id", "url": "webcal://HOST/cal/TOKEN.ics", "reset": bool (an old
 * token was replaced)}; the address is shown this once.  Refused as a
 * conflict when the person has a token and reset is not true.
 */
int	api_people_feed(struct api_req *);

#endif
