/* Leveled, timestamped logging to stderr and optionally a file. */
#include "src/util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static erg_log_level g_level = ERG_LOG_INFO;
static FILE *g_file;
static int g_stderr = 1;
/* One lock so lines from several threads never interleave mid-line. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error", "none"};

void erg_log_set_level(erg_log_level level)
{
    g_level = level;
}

erg_log_level erg_log_get_level(void)
{
    return g_level;
}

erg_code erg_log_level_parse(const char *s, erg_log_level *out, erg_err *err)
{
    int i;
    for (i = 0; i <= ERG_LOG_NONE; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (erg_log_level)i;
            return ERG_OK;
        }
    }
    return erg_err_set(err, ERG_ERR_PARSE, "log: unknown level '%s' (debug, info, warn, error, none)", s);
}

erg_code erg_log_open_file(const char *path, erg_err *err)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "a");
        if (!f) return erg_err_set(err, ERG_ERR_IO, "log: cannot open %s: %s", path, strerror(errno));
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_lock(&g_lock);
    if (g_file) fclose(g_file);
    g_file = f;
    pthread_mutex_unlock(&g_lock);
    return ERG_OK;
}

void erg_log_set_stderr(int on)
{
    g_stderr = on;
}

void erg_log_close(void)
{
    pthread_mutex_lock(&g_lock);
    if (g_file) fclose(g_file);
    g_file = NULL;
    pthread_mutex_unlock(&g_lock);
}

void erg_log(erg_log_level level, const char *component, const char *fmt, ...)
{
    char msg[1024], stamp[40];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    if (level < g_level || level >= ERG_LOG_NONE) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&g_lock);
    if (g_stderr) fprintf(stderr, "%s.%03ldZ [%s] %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level], component, msg);
    if (g_file) fprintf(g_file, "%s.%03ldZ [%s] %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level], component, msg);
    pthread_mutex_unlock(&g_lock);
}
