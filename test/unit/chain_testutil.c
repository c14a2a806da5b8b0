/* Test helpers for chain and network tests: temporary directories, free ports, regtest blocks mined on a chain state. */
#include "test/unit/chain_testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chain/pouw.h"

uint16_t erg_test_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        abort();
    close(fd);
    return ntohs(sa.sin_port);
}

void erg_test_tmpdir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/erg_cs_XXXXXX");
    if (!mkdtemp(out)) abort();
}

void erg_test_rmdir(const char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", d);
}

erg_code erg_test_mine(const erg_chain_params *cp, erg_chainstate *cs, const erg_pubkey *pk, const erg_tx *txs,
                       size_t n, uint64_t time_, erg_block *keep, erg_err *err)
{
    erg_block b;
    erg_commons_job job;
    uint8_t seed[32], *out;
    size_t len;
    erg_code rc;
    if ((rc = erg_chainstate_template(cs, pk, txs, n, time_, &b, err))) return rc;
    if ((rc = erg_commons_job_at(cp, b.header.height, &job, err))) return rc;
    len = job.kernel->output_size(&job.params);
    out = malloc(len);
    erg_pouw_header_seed(&b.header, seed);
    rc = erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, len, err);
    if (rc == ERG_OK) rc = erg_kernel_output_hash(job.kernel, &job.params, out, len, b.header.output_hash, err);
    free(out);
    if (rc == ERG_OK) rc = erg_chainstate_process_block(cs, &b, time_ + 100, NULL, err);
    if (keep) *keep = b;
    else erg_block_free(&b);
    return rc;
}
