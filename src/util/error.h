/* Result codes and reason strings: the one error convention used by every Ergon module. */
#ifndef ERG_UTIL_ERROR_H
#define ERG_UTIL_ERROR_H

#include <stddef.h>

/*
 * Every fallible function returns an erg_code (ERG_OK == 0 on success) and takes an
 * `erg_err *err` as its last argument. On failure it fills *err with the code and a
 * human-readable reason; `err` may be NULL when the caller only wants the code.
 * Codes say what kind of failure it was; the reason says exactly what and where.
 */
typedef enum erg_code {
    ERG_OK = 0,
    ERG_ERR_ARG,       /* caller passed an argument outside the contract */
    ERG_ERR_NOMEM,     /* allocation failed */
    ERG_ERR_PARSE,     /* malformed or truncated input */
    ERG_ERR_RANGE,     /* well-formed but out of the allowed range or size */
    ERG_ERR_NONCANON,  /* well-formed but not the canonical encoding */
    ERG_ERR_CHECKSUM,  /* checksum, MAC or proof does not verify */
    ERG_ERR_CRYPTO,    /* a cryptographic primitive failed */
    ERG_ERR_IO,        /* file, socket or OS call failed */
    ERG_ERR_OPENCL,    /* an OpenCL call failed */
    ERG_ERR_UNSUPPORTED, /* the device or build lacks a needed feature */
    ERG_ERR_NOTFOUND,  /* a named thing does not exist */
    ERG_ERR_INVALID,   /* consensus or semantic rule violated */
    ERG_ERR_OVERFLOW,  /* integer arithmetic would overflow */
    ERG_ERR_INTERNAL   /* a broken invariant: a bug */
} erg_code;

#define ERG_REASON_MAX 256

typedef struct erg_err {
    erg_code code;               /* ERG_OK until a failure is recorded */
    char reason[ERG_REASON_MAX]; /* NUL-terminated, empty when code == ERG_OK */
} erg_err;

#if defined(__GNUC__)
#define ERG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ERG_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define ERG_PRINTF(f, a)
#define ERG_WARN_UNUSED
#endif

/* Reset *err (if non-NULL) to ERG_OK with an empty reason. */
void erg_err_clear(erg_err *err);

/* Record a failure in *err (if non-NULL) and return `code`, so callers can write
 * `return erg_err_set(err, ERG_ERR_PARSE, "...", ...);`. */
erg_code erg_err_set(erg_err *err, erg_code code, const char *fmt, ...) ERG_PRINTF(3, 4);

/* Prefix the existing reason with context ("block 12: " + reason); returns err->code. */
erg_code erg_err_prefix(erg_err *err, const char *fmt, ...) ERG_PRINTF(2, 3);

/* Short stable name of a code ("parse", "range", ...), for logs and RPC. */
const char *erg_code_name(erg_code code);

#endif
