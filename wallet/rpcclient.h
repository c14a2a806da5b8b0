/* The wallet's JSON-RPC client to ergond (over src/util/httpclient), with typed calls for the methods it uses. */
#ifndef ERG_WALLET_RPCCLIENT_H
#define ERG_WALLET_RPCCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/block.h"
#include "chain/tx.h"
#include "src/crypto/address.h"
#include "src/util/error.h"

/* Node error codes the wallet reacts to (Bitcoin Core's numbers, as ergond uses them). */
#define ERG_WRPC_INVALID_ADDRESS_OR_KEY (-5)
#define ERG_WRPC_INVALID_PARAMETER (-8)

/*
 * Where the node is and how to authenticate. Invariant: host and auth are NUL-terminated;
 * auth holds "user:password" (from the cookie file or -rpcuser/-rpcpassword) or is empty.
 * auth is a credential: erg_wrpc_clear wipes it.
 */
typedef struct erg_wrpc {
    char host[256];
    uint16_t port;
    char auth[512];
    char cookie_path[1024]; /* for messages; empty when a password was given */
    int timeout_s;
    int last_code;          /* JSON-RPC error code of the last call that returned one, else 0 */
} erg_wrpc;

/* Set up a client; the cookie is read now if no password is given (a missing cookie is only
 * reported if the node then refuses the call: usually the node is simply not running). */
erg_code erg_wrpc_init(erg_wrpc *c, const char *host, uint16_t port, const char *cookie_path, const char *user,
                       const char *password, erg_err *err) ERG_WARN_UNUSED;
void erg_wrpc_clear(erg_wrpc *c);

/* One call; params (may be NULL) is consumed. *result is owned by the caller (json_decref).
 * ERG_ERR_IO "cannot reach the node at host:port (...)" when nothing answers; ERG_ERR_INVALID
 * "node: <method>: <message>" for a JSON-RPC error (code in c->last_code). */
erg_code erg_wrpc_call(erg_wrpc *c, const char *method, json_t *params, json_t **result, erg_err *err) ERG_WARN_UNUSED;

erg_code erg_wrpc_getblockcount(erg_wrpc *c, uint32_t *height, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_wrpc_getblockhash(erg_wrpc *c, uint32_t height, uint8_t id[32], erg_err *err) ERG_WARN_UNUSED;
/* The block as raw bytes (verbosity 0), decoded, and checked to be the block asked for: its
 * header hashes to id and its transactions to the header's tx root. Free with erg_block_free. */
erg_code erg_wrpc_getblock(erg_wrpc *c, const uint8_t id[32], erg_block *b, erg_err *err) ERG_WARN_UNUSED;

typedef struct erg_wrpc_account {
    uint64_t balance;    /* base units at the tip */
    uint64_t nonce;      /* transactions confirmed */
    uint64_t next_nonce; /* counting the sender's mempool transactions */
} erg_wrpc_account;

erg_code erg_wrpc_getaccount(erg_wrpc *c, erg_network net, const erg_pubkey *pk, erg_wrpc_account *a, erg_err *err) ERG_WARN_UNUSED;
/* Submit; *txid is the node's answer, checked against our own id of tx. */
erg_code erg_wrpc_sendrawtransaction(erg_wrpc *c, const erg_tx *tx, uint8_t txid[32], erg_err *err) ERG_WARN_UNUSED;
/* Every mempool transaction, fetched raw and decoded (one getrawtransaction each; ones that
 * leave the pool between the two calls are skipped). Caller frees *txs. */
erg_code erg_wrpc_mempool(erg_wrpc *c, erg_tx **txs, size_t *n, erg_err *err) ERG_WARN_UNUSED;

#endif
