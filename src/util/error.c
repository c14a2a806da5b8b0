/* Result codes and reason strings: the one error convention used by every Ergon module. */
#include "src/util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void erg_err_clear(erg_err *err)
{
    if (err) {
        err->code = ERG_OK;
        err->reason[0] = '\0';
    }
}

erg_code erg_err_set(erg_err *err, erg_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->reason, sizeof err->reason, fmt, ap);
        va_end(ap);
    }
    return code;
}

erg_code erg_err_prefix(erg_err *err, const char *fmt, ...)
{
    char head[ERG_REASON_MAX], old[ERG_REASON_MAX];
    va_list ap;
    if (!err) return ERG_ERR_INTERNAL;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->reason, sizeof old);
    /* Truncation is intended: a reason is capped at ERG_REASON_MAX - 1 characters. */
    {
        size_t hl = strlen(head), ol = strlen(old);
        if (hl > ERG_REASON_MAX - 1) hl = ERG_REASON_MAX - 1;
        if (ol > ERG_REASON_MAX - 1 - hl) ol = ERG_REASON_MAX - 1 - hl;
        memcpy(err->reason, head, hl);
        memcpy(err->reason + hl, old, ol);
        err->reason[hl + ol] = '\0';
    }
    return err->code;
}

const char *erg_code_name(erg_code code)
{
    switch (code) {
    case ERG_OK: return "ok";
    case ERG_ERR_ARG: return "argument";
    case ERG_ERR_NOMEM: return "nomem";
    case ERG_ERR_PARSE: return "parse";
    case ERG_ERR_RANGE: return "range";
    case ERG_ERR_NONCANON: return "noncanonical";
    case ERG_ERR_CHECKSUM: return "checksum";
    case ERG_ERR_CRYPTO: return "crypto";
    case ERG_ERR_IO: return "io";
    case ERG_ERR_OPENCL: return "opencl";
    case ERG_ERR_UNSUPPORTED: return "unsupported";
    case ERG_ERR_NOTFOUND: return "notfound";
    case ERG_ERR_INVALID: return "invalid";
    case ERG_ERR_OVERFLOW: return "overflow";
    case ERG_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}
