/* Cryptographically secure random bytes from the operating system. */
#include "src/crypto/random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

erg_code erg_random_bytes(void *buf, size_t n, erg_err *err)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return erg_err_set(err, ERG_ERR_IO, "random: getrandom failed: %s", strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return ERG_OK;
}
