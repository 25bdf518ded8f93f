/*
 * crypt.c: encryption at rest with libsodium.
 *
 * Keys live in sodium_malloc() memory (guard pages, canary, mlock, kept out
 * of core dumps).  The master key has a region of its own, made read-only
 * once filled; sodium_free() wipes it.  Data keys, unwrapped for every
 * message sent, take a slot in one shared region instead (the pool): a
 * region of their own would cost an mmap, two mprotect, an mlock and a
 * munmap each, whose TLB shootdowns were a third of the dispatcher's time.
 * A pool slot is wiped when its key is freed.  The pages are not switched
 * to PROT_NONE between uses: that would cost two system calls per field,
 * and tests/tools/blobscan.c opens millions.
 *
 * Fields are sealed with XChaCha20-Poly1305-IETF under a random nonce; the
 * associated data names the table, column and row so a value cannot be moved.
 * A person's data key is itself sealed under the master key as the field
 * (person_keys, dk, person id), so erasing that one row erases the person.
 * The layout of a ciphertext and of the associated data is in crypt.h and is
 * a storage format: change it only with a new version byte.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "crypt.h"
#include "log.h"
#include "util.h"

#define CRYPT_NONCEBYTES	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define CRYPT_TAGBYTES		crypto_aead_xchacha20poly1305_ietf_ABYTES
#define CRYPT_AD_PREFIX		"stoppvif"
#define CRYPT_KCV_TEXT		"stoppvif master key check v1"
#define CRYPT_WRAP_TABLE	"person_keys"
#define CRYPT_WRAP_COLUMN	"dk"

struct crypt_key {
	uint8_t		*raw;	/* CRYPT_KEYBYTES in sodium_malloc() memory */
	int		 slot;	/* in the pool, or -1: a region of its own */
};

/* The pool of data key slots: one sodium_malloc() region, made at first use
 * and kept for the life of the process. */
#define CRYPT_POOL_SLOTS	512
static uint8_t	*crypt_pool;
static uint64_t	 crypt_pool_used[CRYPT_POOL_SLOTS / 64];

static int	 crypt_ready;

/* Initialise libsodium once; later calls are no-ops. */
int
crypt_init(void)
{
	if (sodium_init() < 0)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_KEYBYTES != CRYPT_KEYBYTES ||
	    CRYPT_OVERHEAD != 1 + CRYPT_NONCEBYTES + CRYPT_TAGBYTES ||
	    crypto_generichash_KEYBYTES_MAX < CRYPT_KEYBYTES)
		fatalx("crypt sizes_mismatch library=libsodium");
	crypt_ready = 1;
	return 0;
}

/* A region of its own for a key whose bytes are writable until
 * crypt_key_lock(): the master key. */
static struct crypt_key *
crypt_key_alloc(void)
{
	struct crypt_key	*key;

	if (!crypt_ready)
		fatalx("crypt not_initialised");
	key = xmalloc(sizeof *key);
	key->slot = -1;
	if ((key->raw = sodium_malloc(CRYPT_KEYBYTES)) == NULL)
		fatal("crypt alloc_failed call=sodium_malloc");
	return key;
}

/* Make the key bytes read-only for the rest of the key's life. */
static void
crypt_key_lock(const struct crypt_key *key)
{
	if (sodium_mprotect_readonly(key->raw) != 0)
		fatal("crypt protect_failed call=sodium_mprotect_readonly");
}

/* A data key: a free slot of the pool, or a region of its own when all
 * are taken (then it is made read-only like the master key). */
static struct crypt_key *
crypt_key_pooled(const uint8_t *raw)
{
	struct crypt_key	*key;
	int			 i, bit;

	if (!crypt_ready)
		fatalx("crypt not_initialised");
	if (crypt_pool == NULL &&
	    (crypt_pool = sodium_malloc(CRYPT_POOL_SLOTS * CRYPT_KEYBYTES)) ==
	    NULL)
		fatal("crypt alloc_failed call=sodium_malloc");
	for (i = 0; i < CRYPT_POOL_SLOTS / 64; i++)
		if (~crypt_pool_used[i] != 0)
			break;
	if (i == CRYPT_POOL_SLOTS / 64) {
		key = crypt_key_alloc();
		memcpy(key->raw, raw, CRYPT_KEYBYTES);
		crypt_key_lock(key);
		return key;
	}
	bit = __builtin_ctzll(~crypt_pool_used[i]);
	crypt_pool_used[i] |= 1ULL << bit;
	key = xmalloc(sizeof *key);
	key->slot = i * 64 + bit;
	key->raw = crypt_pool + (size_t)key->slot * CRYPT_KEYBYTES;
	memcpy(key->raw, raw, CRYPT_KEYBYTES);
	return key;
}

