/*
 * replay.c: a main() for the fuzz targets without libFuzzer, so that make
 * check replays every seed and every crash found so far under gcc's
 * sanitizers.  Prints TAP: one line per input file.
 *
 *	fuzz_X FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	uint8_t	*buf;
	long	 len;
	FILE	*fp;
	int	 i;

	printf("1..%d\n", argc - 1);
	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL ||
		    fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET) != 0) {
			printf("not ok %d - %s: unreadable\n", i, argv[i]);
			continue;
		}
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, fp) !=
		    (size_t)len) {
			printf("not ok %d - %s: unreadable\n", i, argv[i]);
			fclose(fp);
			free(buf);
			continue;
		}
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		printf("ok %d - %s\n", i, argv[i]);
	}
	return 0;
}
