/* Small checksummed data files (peers.dat, banlist.dat) replaced atomically, and the raw file I/O under them. */
#ifndef ERG_CRYPTO_DATAFILE_H
#define ERG_CRYPTO_DATAFILE_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/buffer.h"
#include "src/util/error.h"

/*
 * Layout (little-endian):
 *   magic[4] | version u32 = ERG_DATAFILE_VERSION | length u64 | data[length] | SHA-256(all bytes before)
 * The magic says what the file holds; the caller owns the format of data.
 */
#define ERG_DATAFILE_VERSION 1
#define ERG_DATAFILE_OVERHEAD (4 + 4 + 8 + 32)
#define ERG_DATAFILE_MAX (64u << 20) /* bytes: larger files are refused before reading */

/* Frame data and replace path with it atomically (erg_datafile_replace). */
erg_code erg_datafile_write(const char *path, const uint8_t magic[4], const uint8_t *data, size_t len,
                            erg_err *err) ERG_WARN_UNUSED;
/* Read and check a framed file; *out (reset first) receives only the data, and only on success.
 * ERG_ERR_NOTFOUND when path does not exist; ERG_ERR_PARSE (wrong magic, truncated, trailing
 * bytes), ERG_ERR_CHECKSUM (damaged) or ERG_ERR_UNSUPPORTED (other version) with a reason. */
erg_code erg_datafile_read(const char *path, const uint8_t magic[4], erg_buf *out, erg_err *err) ERG_WARN_UNUSED;

/* Read a whole regular file of at most max bytes into *out (reset first). ERG_ERR_NOTFOUND
 * when it does not exist, ERG_ERR_RANGE when larger than max. */
erg_code erg_datafile_read_raw(const char *path, size_t max, erg_buf *out, erg_err *err) ERG_WARN_UNUSED;
/* Create path (which must not exist after a stale copy is unlinked) with mode 0600, write data
 * and fsync it; on failure nothing is left at path. */
erg_code erg_datafile_write_synced(const char *path, const uint8_t *data, size_t len, erg_err *err) ERG_WARN_UNUSED;
/* fsync the directory holding path, so that a rename into it survives a crash. */
erg_code erg_datafile_sync_dir(const char *path, erg_err *err) ERG_WARN_UNUSED;
/* Replace path with data: write path.tmp, fsync, rename over path, fsync the directory. At
 * every instant path holds either the old or the new contents, complete. */
erg_code erg_datafile_replace(const char *path, const uint8_t *data, size_t len, erg_err *err) ERG_WARN_UNUSED;

#endif
