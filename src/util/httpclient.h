/* A minimal blocking HTTP/1.1 client over plain sockets, for ergon-cli and tools that call the node. */
#ifndef ERG_UTIL_HTTPCLIENT_H
#define ERG_UTIL_HTTPCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* One request; every string is borrowed for the duration of the call. */
typedef struct erg_http_client_req {
    const char *host;         /* name or numeric address, resolved with getaddrinfo */
    uint16_t port;
    const char *method;       /* "POST" */
    const char *path;         /* "/" */
    const char *basic_auth;   /* "user:password" sent as HTTP Basic, or NULL */
    const char *content_type; /* or NULL */
    const void *body;
    size_t body_len;
    int timeout_s;            /* whole exchange; 0 = wait forever */
    size_t max_response;      /* bytes; 0 = 256 MiB */
} erg_http_client_req;

/* Invariant: body is NULL or NUL-terminated one byte past body_len. */
typedef struct erg_http_response {
    int status;               /* HTTP status, 0 when no response was read */
    char *body;               /* owned */
    size_t body_len;
    char *www_authenticate;   /* owned copy of that header, or NULL */
} erg_http_response;

/*
 * Connect, send, read the whole response (Connection: close; Content-Length or chunked).
 * ERG_OK whenever a well-formed response arrived, whatever its status. ERG_ERR_IO when the
 * server could not be reached or hung up (reason says why, e.g. "Connection refused"),
 * ERG_ERR_PARSE for a malformed response. On failure *resp is left empty (status 0).
 */
erg_code erg_http_fetch(const erg_http_client_req *rq, erg_http_response *resp, erg_err *err) ERG_WARN_UNUSED;
void erg_http_response_free(erg_http_response *resp);

#endif
