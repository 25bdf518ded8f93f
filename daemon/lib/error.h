/*
 * error.h: the one way a domain module (people, calendar, the outbox, the
 * rota, the shelters and their alerts) says why it refused something.
 *
 * An error has a kind (what sort of refusal), the request field at fault
 * (NULL when none) and a message for the user, in French.  The modules know
 * nothing of HTTP: only the control API (daemon/api/) maps a kind to a
 * status code.  The caller owns the struct; error_clear frees its strings.
 */
#ifndef STOPPVIF_ERROR_H
#define STOPPVIF_ERROR_H

enum error_kind {
	ERR_NONE = 0,
	ERR_INVALID,		/* the request is wrong: a field, a value */
	ERR_FORBIDDEN,		/* the caller may not do this */
	ERR_NOT_FOUND,		/* no such person, event, shelter, alert */
	ERR_CONFLICT,		/* the state forbids it now (already taken) */
	ERR_TOO_LARGE,		/* over a size limit */
	ERR_INTERNAL,		/* the store or the host failed */
};

struct error {
	enum error_kind	 kind;
	char		*field;		/* NULL when none */
	char		*message;
};

/*
 * Set err (freeing what it held): kind, field and a printf message.  A field
 * the request named is its text: cut to 64 characters and made valid UTF-8;
 * so is a message that quotes input, so that the reply always encodes.
 */
void	 error_set(struct error *err, enum error_kind kind, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 error_clear(struct error *err);
/*
 * Set err from a message a lower layer handed back through char **cause,
 * and free cause (NULL reads "erreur interne").  Returns -1, for
 * "return error_take(err, ERR_INTERNAL, NULL, cause);".
 */
int	 error_take(struct error *err, enum error_kind kind, const char *field,
	    char *cause);

#endif