/* A new key of random bytes. */
struct crypt_key *
crypt_key_random(void)
{
	struct crypt_key	*key;
	uint8_t			 raw[CRYPT_KEYBYTES];

	randombytes_buf(raw, sizeof raw);
	key = crypt_key_pooled(raw);
	sodium_memzero(raw, sizeof raw);
	return key;
}

/* A new key holding a copy of raw. */
struct crypt_key *
crypt_key_from_bytes(const uint8_t *raw)
{
	return crypt_key_pooled(raw);
}

/* Wipe and free a key. */
void
crypt_key_free(struct crypt_key *key)
{
	if (key == NULL)
		return;
	if (key->slot >= 0) {
		sodium_memzero(key->raw, CRYPT_KEYBYTES);
		crypt_pool_used[key->slot / 64] &= ~(1ULL << (key->slot % 64));
	} else
		sodium_free(key->raw);	/* makes it writable, wipes, unmaps */
	free(key);
}

/* Write all of buf to fd, retrying on EINTR; 0 or -1 with errno. */
static int
crypt_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read exactly len bytes from fd; 0, or -1 with errno (EIO if short). */
static int
crypt_read_all(int fd, uint8_t *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = read(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Flush the folder holding path so a new entry in it survives a crash. */
static int
crypt_fsync_dir(const char *path, char **cause)
{
	char	*dir = util_dirname(path);
	int	 fd, rc = -1;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		util_cause(cause, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (fsync(fd) == -1) {
		util_cause(cause, "%s: fsync: %s", dir, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	free(dir);
	return rc;
}

/*
 * Create path holding a new random master key, mode 0600.  On EEXIST (a race
 * with another creator) *exists is set and nothing is reported.
 */
static struct crypt_key *
crypt_master_create(const char *path, int *exists, char **cause)
{
	struct crypt_key	*key;
	int			 fd;

	*exists = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		if (errno == EEXIST)
			*exists = 1;
		else
			util_cause(cause, "%s: cannot create master key: %s",
			    path, strerror(errno));
		return NULL;
	}
	key = crypt_key_alloc();
	randombytes_buf(key->raw, CRYPT_KEYBYTES);
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    crypt_write_all(fd, key->raw, CRYPT_KEYBYTES) == -1 ||
	    fsync(fd) == -1) {
		util_cause(cause, "%s: cannot write master key: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		util_cause(cause, "%s: cannot write master key: %s", path,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (crypt_fsync_dir(path, cause) != 0)
		goto fail;
	crypt_key_lock(key);
	return key;

fail:
	if (fd != -1)
		close(fd);
	unlink(path);	/* never leave a partial key to be loaded later */
	crypt_key_free(key);
	return NULL;
}

/*
 * Refuse a file of secrets (what: "master key", "the secret") that is not a
 * regular file private to us; 0 or -1 with *cause set, saying the fix.
 */
static int
crypt_private_check(const char *path, const struct stat *sb, const char *what,
    char **cause)
{
	uid_t	 uid = geteuid();

	if (!S_ISREG(sb->st_mode)) {
		util_cause(cause, "%s: %s is not a regular file; point the key "
		    "at the real file", path, what);
		return -1;
	}
	if (sb->st_uid != uid) {
		util_cause(cause, "%s: %s is owned by uid %u, not by uid %u "
		    "that runs stoppvifd; fix with: chown %u %s", path, what,
		    (unsigned)sb->st_uid, (unsigned)uid, (unsigned)uid, path);
		return -1;
	}
	if (sb->st_mode & (S_IRWXG | S_IRWXO)) {
		util_cause(cause, "%s: %s has mode %04o, open to group or "
		    "others; fix with: chmod 600 %s", path, what,
		    (unsigned)(sb->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/* Refuse a key file that is not private to us or not a key. */
static int
crypt_master_check(const char *path, const struct stat *sb, char **cause)
{
	if (crypt_private_check(path, sb, "master key", cause) == -1)
		return -1;
	if (sb->st_size != CRYPT_KEYBYTES) {
		util_cause(cause, "%s: master key holds %jd bytes, not %d; "
		    "restore the right file from backup (a new key cannot open "
		    "existing data)", path, (intmax_t)sb->st_size,
		    CRYPT_KEYBYTES);
		return -1;
	}
	return 0;
}

/* Load the master key from path, creating it first when asked to. */
struct crypt_key *
crypt_master_load(const char *path, int create, int *created, char **cause)
{
	struct crypt_key	*key;
	struct stat		 sb;
	int			 fd, exists;

	if (created != NULL)
		*created = 0;
	/* O_NONBLOCK: a FIFO planted here must not hang start-up. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT && create) {
		if ((key = crypt_master_create(path, &exists, cause)) != NULL) {
			if (created != NULL)
				*created = 1;
			return key;
		}
		if (!exists)
			return NULL;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd == -1) {
		if (errno == ELOOP)
			util_cause(cause, "%s: master key is a symbolic link; "
			    "point key_file at the real file", path);
		else if (errno == ENOENT)
			util_cause(cause, "%s: master key file not found",
			    path);
		else
			util_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (crypt_master_check(path, &sb, cause) != 0) {
		close(fd);
		return NULL;
	}
	key = crypt_key_alloc();
	if (crypt_read_all(fd, key->raw, CRYPT_KEYBYTES) == -1) {
		util_cause(cause, "%s: cannot read master key: %s", path,
		    strerror(errno));
		close(fd);
		crypt_key_free(key);
		return NULL;
	}
	close(fd);
	crypt_key_lock(key);
	return key;
}

/* Keyed BLAKE2b of a fixed text: recognises the key without revealing it. */
void
crypt_key_check_value(const struct crypt_key *master, uint8_t *out)
{
	crypto_generichash(out, CRYPT_KCV_BYTES,
	    (const unsigned char *)CRYPT_KCV_TEXT, strlen(CRYPT_KCV_TEXT),
	    master->raw, CRYPT_KEYBYTES);
}

/*
 * Build the associated data for (table, column, rowid) as laid out in
 * crypt.h; returns a new buffer and its length in *adlen.
 */
static uint8_t *
crypt_ad(const char *table, const char *column, int64_t rowid, size_t *adlen)
{
	size_t		 plen = strlen(CRYPT_AD_PREFIX);
	size_t		 tlen = strlen(table), clen = strlen(column);
	uint64_t	 r = (uint64_t)rowid;
	uint8_t		*ad, *p;
	int		 i;

	*adlen = plen + 1 + tlen + 1 + clen + 1 + 8;
	p = ad = xmalloc(*adlen);
	memcpy(p, CRYPT_AD_PREFIX, plen);
	p += plen;
	*p++ = CRYPT_V1;
	memcpy(p, table, tlen + 1);
	p += tlen + 1;
	memcpy(p, column, clen + 1);
	p += clen + 1;
	for (i = 7; i >= 0; i--)
		*p++ = (uint8_t)(r >> (8 * i));
	return ad;
}

/* Seal into ct, which holds ptlen + CRYPT_OVERHEAD bytes. */
static void
crypt_seal_into(const struct crypt_key *key, const char *table,
    const char *column, int64_t rowid, const void *pt, size_t ptlen,
    uint8_t *ct)
{
	unsigned long long	 clen;
	uint8_t			*ad;
	size_t			 adlen;

	ad = crypt_ad(table, column, rowid, &adlen);
	ct[0] = CRYPT_V1;
	randombytes_buf(ct + 1, CRYPT_NONCEBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct + 1 + CRYPT_NONCEBYTES,
	    &clen, pt, ptlen, ad, adlen, NULL, ct + 1, key->raw);
	free(ad);
	if (clen != ptlen + CRYPT_TAGBYTES)
		fatalx("crypt bad_length sealed=%llu plain=%zu", clen, ptlen);
}

/*
 * Open ct into pt, which holds ctlen - CRYPT_OVERHEAD bytes; the caller has
 * checked that ctlen >= CRYPT_OVERHEAD.  Returns 0 or -1 with *cause set.
 */
static int
crypt_open_into(const struct crypt_key *key, const char *table,
    const char *column, int64_t rowid, const uint8_t *ct, size_t ctlen,
    uint8_t *pt, char **cause)
{
	unsigned long long	 mlen;
	uint8_t			*ad;
	size_t			 adlen;
	int			 rc;

	if (ct[0] != CRYPT_V1) {
		util_cause(cause, "ciphertext has unknown version %u",
		    (unsigned)ct[0]);
		return -1;
	}
	ad = crypt_ad(table, column, rowid, &adlen);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &mlen, NULL,
	    ct + 1 + CRYPT_NONCEBYTES, ctlen - 1 - CRYPT_NONCEBYTES, ad, adlen,
	    ct + 1, key->raw);
	free(ad);
	if (rc != 0) {
		util_cause(cause, "ciphertext does not open: tampered, or "
		    "wrong key or row");
		return -1;
	}
	return 0;
}

/* Seal a field into a new buffer under a fresh random nonce. */
void
crypt_seal(const struct crypt_key *key, const char *table, const char *column,
    int64_t rowid, const void *pt, size_t ptlen, uint8_t **ct, size_t *ctlen)
{
	if (ptlen > SIZE_MAX - CRYPT_OVERHEAD)
		fatalx("crypt too_long plain=%zu", ptlen);
	*ctlen = ptlen + CRYPT_OVERHEAD;
	*ct = xmalloc(*ctlen);
	crypt_seal_into(key, table, column, rowid, pt, ptlen, *ct);
}

/* Open a field into a new NUL-terminated buffer. */
int
crypt_open(const struct crypt_key *key, const char *table, const char *column,
    int64_t rowid, const uint8_t *ct, size_t ctlen, uint8_t **pt,
    size_t *ptlen, char **cause)
{
	uint8_t	*buf;
	size_t	 len;

	if (ctlen < CRYPT_OVERHEAD) {
		util_cause(cause, "ciphertext too short (%zu bytes, at least "
		    "%d)", ctlen, CRYPT_OVERHEAD);
		return -1;
	}
	len = ctlen - CRYPT_OVERHEAD;
	buf = xmalloc(len + 1);
	if (crypt_open_into(key, table, column, rowid, ct, ctlen, buf,
	    cause) != 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*pt = buf;
	*ptlen = len;
	return 0;
}

void
crypt_mac(const struct crypt_key *master, const char *purpose,
    const void *msg, size_t len, uint8_t *out)
{
	uint8_t	 sub[crypto_generichash_KEYBYTES];

	_Static_assert(crypto_kdf_CONTEXTBYTES == 8, "kdf context size");
	if (strlen(purpose) != crypto_kdf_CONTEXTBYTES)
		fatalx("crypt bad_purpose kind=mac purpose=\"%s\"",
		    LOG_ESCAPE(purpose));
	if (crypto_kdf_derive_from_key(sub, sizeof sub, 1, purpose,
	    master->raw) != 0)
		fatalx("crypt derive_failed");
	crypto_generichash(out, CRYPT_MAC_BYTES, msg, len, sub, sizeof sub);
	sodium_memzero(sub, sizeof sub);
}

int
crypt_mac_check(const struct crypt_key *master, const char *purpose,
    const void *msg, size_t len, const uint8_t *mac)
{
	uint8_t	 want[CRYPT_MAC_BYTES];
	int	 rc;

	crypt_mac(master, purpose, msg, len, want);
	rc = sodium_memcmp(want, mac, sizeof want) == 0 ? 0 : -1;
	sodium_memzero(want, sizeof want);
	return rc;
}

/*
 * Subkey 2 of purpose: crypt_mac() derives subkey 1, so that a key handed
 * out here is never one of crypt_mac()'s, even for the same purpose.
 */
struct crypt_key *
crypt_key_derive(const struct crypt_key *master, const char *purpose)
{
	struct crypt_key	*key;
	uint8_t			 sub[CRYPT_KEYBYTES];

	if (strlen(purpose) != crypto_kdf_CONTEXTBYTES)
		fatalx("crypt bad_purpose kind=key purpose=\"%s\"",
		    LOG_ESCAPE(purpose));
	if (crypto_kdf_derive_from_key(sub, sizeof sub, 2, purpose,
	    master->raw) != 0)
		fatalx("crypt derive_failed");
	key = crypt_key_pooled(sub);
	sodium_memzero(sub, sizeof sub);
	return key;
}

void
crypt_keyed_hash(const struct crypt_key *key, const void *msg, size_t len,
    uint8_t *out, size_t outlen)
{
	if (outlen < crypto_generichash_BYTES_MIN ||
	    outlen > crypto_generichash_BYTES_MAX)
		fatalx("crypt bad_length hash=%zu", outlen);
	crypto_generichash(out, outlen, msg, len, key->raw, CRYPT_KEYBYTES);
}

/* Seal a data key under the master key as field (person_keys, dk, id). */
void
crypt_key_wrap(const struct crypt_key *master, int64_t person_id,
    const struct crypt_key *dk, uint8_t **wrapped, size_t *wlen)
{
	*wlen = CRYPT_WRAPPED_BYTES;
	*wrapped = xmalloc(CRYPT_WRAPPED_BYTES);
	crypt_seal_into(master, CRYPT_WRAP_TABLE, CRYPT_WRAP_COLUMN, person_id,
	    dk->raw, CRYPT_KEYBYTES, *wrapped);
}

/* Open a wrapped data key; its bytes pass through a wiped stack buffer only. */
struct crypt_key *
crypt_key_unwrap(const struct crypt_key *master, int64_t person_id,
    const uint8_t *wrapped, size_t wlen, char **cause)
{
	struct crypt_key	*dk;
	uint8_t			 raw[CRYPT_KEYBYTES];

	if (wlen != CRYPT_WRAPPED_BYTES) {
		util_cause(cause, "wrapped key has %zu bytes, not %d", wlen,
		    CRYPT_WRAPPED_BYTES);
		return NULL;
	}
	if (crypt_open_into(master, CRYPT_WRAP_TABLE, CRYPT_WRAP_COLUMN,
	    person_id, wrapped, wlen, raw, cause) != 0) {
		sodium_memzero(raw, sizeof raw);
		return NULL;
	}
	dk = crypt_key_from_bytes(raw);
	sodium_memzero(raw, sizeof raw);
	return dk;
}

/* ---- shared secrets ---- */

#define CRYPT_SECRET_MIN	16	/* characters */
#define CRYPT_SECRET_MAX	256
#define CRYPT_SECRET_RAND	32	/* random bytes of a new secret */

/* Write a new random secret (base64url, one line) to path, mode 0600. */
static int
crypt_secret_create(const char *path, int *exists, char **cause)
{
	uint8_t	 raw[CRYPT_SECRET_RAND];
	char	 text[sodium_base64_ENCODED_LEN(CRYPT_SECRET_RAND,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1];
	size_t	 n;
	int	 fd, rc = -1;

	*exists = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		if (errno == EEXIST)
			*exists = 1;
		else
			util_cause(cause, "%s: cannot create the secret: %s",
			    path, strerror(errno));
		return -1;
	}
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(text, sizeof text - 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n = strlen(text);
	text[n++] = '\n';
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    crypt_write_all(fd, (uint8_t *)text, n) == -1 || fsync(fd) == -1)
		util_cause(cause, "%s: cannot write the secret: %s", path,
		    strerror(errno));
	else
		rc = 0;
	close(fd);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(text, sizeof text);
	if (rc == 0)
		rc = crypt_fsync_dir(path, cause);
	if (rc == -1)
		unlink(path);
	return rc;
}

struct crypt_key *
crypt_secret_load(const char *path, int create, int *created, char **cause)
{
	struct crypt_key	*key = NULL;
	struct stat		 sb;
	char			 text[CRYPT_SECRET_MAX + 3];
	ssize_t			 n;
	size_t			 len;
	int			 fd, exists = 0;

	if (created != NULL)
		*created = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT && create) {
		if (crypt_secret_create(path, &exists, cause) == 0 &&
		    created != NULL)
			*created = 1;
		else if (!exists)
			return NULL;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd == -1) {
		util_cause(cause, "%s: %s", path, errno == ELOOP ? "the secret "
		    "is a symbolic link; point the key at the real file" :
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (crypt_private_check(path, &sb, "the secret", cause) == -1)
		goto out;
	if (sb.st_size > CRYPT_SECRET_MAX + 2) {
		util_cause(cause, "%s: the secret is longer than %d characters",
		    path, CRYPT_SECRET_MAX);
		goto out;
	}
	if ((n = read(fd, text, sizeof text - 1)) < 0) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[n] = '\0';
	len = strcspn(text, "\r\n");
	if (len < CRYPT_SECRET_MIN || len > CRYPT_SECRET_MAX) {
		util_cause(cause, "%s: the secret must be one line of %d to %d "
		    "characters", path, CRYPT_SECRET_MIN, CRYPT_SECRET_MAX);
		goto out;
	}
	key = crypt_key_alloc();
	crypto_generichash(key->raw, CRYPT_KEYBYTES, (uint8_t *)text, len,
	    NULL, 0);
	crypt_key_lock(key);
out:
	sodium_memzero(text, sizeof text);
	close(fd);
	return key;
}

int
crypt_secret_match(const struct crypt_key *secret, const char *candidate,
    size_t len)
{
	uint8_t	 h[CRYPT_KEYBYTES];
	int	 rc;

	crypto_generichash(h, sizeof h, (const uint8_t *)candidate, len, NULL,
	    0);
	rc = sodium_memcmp(h, secret->raw, sizeof h) == 0 ? 0 : -1;
	sodium_memzero(h, sizeof h);
	return rc;
}
