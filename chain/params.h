/* Consensus and network parameters of the main, test and regtest networks. */
#ifndef ERG_CHAIN_PARAMS_H
#define ERG_CHAIN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "src/crypto/address.h"
#include "src/util/error.h"

#define ERG_COIN 100000000ull                      /* base units per ERG */
#define ERG_MAX_MONEY (210000000ull * ERG_COIN)    /* no amount or balance may exceed this */

typedef struct erg_chain_params {
    erg_network net;
    const char *name;          /* "main", "test", "regtest" */
    const char *datadir_sub;   /* "" for main, "testnet", "regtest" */
    uint8_t magic[4];          /* p2p message start */
    uint16_t p2p_port;
    uint16_t rpc_port;
    int64_t genesis_time;      /* unix seconds */
    uint32_t genesis_bits;     /* compact target of the genesis block and ASERT anchor */
    uint32_t pow_limit_bits;   /* easiest target ever allowed */
    int64_t target_spacing;    /* seconds per block the retarget aims for */
    int64_t asert_half_life;   /* seconds of schedule error that halve/double the target */
    int no_retarget;           /* regtest: the target stays at genesis_bits */
    uint64_t initial_subsidy;  /* base units paid to a block's payout at height 1.. */
    uint32_t halving_interval; /* blocks between subsidy halvings */
    int64_t max_future_time;   /* a header's time may be at most this far past the node's clock */
    int commons_small;         /* regtest: commons units use the kernels' small parameters */
} erg_chain_params;

const erg_chain_params *erg_chain_params_get(erg_network net);

/* Directory under $HOME holding the main network's data; other networks use a subdirectory
 * named by datadir_sub. The RPC cookie file inside a network's directory. */
#define ERG_DATADIR_NAME ".ergon"
#define ERG_COOKIE_NAME ".cookie"

/* $HOME/.ergon (falling back to the password database when HOME is unset). */
erg_code erg_chain_default_datadir(char *out, size_t cap, erg_err *err) ERG_WARN_UNUSED;
/* base, or base/<datadir_sub> for the test networks: where a node keeps this network's files. */
erg_code erg_chain_datadir(const char *base, erg_network net, char *out, size_t cap, erg_err *err) ERG_WARN_UNUSED;

/* Block subsidy at a height (0 for the genesis block). */
uint64_t erg_block_subsidy(const erg_chain_params *cp, uint32_t height);

#endif
