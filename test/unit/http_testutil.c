/* Test-side HTTP over raw sockets: hand-written requests, so the server is checked by bytes on the wire. */
#include "test/unit/http_testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/util/base64.h"

int64_t erg_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void erg_test_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int erg_test_connect(const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd;
    memset(&ss, 0, sizeof ss);
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -1;
        sl = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
        sl = sizeof *a;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int erg_test_send(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Wait for input until the deadline; 1 readable, 0 timeout. */
static int wait_in(int fd, int64_t deadline)
{
    for (;;) {
        struct pollfd p;
        int64_t left = deadline - erg_test_now_ms();
        int r;
        if (left <= 0) return 0;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        r = poll(&p, 1, (int)left);
        if (r > 0) return 1;
        if (r == 0) return 0;
        if (errno != EINTR) return 0;
    }
}

static int read_response(int fd, erg_test_resp *r, int timeout_ms, int head_only)
{
    int64_t deadline = erg_test_now_ms() + timeout_ms;
    char *buf = NULL, *hend = NULL;
    size_t len = 0, cap = 0, hlen = 0, want = (size_t)-1;
    int eof = 0;
    memset(r, 0, sizeof *r);
    for (;;) {
        ssize_t n;
        if (hend && want != (size_t)-1 && len - hlen >= want) break;
        if (eof) break;
        if (!wait_in(fd, deadline)) break;
        if (len + 65536 + 1 > cap) {
            char *g;
            cap = cap ? 2 * cap : 131072;
            g = realloc(buf, cap);
            if (!g) break;
            buf = g;
        }
        n = recv(fd, buf + len, 65536, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            eof = 1;
            continue;
        }
        len += (size_t)n;
        buf[len] = '\0';
        if (!hend && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
            char cl[32];
            hlen = (size_t)(hend - buf) + 4;
            if (hlen - 4 >= sizeof r->head) break;
            memcpy(r->head, buf, hlen - 4);
            r->head[hlen - 4] = '\0';
            if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1) r->status = 0;
            if (head_only) want = 0;
            else if (erg_test_resp_header(r, "Content-Length", cl, sizeof cl)) want = (size_t)strtoull(cl, NULL, 10);
            else if (r->status == 204 || r->status == 304) want = 0;
        }
    }
    if (!hend || (want != (size_t)-1 && len - hlen < want) || (want == (size_t)-1 && !eof)) {
        r->status = 0;
        free(buf);
        return -1;
    }
    if (want == (size_t)-1) want = len - hlen;
    r->body = malloc(want + 1);
    if (!r->body) {
        free(buf);
        r->status = 0;
        return -1;
    }
    memcpy(r->body, buf + hlen, want);
    r->body[want] = '\0';
    r->body_len = want;
    free(buf);
    return 0;
}

int erg_test_read_response(int fd, erg_test_resp *r, int timeout_ms)
{
    return read_response(fd, r, timeout_ms, 0);
}

int erg_test_read_head_response(int fd, erg_test_resp *r, int timeout_ms)
{
    return read_response(fd, r, timeout_ms, 1);
}

int erg_test_http_raw(const char *host, uint16_t port, const char *req, size_t len, erg_test_resp *r)
{
    int fd = erg_test_connect(host, port), rc;
    memset(r, 0, sizeof *r);
    if (fd < 0) return -1;
    if (erg_test_send(fd, req, len) != 0) {
        close(fd);
        return -1;
    }
    rc = erg_test_read_response(fd, r, 10000);
    close(fd);
    return rc;
}

char *erg_test_format_post(const char *path, const char *userpass, const char *body, int keep_alive)
{
    char auth[600] = "";
    size_t blen = strlen(body), cap = blen + 1024;
    char *out = malloc(cap);
    if (!out) return NULL;
    if (userpass) {
        char enc[512];
        if (erg_base64_encode((const uint8_t *)userpass, strlen(userpass), enc, sizeof enc, NULL) != 0) {
            free(out);
            return NULL;
        }
        snprintf(auth, sizeof auth, "Authorization: Basic %s\r\n", enc);
    }
    snprintf(out, cap, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: application/json\r\n%s"
             "Content-Length: %zu\r\n\r\n%s", path, auth, keep_alive ? "" : "Connection: close\r\n", blen, body);
    return out;
}

int erg_test_http_post(uint16_t port, const char *path, const char *userpass, const char *body, erg_test_resp *r)
{
    char *req = erg_test_format_post(path, userpass, body, 0);
    int rc;
    memset(r, 0, sizeof *r);
    if (!req) return -1;
    rc = erg_test_http_raw("127.0.0.1", port, req, strlen(req), r);
    free(req);
    return rc;
}

const char *erg_test_resp_header(const erg_test_resp *r, const char *name, char *out, size_t cap)
{
    const char *line = strstr(r->head, "\r\n");
    size_t nl = strlen(name);
    while (line) {
        const char *eol;
        line += 2;
        eol = strstr(line, "\r\n");
        if (!eol) eol = line + strlen(line);
        if ((size_t)(eol - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            size_t vl;
            while (*v == ' ') v++;
            vl = (size_t)(eol - v);
            if (vl >= cap) vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return out;
        }
        line = *eol ? eol : NULL;
    }
    return NULL;
}

void erg_test_resp_free(erg_test_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}
