/*
 * fuzz_config.c: the configuration parser on arbitrary files.  Whatever the
 * bytes, config_load() returns a config or a message, never crashes, and a
 * refused file says "file:line:" for each problem.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 path[64];
	struct config	*conf;
	char		*cause = NULL;
	FILE		*fp;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz_config.%d.ini",
		    (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	conf = config_load(path, &cause);
	if (conf == NULL && (cause == NULL || strstr(cause, path) == NULL))
		abort();	/* every refusal names the file */
	config_free(conf);
	free(cause);
	cause = NULL;
	conf = config_load_partial(path, &cause);
	if (conf == NULL)
		abort();	/* a readable file always gives a config */
	config_free(conf);
	free(cause);
	unlink(path);
	return 0;
}
