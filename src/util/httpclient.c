/* A minimal blocking HTTP/1.1 client over plain sockets (getaddrinfo, poll, one request per connection). */
#include "src/util/httpclient.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/util/base64.h"
#include "src/util/buffer.h"

#define ERG_HTTPC_DEFAULT_MAX ((size_t)256 << 20)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before the deadline for poll(): -1 forever, 0 when already past. */
static int remaining(int64_t deadline)
{
    int64_t left;
    if (deadline < 0) return -1;
    left = deadline - now_ms();
    if (left <= 0) return 0;
    return left > 1000000000 ? 1000000000 : (int)left;
}

static erg_code wait_fd(int fd, short ev, int64_t deadline, erg_err *err)
{
    for (;;) {
        struct pollfd p;
        int r;
        p.fd = fd;
        p.events = ev;
        p.revents = 0;
        r = poll(&p, 1, remaining(deadline));
        if (r > 0) return ERG_OK;
        if (r == 0) return erg_err_set(err, ERG_ERR_IO, "timeout on HTTP request");
        if (errno != EINTR) return erg_err_set(err, ERG_ERR_IO, "poll: %s", strerror(errno));
    }
}

static erg_code connect_to(const erg_http_client_req *rq, int64_t deadline, int *out, erg_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    char port[8];
    int rc, last_errno = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof port, "%u", (unsigned)rq->port);
    rc = getaddrinfo(rq->host, port, &hints, &res);
    if (rc != 0) return erg_err_set(err, ERG_ERR_IO, "cannot resolve %s: %s", rq->host, gai_strerror(rc));
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            *out = fd;
            freeaddrinfo(res);
            return ERG_OK;
        }
        if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline, NULL) == ERG_OK &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
            *out = fd;
            freeaddrinfo(res);
            return ERG_OK;
        }
        last_errno = soerr ? soerr : errno == EINPROGRESS ? ETIMEDOUT : errno;
        close(fd);
    }
    freeaddrinfo(res);
    return erg_err_set(err, ERG_ERR_IO, "%s", strerror(last_errno ? last_errno : ECONNREFUSED));
}

static erg_code send_all(int fd, const uint8_t *p, size_t n, int64_t deadline, erg_err *err)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            erg_code rc = wait_fd(fd, POLLOUT, deadline, err);
            if (rc) return rc;
            continue;
        }
        return erg_err_set(err, ERG_ERR_IO, "send: %s", w < 0 ? strerror(errno) : "connection closed");
    }
    return ERG_OK;
}

static erg_code recv_all(int fd, erg_buf *b, size_t max, int64_t deadline, erg_err *err)
{
    for (;;) {
        uint8_t chunk[16384];
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r > 0) {
            if (b->len + (size_t)r > max)
                return erg_err_set(err, ERG_ERR_RANGE, "response larger than %zu bytes", max);
            erg_buf_put_raw(b, chunk, (size_t)r);
            if (b->failed) return erg_err_set(err, ERG_ERR_NOMEM, "out of memory reading the response");
            continue;
        }
        if (r == 0) return ERG_OK;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            erg_code rc = wait_fd(fd, POLLIN, deadline, err);
            if (rc) return rc;
            continue;
        }
        /* A reset after a complete response (server closed with unread input) still counts. */
        if (errno == ECONNRESET && b->len) return ERG_OK;
        return erg_err_set(err, ERG_ERR_IO, "recv: %s", strerror(errno));
    }
}

