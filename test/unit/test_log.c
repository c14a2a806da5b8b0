/* Unit tests for src/util/log: levels, file output, timestamp format. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/util/log.h"
#include "test/unit/harness.h"

static void test_parse_levels(void)
{
    erg_log_level l;
    erg_err err;
    CHECK(erg_log_level_parse("debug", &l, NULL) == ERG_OK && l == ERG_LOG_DEBUG);
    CHECK(erg_log_level_parse("error", &l, NULL) == ERG_OK && l == ERG_LOG_ERROR);
    CHECK(erg_log_level_parse("loud", &l, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "loud") != NULL);
}

static void test_file_and_filtering(void)
{
    char path[] = "/tmp/erg_log_test_XXXXXX";
    char line[512];
    FILE *f;
    int fd = mkstemp(path), lines = 0, saw_info = 0, saw_debug = 0;
    CHECK(fd >= 0);
    close(fd);
    erg_log_set_stderr(0);
    CHECK(erg_log_open_file(path, NULL) == ERG_OK);
    erg_log_set_level(ERG_LOG_INFO);
    erg_log_debug("test", "hidden %d", 1);
    erg_log_info("test", "shown %d", 2);
    erg_log_warn("test", "warned");
    erg_log_close();
    erg_log_set_stderr(1);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        lines++;
        if (strstr(line, "[info] test: shown 2")) saw_info = 1;
        if (strstr(line, "hidden")) saw_debug = 1;
        /* 2026-11-23T18:30:01.123Z */
        CHECK(strlen(line) > 24 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z');
    }
    fclose(f);
    unlink(path);
    CHECK(lines == 2 && saw_info && !saw_debug);
}

static void test_open_failure_reported(void)
{
    erg_err err;
    CHECK(erg_log_open_file("/nonexistent-dir/x.log", &err) == ERG_ERR_IO);
    CHECK(strstr(err.reason, "/nonexistent-dir/x.log") != NULL);
}

ERG_TESTS("log", T(test_parse_levels), T(test_file_and_filtering), T(test_open_failure_reported))
