/*
 * fuzz_log.c: log lines as JSON (log_json.c) and the two escapes on
 * arbitrary bytes.  The first byte picks the output buffer's size.  The
 * JSON always parses, with no key twice, within its buffer; a line that
 * follows the form gives module and event; log_quote() gives valid UTF-8
 * and both escapes stay within theirs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "log_json.h"
#include "utf8.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check one conversion of msg into a buffer of len bytes. */
static void
fuzz_json(const char *msg, size_t len, const char *err)
{
	char		*out;
	json_error_t	 je;
	json_t		*o;
	size_t		 n;

	out = xmalloc(len);
	n = log_json(out, len, "2026-12-07T03:31:25.123Z", "info",
	    "stoppvifd", msg, err);
	if (n >= len || strlen(out) != n)
		abort();
	o = json_loads(out, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (o == NULL || !json_is_object(o))
		abort();
	/* a line kept whole never has module; one in the form has both */
	if (json_object_get(o, "msg") != NULL &&
	    json_object_get(o, "module") != NULL)
		abort();
	if (json_object_get(o, "truncated") == NULL &&
	    json_object_get(o, "msg") == NULL &&
	    (json_object_get(o, "module") == NULL ||
	    json_object_get(o, "event") == NULL))
		abort();
	json_decref(o);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, q[64], e[64];
	size_t	 len;

	if (size < 1 || size > 8192)
		return 0;
	len = LOG_JSON_MIN + (size_t)data[0] * 16;
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	fuzz_json(s, len, NULL);
	fuzz_json(s, 2048, size % 2 ? "No such file or directory" : NULL);
	log_quote(q, sizeof q, s);
	if (strlen(q) >= sizeof q || !utf8_valid(q, strlen(q)))
		abort();
	log_escape(e, sizeof e, s);
	if (strlen(e) >= sizeof e)
		abort();
	free(s);
	return 0;
}
