/* Cryptographically secure random bytes from the operating system. */
#ifndef ERG_CRYPTO_RANDOM_H
#define ERG_CRYPTO_RANDOM_H

#include <stddef.h>

#include "src/util/error.h"

/* Fill buf with n bytes from getrandom(2); fails (never returns weak bytes) if the OS can't. */
erg_code erg_random_bytes(void *buf, size_t n, erg_err *err) ERG_WARN_UNUSED;

#endif
