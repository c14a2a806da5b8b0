/* Test helpers for chain and network tests: temporary directories, free ports, regtest blocks mined on a chain state. */
#ifndef ERG_TEST_CHAIN_TESTUTIL_H
#define ERG_TEST_CHAIN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainstate.h"

/* A TCP port on 127.0.0.1 that was free a moment ago (for nodes started by tests and benches). */
uint16_t erg_test_free_port(void);

/* mkdtemp under /tmp (aborts on failure) and rm -rf. */
void erg_test_tmpdir(char *out, size_t n);
void erg_test_rmdir(const char *d);

/* Build, solve (regtest: any unit wins, the C reference computes it) and submit a block on the
 * tip paying pk with txs at time_. The block is kept in *keep when non-NULL (caller frees). */
erg_code erg_test_mine(const erg_chain_params *cp, erg_chainstate *cs, const erg_pubkey *pk, const erg_tx *txs,
                       size_t n, uint64_t time_, erg_block *keep, erg_err *err);

#endif
