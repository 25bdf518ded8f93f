/*
 * error.c: the domain error (kind, field, message) of error.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"
#include "util.h"

void
error_set(struct error *err, enum error_kind kind, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	free(err->message);
	free(err->field);
	err->kind = kind;
	err->field = field ? utf8_sanitize(UTF8_CUT(field, 64)) : NULL;
	va_start(ap, fmt);
	xvasprintf(&err->message, fmt, ap);
	va_end(ap);
	if (!utf8_valid(err->message, strlen(err->message))) {
		msg = utf8_sanitize(err->message);
		free(err->message);
		err->message = msg;
	}
}

void
error_clear(struct error *err)
{
	free(err->message);
	free(err->field);
	err->message = NULL;
	err->field = NULL;
	err->kind = ERR_NONE;
}

int
error_take(struct error *err, enum error_kind kind, const char *field,
    char *cause)
{
	error_set(err, kind, field, "%s", cause != NULL ? cause :
	    "erreur interne");
	free(cause);
	return -1;
}
