/*
 * api_web.h: the control API's handlers for the web console's accounts
 * (api_web.c; shapes in webuser.h): list, add or give a new password,
 * remove.  Admins only.
 */
#ifndef STOPPVIF_API_WEB_H
#define STOPPVIF_API_WEB_H

struct api_req;

int	api_web_users_list(struct api_req *);	/* GET /v1/web/users */
int	api_web_users_add(struct api_req *);	/* POST /v1/web/users */
int	api_web_users_remove(struct api_req *);	/* DELETE .../{name} */

#endif
