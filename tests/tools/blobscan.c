/*
 * blobscan.c: test tool proving erasure works.
 *
 *	blobscan [-m MAXLEN] MASTER_KEY_FILE PERSON_ID FILE...
 *
 * Reads each FILE whole (missing files are skipped: a database may have no
 * -wal or -shm) and, at every offset holding CRYPT_V1 with a wrapped key's
 * worth of bytes after it, tries to unwrap a data key for PERSON_ID under the
 * master key.  With every distinct data key recovered it then tries, at every
 * offset holding CRYPT_V1 and every length up to MAXLEN (default 4096), to
 * open a field of that person (people.name, people.email, people.phone).
 * That second pass is quadratic in MAXLEN, about 15 ms per CRYPT_V1 byte at
 * 4096 on a laptop; -m 512 is 60 times faster when fields are short.  Prints
 * "keys=K fields=F": K counts windows that unwrapped, F counts ciphertexts
 * that opened (a copy in the WAL counts apart from the one in the database).
 * Exits 0 after printing, 1 on a usage or I/O error.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypt.h"
#include "log.h"
#include "util.h"

#define BLOBSCAN_MAXFIELD	4096	/* default for -m */
#define BLOBSCAN_MAXFILE	(256 * 1024 * 1024)
#define BLOBSCAN_MAXKEYS	64

#ifndef nitems
#define nitems(a)		(sizeof (a) / sizeof (a)[0])
#endif

struct blob {
	uint8_t		*data;
	size_t		 len;
};

static const char *blobscan_fields[][2] = {
	{ "people", "name" },
	{ "people", "email" },
	{ "people", "phone" },
};

/* Print usage and exit. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: blobscan [-m MAXLEN] MASTER_KEY_FILE PERSON_ID "
	    "FILE...\n");
	exit(1);
}

/* Read path whole into b; 0, 1 when it does not exist, or exits on error. */
static int
blob_read(const char *path, struct blob *b)
{
	struct stat	 sb;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		fatal("%s", path);
	}
	if (fstat(fd, &sb) == -1)
		fatal("%s: fstat", path);
	if (!S_ISREG(sb.st_mode) || sb.st_size > BLOBSCAN_MAXFILE)
		fatalx("%s: not a regular file of at most %d bytes", path,
		    BLOBSCAN_MAXFILE);
	b->len = (size_t)sb.st_size;
	b->data = xmalloc(b->len + 1);
	while (off < b->len) {
		if ((n = read(fd, b->data + off, b->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("%s: read", path);
		}
		if (n == 0)
			break;	/* shrank under us: scan what we have */
		off += (size_t)n;
	}
	b->len = off;
	close(fd);
	return 0;
}

/*
 * Unwrap every window of b that opens as person's data key; keep the
 * distinct keys in keys[] (told apart by their check value).  Returns how
 * many windows unwrapped.
 */
static unsigned long
scan_keys(const struct crypt_key *master, int64_t person, const struct blob *b,
    struct crypt_key **keys, uint8_t (*kcv)[CRYPT_KCV_BYTES], size_t *nkeys)
{
	struct crypt_key	*dk;
	uint8_t			 v[CRYPT_KCV_BYTES];
	unsigned long		 found = 0;
	size_t			 i, k;
	char			*cause = NULL;

	for (i = 0; i + CRYPT_WRAPPED_BYTES <= b->len; i++) {
		if (b->data[i] != CRYPT_V1)
			continue;
		dk = crypt_key_unwrap(master, person, b->data + i,
		    CRYPT_WRAPPED_BYTES, &cause);
		if (dk == NULL)
			continue;
		found++;
		crypt_key_check_value(dk, v);
		for (k = 0; k < *nkeys; k++)
			if (memcmp(kcv[k], v, sizeof v) == 0)
				break;
		if (k < *nkeys || *nkeys == BLOBSCAN_MAXKEYS) {
			crypt_key_free(dk);
			continue;
		}
		memcpy(kcv[*nkeys], v, sizeof v);
		keys[(*nkeys)++] = dk;
	}
	free(cause);
	return found;
}

/* Count the person's field ciphertexts of at most maxlen bytes in b. */
static unsigned long
scan_fields(const struct crypt_key *dk, int64_t person, const struct blob *b,
    size_t maxlen)
{
	unsigned long	 found = 0;
	size_t		 i, len, max, f;
	uint8_t		*pt;
	size_t		 ptlen;
	char		*cause = NULL;

	for (i = 0; i + CRYPT_OVERHEAD <= b->len; i++) {
		if (b->data[i] != CRYPT_V1)
			continue;
		max = b->len - i;
		if (max > maxlen)
			max = maxlen;
		for (len = CRYPT_OVERHEAD; len <= max; len++) {
			for (f = 0; f < nitems(blobscan_fields); f++) {
				if (crypt_open(dk, blobscan_fields[f][0],
				    blobscan_fields[f][1], person, b->data + i,
				    len, &pt, &ptlen, &cause) == 0)
					break;
			}
			if (f < nitems(blobscan_fields)) {
				free(pt);
				found++;
				break;	/* one ciphertext starts here */
			}
		}
	}
	free(cause);
	return found;
}

int
main(int argc, char **argv)
{
	struct crypt_key	*master, *keys[BLOBSCAN_MAXKEYS];
	uint8_t			 kcv[BLOBSCAN_MAXKEYS][CRYPT_KCV_BYTES];
	struct blob		*blobs;
	unsigned long		 nfound = 0, nfields = 0;
	size_t			 nblobs = 0, nkeys = 0, i, k;
	int64_t			 person, maxlen = BLOBSCAN_MAXFIELD;
	char			*cause = NULL;
	int			 ch, j;

	log_init("blobscan", 1, LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "m:")) != -1) {
		switch (ch) {
		case 'm':
			if (util_parse_int(optarg, CRYPT_OVERHEAD, 1 << 20,
			    &maxlen) != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	if (util_parse_int(argv[1], INT64_MIN, INT64_MAX, &person) != 0)
		usage();
	if (crypt_init() != 0)
		fatalx("crypt_init failed");
	if ((master = crypt_master_load(argv[0], 0, NULL, &cause)) == NULL)
		fatalx("%s", cause);

	blobs = xcalloc((size_t)argc, sizeof *blobs);
	for (j = 2; j < argc; j++) {
		if (blob_read(argv[j], &blobs[nblobs]) == 0)
			nblobs++;
	}
	for (i = 0; i < nblobs; i++)
		nfound += scan_keys(master, person, &blobs[i], keys, kcv,
		    &nkeys);
	for (k = 0; k < nkeys; k++) {
		for (i = 0; i < nblobs; i++)
			nfields += scan_fields(keys[k], person, &blobs[i],
			    (size_t)maxlen);
		crypt_key_free(keys[k]);
	}
	printf("keys=%lu fields=%lu\n", nfound, nfields);

	for (i = 0; i < nblobs; i++)
		free(blobs[i].data);
	free(blobs);
	crypt_key_free(master);
	return fflush(stdout) == 0 ? 0 : 1;
}
