/*
 * api_events.h: the control API's handlers for the calendar: its events,
 * their iCalendar import and export, and the agenda (api_events.c).
 */
#ifndef STOPPVIF_API_EVENTS_H
#define STOPPVIF_API_EVENTS_H

struct api_req;

int	api_events_list(struct api_req *);	/* GET /v1/events */
int	api_events_add(struct api_req *);	/* POST /v1/events */
int	api_events_show(struct api_req *);	/* GET /v1/events/{id} */
int	api_events_edit(struct api_req *);	/* PATCH /v1/events/{id} */
int	api_events_remove(struct api_req *);	/* DELETE /v1/events/{id} */
int	api_events_import(struct api_req *);	/* POST /v1/events/import */
int	api_events_preview(struct api_req *);	/* POST /v1/events/preview */
int	api_events_export(struct api_req *);	/* GET /v1/events/export */
int	api_events_agenda(struct api_req *);	/* GET /v1/agenda */

#endif
