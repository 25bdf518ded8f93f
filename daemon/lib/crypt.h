/*
 * crypt.h: encryption at rest with libsodium.
 *
 * A 32-byte master key lives in a file (created 0600 at first start).  Each
 * person has a random 32-byte data key, stored only wrapped (sealed) by the
 * master key.  Fields are sealed with XChaCha20-Poly1305-IETF under a key;
 * the associated data binds each value to its table, column and row id, so a
 * ciphertext moved to another row or column does not open.
 *
 * Ciphertext layout (CRYPT_V1):
 *	version (1 byte, 0x01) | nonce (24 bytes) | ciphertext | tag (16 bytes)
 * Associated data:
 *	"stoppvif" | version | table | 0x00 | column | 0x00 | rowid (8 bytes, BE)
 *
 * Key material is held in sodium_malloc() memory, wiped and freed by
 * crypt_key_free().  Every *cause follows util_cause(): the caller sets it to
 * NULL beforehand and free()s it afterwards.
 */
#ifndef STOPPVIF_CRYPT_H
#define STOPPVIF_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#define CRYPT_V1		0x01
#define CRYPT_KEYBYTES		32
#define CRYPT_OVERHEAD		(1 + 24 + 16)	/* version, nonce, tag */
#define CRYPT_WRAPPED_BYTES	(CRYPT_OVERHEAD + CRYPT_KEYBYTES)
#define CRYPT_KCV_BYTES		32
#define CRYPT_MAC_BYTES		16

struct crypt_key;

/*
 * Initialise libsodium; returns 0 or -1.  Safe to call more than once; must
 * be called before any other crypt_ function (they fatalx() otherwise).
 */
int	crypt_init(void);

/*
 * Load the master key from path.  When the file is missing and create is
 * set, a new random key is written there with mode 0600 (the folder must
 * exist), then flushed with its folder.  Refused, with *cause naming the
 * file and the fix, when the file is a symbolic link or not a regular file,
 * has any group or other permission bit, is not owned by the effective user,
 * or does not hold exactly 32 bytes.  Returns the key or NULL.  *created is
 * set to 1 when the file was created, else 0 (created may be NULL).
 */
struct crypt_key *crypt_master_load(const char *path, int create, int *created,
	    char **cause);

/* A new random key (for a person's data key). */
struct crypt_key *crypt_key_random(void);
/* A key from 32 raw bytes (copied). */
struct crypt_key *crypt_key_from_bytes(const uint8_t *raw);
/* Wipe and free; NULL is ignored. */
void	crypt_key_free(struct crypt_key *);

/*
 * Key check value of the master key: a keyed BLAKE2b of a fixed string,
 * stored in the database so that a database opened with another key is
 * recognised.  out holds CRYPT_KCV_BYTES.
 */
void	crypt_key_check_value(const struct crypt_key *master, uint8_t *out);

/*
 * Seal plaintext pt (ptlen bytes) under key for (table, column, rowid).
 * *ct is set to a new buffer of ptlen + CRYPT_OVERHEAD bytes (free() it).
 */
void	crypt_seal(const struct crypt_key *key, const char *table,
	    const char *column, int64_t rowid, const void *pt, size_t ptlen,
	    uint8_t **ct, size_t *ctlen);

/*
 * Open a ciphertext made by crypt_seal().  On success *pt is a new buffer
 * of *ptlen bytes followed by a NUL (free() it) and 0 is returned; an
 * unknown version, a short buffer, tampering or wrong associated data gives
 * -1 with *cause set.
 */
int	crypt_open(const struct crypt_key *key, const char *table,
	    const char *column, int64_t rowid, const uint8_t *ct, size_t ctlen,
	    uint8_t **pt, size_t *ptlen, char **cause);

/*
 * Wrap a data key under the master key for person_id: *wrapped is a new
 * buffer of CRYPT_WRAPPED_BYTES (table "person_keys", column "dk").
 */
void	crypt_key_wrap(const struct crypt_key *master, int64_t person_id,
	    const struct crypt_key *dk, uint8_t **wrapped, size_t *wlen);
/* Unwrap a data key; NULL with *cause set when it does not open. */
struct crypt_key *crypt_key_unwrap(const struct crypt_key *master,
	    int64_t person_id, const uint8_t *wrapped, size_t wlen,
	    char **cause);

/*
 * A keyed MAC of msg (BLAKE2b, CRYPT_MAC_BYTES into out) under a key derived
 * from the master key for purpose, exactly 8 characters ("ack-link"): the
 * signature of tokens handed out in links.  crypt_mac_check() compares in
 * constant time; 0 when mac is right, else -1.
 */
void	crypt_mac(const struct crypt_key *master, const char *purpose,
	    const void *msg, size_t len, uint8_t *out);
int	crypt_mac_check(const struct crypt_key *master, const char *purpose,
	    const void *msg, size_t len, const uint8_t *mac);

/*
 * A key derived from the master key for purpose, exactly 8 characters and
 * used nowhere else ("auditlog"), never equal to a crypt_mac() key: for
 * many MACs under one key (the audit chain).  Free it with
 * crypt_key_free().
 */
struct crypt_key *crypt_key_derive(const struct crypt_key *master,
	    const char *purpose);
/* BLAKE2b of the len bytes of msg keyed by key: outlen bytes (16 to 64)
 * into out. */
void	crypt_keyed_hash(const struct crypt_key *key, const void *msg,
	    size_t len, uint8_t *out, size_t outlen);

/*
 * A listener's shared secret (the SMS gateway's), from path: one line of 16
 * to 256 characters.  When the file is missing and create is set, a new one
 * (32 random bytes, base64url) is written with mode 0600.  Refused like the
 * master key when it is a link, not a regular file, not ours, or open to
 * group or others.  Kept only as its BLAKE2b hash; NULL with *cause.
 */
struct crypt_key *crypt_secret_load(const char *path, int create,
	    int *created, char **cause);
/* Whether the len bytes of candidate are the secret, in constant time (a
 * hash of each is compared): 0 or -1. */
int	crypt_secret_match(const struct crypt_key *secret,
	    const char *candidate, size_t len);

#endif
