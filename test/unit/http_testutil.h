/* Test-side HTTP over raw sockets: hand-written requests, so the server is checked by bytes on the wire. */
#ifndef ERG_TEST_HTTP_TESTUTIL_H
#define ERG_TEST_HTTP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A response as read off the socket. Invariant: body is NUL-terminated at body_len. */
typedef struct erg_test_resp {
    int status;        /* 0 when no complete response arrived */
    char head[8192];   /* status line and headers, NUL-terminated */
    char *body;        /* malloc'd */
    size_t body_len;
} erg_test_resp;

/* Connected blocking socket to host:port (numeric), or -1. */
int erg_test_connect(const char *host, uint16_t port);
/* Send all bytes; 0 on success. */
int erg_test_send(int fd, const void *p, size_t n);
/* Read one response (Content-Length, or until close); 0 when a status line was read. */
int erg_test_read_response(int fd, erg_test_resp *r, int timeout_ms);
/* The same for a response to HEAD: headers only, whatever Content-Length says. */
int erg_test_read_head_response(int fd, erg_test_resp *r, int timeout_ms);
/* Connect, send raw bytes, read one response, close. */
int erg_test_http_raw(const char *host, uint16_t port, const char *req, size_t len, erg_test_resp *r);
/* "POST path" with Connection: close, Basic auth from "user:pass" (NULL: no header) and a body. */
int erg_test_http_post(uint16_t port, const char *path, const char *userpass, const char *body, erg_test_resp *r);
/* Format a POST request into a malloc'd string (for sending on a kept socket). */
char *erg_test_format_post(const char *path, const char *userpass, const char *body, int keep_alive);
/* Value of a response header (case-insensitive) copied into out, or NULL. */
const char *erg_test_resp_header(const erg_test_resp *r, const char *name, char *out, size_t cap);
void erg_test_resp_free(erg_test_resp *r);
/* Milliseconds on a monotonic clock. */
int64_t erg_test_now_ms(void);
void erg_test_sleep_ms(int ms);

#endif
