/*
 * api_types.h: the shapes shared by the control API and the modules behind
 * it.  A handler receives the caller and the parsed request; a module that
 * refuses something fills a struct api_error: the HTTP status, the request
 * field at fault (NULL when none) and a message for the user, in French.
 * The API answers it as {"error": message, "field": field}.
 */
#ifndef STOPPVIF_API_TYPES_H
#define STOPPVIF_API_TYPES_H

#include <sys/types.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "utf8.h"
#include "util.h"

#define API_BAD_REQUEST		400
#define API_FORBIDDEN		403
#define API_NOT_FOUND		404
#define API_CONFLICT		409
#define API_TOO_LARGE		413
#define API_INTERNAL		500

struct api_error {
	int		 status;
	char		*field;		/* NULL when none */
	char		*message;
};

static inline void __attribute__((format(printf, 4, 5)))
api_error_set(struct api_error *err, int status, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	free(err->message);
	free(err->field);
	err->status = status;
	/* a field named by the request (an unknown key) is its text: cut */
	err->field = field ? utf8_sanitize(UTF8_CUT(field, 64)) : NULL;
	va_start(ap, fmt);
	xvasprintf(&err->message, fmt, ap);
	va_end(ap);
	if (!utf8_valid(err->message, strlen(err->message))) {
		/* quoted input that was not UTF-8: the reply must encode */
		msg = utf8_sanitize(err->message);
		free(err->message);
		err->message = msg;
	}
}

static inline void
api_error_clear(struct api_error *err)
{
	free(err->message);
	free(err->field);
	err->message = NULL;
	err->status = 0;
	err->field = NULL;
}

#endif
