/*
 * fuzz_duration.c: durations on arbitrary text.  An accepted duration is
 * not negative and formats back to a text that parses to the same seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, buf[64], *cause = NULL;
	int64_t	 secs, back;

	if (size > 256)
		return 0;
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (duration_parse(s, &secs, &cause) == 0) {
		if (secs < 0 || cause != NULL)
			abort();
		duration_format(secs, buf, sizeof buf);
		if (duration_parse(buf, &back, &cause) == -1 || back != secs)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	free(s);
	return 0;
}