/* Header value (trimmed, NUL-terminated in place) for name within [hdr, end), or NULL. */
static char *find_header(char *hdr, char *end, const char *name)
{
    size_t nl = strlen(name);
    char *line = hdr;
    while (line < end) {
        char *eol = memchr(line, '\n', (size_t)(end - line));
        char *stop = eol ? eol : end;
        if ((size_t)(stop - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            char *v = line + nl + 1, *ve = stop;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            *ve = '\0';
            return v;
        }
        if (!eol) break;
        line = eol + 1;
    }
    return NULL;
}

static erg_code dechunk(const char *p, size_t n, erg_buf *out, erg_err *err)
{
    size_t i = 0;
    for (;;) {
        char *end;
        unsigned long long sz;
        const char *eol = memchr(p + i, '\n', n - i);
        if (!eol) return erg_err_set(err, ERG_ERR_PARSE, "truncated chunk header");
        errno = 0;
        sz = strtoull(p + i, &end, 16);
        if (end == p + i || errno) return erg_err_set(err, ERG_ERR_PARSE, "bad chunk size");
        i = (size_t)(eol - p) + 1;
        if (sz == 0) return ERG_OK;
        if (sz > n - i || n - i - sz < 2) return erg_err_set(err, ERG_ERR_PARSE, "truncated chunk");
        erg_buf_put_raw(out, p + i, (size_t)sz);
        i += (size_t)sz;
        if (p[i] == '\r') i++;
        if (i >= n || p[i] != '\n') return erg_err_set(err, ERG_ERR_PARSE, "chunk without CRLF");
        i++;
    }
}

static erg_code parse_response(erg_buf *raw, erg_http_response *resp, erg_err *err)
{
    char *s = (char *)raw->data, *hend, *body, *v;
    size_t hlen, blen;
    int status;
    erg_buf out;
    if (!raw->len) return erg_err_set(err, ERG_ERR_IO, "EOF reached");
    erg_buf_put_u8(raw, 0); /* NUL sentinel for the parsers below */
    if (raw->failed) return erg_err_set(err, ERG_ERR_NOMEM, "out of memory");
    s = (char *)raw->data;
    raw->len--;
    hend = strstr(s, "\r\n\r\n");
    if (!hend) return erg_err_set(err, ERG_ERR_PARSE, "malformed HTTP response (no end of headers)");
    hlen = (size_t)(hend - s);
    body = hend + 4;
    blen = raw->len - hlen - 4;
    if (strncmp(s, "HTTP/1.", 7) != 0 || sscanf(s + 8, " %3d", &status) != 1 || status < 100 || status > 599)
        return erg_err_set(err, ERG_ERR_PARSE, "malformed HTTP status line");
    erg_buf_init(&out);
    if ((v = find_header(s, hend, "Transfer-Encoding")) && strcasecmp(v, "chunked") == 0) {
        erg_code rc = dechunk(body, blen, &out, err);
        if (rc) {
            erg_buf_free(&out);
            return rc;
        }
    } else {
        if ((v = find_header(s, hend, "Content-Length"))) {
            char *end;
            unsigned long long cl;
            errno = 0;
            cl = strtoull(v, &end, 10);
            if (*end || errno || end == v) return erg_err_set(err, ERG_ERR_PARSE, "bad Content-Length");
            if (cl > blen) return erg_err_set(err, ERG_ERR_IO, "response truncated (%zu of %llu bytes)", blen, cl);
            blen = (size_t)cl;
        }
        erg_buf_put_raw(&out, body, blen);
    }
    erg_buf_put_u8(&out, 0);
    if (out.failed) {
        erg_buf_free(&out);
        return erg_err_set(err, ERG_ERR_NOMEM, "out of memory");
    }
    /* Headers are parsed after the body copy: find_header writes NULs into them. */
    if ((v = find_header(s, hend, "WWW-Authenticate"))) resp->www_authenticate = strdup(v);
    resp->status = status;
    resp->body_len = out.len - 1;
    resp->body = (char *)out.data; /* ownership moves to resp */
    return ERG_OK;
}

erg_code erg_http_fetch(const erg_http_client_req *rq, erg_http_response *resp, erg_err *err)
{
    int64_t deadline = rq->timeout_s > 0 ? now_ms() + (int64_t)rq->timeout_s * 1000 : -1;
    size_t max = rq->max_response ? rq->max_response : ERG_HTTPC_DEFAULT_MAX;
    erg_buf req, raw;
    char line[512];
    int fd = -1;
    erg_code rc;
    memset(resp, 0, sizeof *resp);
    if (!rq->host || !rq->method || !rq->path || strpbrk(rq->path, "\r\n ") || strpbrk(rq->host, "\r\n "))
        return erg_err_set(err, ERG_ERR_ARG, "http client: bad host, method or path");
    erg_buf_init(&req);
    erg_buf_init(&raw);
    snprintf(line, sizeof line, strchr(rq->host, ':') ? "%s %s HTTP/1.1\r\nHost: [%s]:%u\r\n" : "%s %s HTTP/1.1\r\nHost: %s:%u\r\n",
             rq->method, rq->path, rq->host, (unsigned)rq->port);
    erg_buf_put_raw(&req, line, strlen(line));
    snprintf(line, sizeof line, "Connection: close\r\nContent-Length: %zu\r\n", rq->body_len);
    erg_buf_put_raw(&req, line, strlen(line));
    if (rq->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s\r\n", rq->content_type);
        erg_buf_put_raw(&req, line, strlen(line));
    }
    if (rq->basic_auth) {
        size_t n = strlen(rq->basic_auth), el = erg_base64_encoded_len(n);
        char *enc = malloc(el + 1);
        if (!enc || erg_base64_encode((const uint8_t *)rq->basic_auth, n, enc, el + 1, err) != ERG_OK) {
            free(enc);
            erg_buf_free(&req);
            return erg_err_set(err, ERG_ERR_NOMEM, "http client: out of memory");
        }
        erg_buf_put_raw(&req, "Authorization: Basic ", 21);
        erg_buf_put_raw(&req, enc, el);
        erg_buf_put_raw(&req, "\r\n", 2);
        erg_memzero(enc, el);
        free(enc);
    }
    erg_buf_put_raw(&req, "\r\n", 2);
    if (rq->body_len) erg_buf_put_raw(&req, rq->body, rq->body_len);
    if ((rc = erg_buf_status(&req, err))) goto done;
    if ((rc = connect_to(rq, deadline, &fd, err))) goto done;
    if ((rc = send_all(fd, req.data, req.len, deadline, err))) goto done;
    if ((rc = recv_all(fd, &raw, max, deadline, err))) goto done;
    rc = parse_response(&raw, resp, err);
done:
    if (fd >= 0) close(fd);
    erg_buf_free(&req);
    erg_buf_free(&raw);
    if (rc) erg_http_response_free(resp);
    return rc;
}

void erg_http_response_free(erg_http_response *resp)
{
    free(resp->body);
    free(resp->www_authenticate);
    memset(resp, 0, sizeof *resp);
}
