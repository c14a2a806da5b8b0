/* Leveled, timestamped logging to stderr and optionally a file. */
#ifndef ERG_UTIL_LOG_H
#define ERG_UTIL_LOG_H

#include "src/util/error.h"

typedef enum erg_log_level {
    ERG_LOG_DEBUG = 0,
    ERG_LOG_INFO = 1,
    ERG_LOG_WARN = 2,
    ERG_LOG_ERROR = 3,
    ERG_LOG_NONE = 4
} erg_log_level;

/* Messages below `level` are dropped. Default: INFO to stderr, no file. */
void erg_log_set_level(erg_log_level level);
erg_log_level erg_log_get_level(void);
/* Parse "debug" / "info" / "warn" / "error" / "none". */
erg_code erg_log_level_parse(const char *s, erg_log_level *out, erg_err *err) ERG_WARN_UNUSED;
/* Also append to `path` (NULL closes the current file). */
erg_code erg_log_open_file(const char *path, erg_err *err) ERG_WARN_UNUSED;
/* Turn the stderr copy on or off (daemons with a log file may want it off). */
void erg_log_set_stderr(int on);
void erg_log_close(void);

/* "2026-11-23T18:30:01.123Z [info] component: message" */
void erg_log(erg_log_level level, const char *component, const char *fmt, ...) ERG_PRINTF(3, 4);

#define erg_log_debug(c, ...) erg_log(ERG_LOG_DEBUG, c, __VA_ARGS__)
#define erg_log_info(c, ...) erg_log(ERG_LOG_INFO, c, __VA_ARGS__)
#define erg_log_warn(c, ...) erg_log(ERG_LOG_WARN, c, __VA_ARGS__)
#define erg_log_error(c, ...) erg_log(ERG_LOG_ERROR, c, __VA_ARGS__)

#endif
