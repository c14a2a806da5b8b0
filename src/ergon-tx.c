/* ergon-tx: offline tool to make keys and build signed transactions for scripts and tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainstate.h"
#include "chain/params.h"
#include "chain/pouw.h"
#include "chain/tx.h"
#include "src/crypto/address.h"
#include "src/util/amount.h"
#include "src/util/hex.h"

static void genesis_id(const erg_chain_params *cp, uint8_t id[32])
{
    erg_header h;
    erg_genesis_header(cp, &h);
    erg_header_id(&h, id);
}

static int usage(void)
{
    fprintf(stderr,
            "Usage:\n"
            "  ergon-tx [-regtest|-testnet] keygen [--json]\n"
            "      a new private key (hex) and its address\n"
            "  ergon-tx [-regtest|-testnet] address PRIVKEY\n"
            "  ergon-tx [-regtest|-testnet] transfer --key=PRIVKEY --to=ADDRESS --amount=ERG --nonce=N [--fee=ERG] [--json]\n"
            "      a signed transfer as hex, ready for sendrawtransaction\n"
            "  ergon-tx [-regtest|-testnet] solve BLOCKHEX\n"
            "      compute the commons unit for a block template (C reference), trying nonces until the\n"
            "      ticket wins, and print the completed block; the other header fields are kept as given\n");
    return 2;
}

static int fail(const char *what, const erg_err *err)
{
    fprintf(stderr, "error: %s: %s\n", what, err->reason);
    return 1;
}

static const char *arg_value(int argc, char **argv, int from, const char *name)
{
    size_t n = strlen(name);
    int i;
    for (i = from; i < argc; i++)
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    return NULL;
}

static int has_flag(int argc, char **argv, int from, const char *name)
{
    int i;
    for (i = from; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

static int load_key(const char *hex, erg_seckey *sk, erg_err *err)
{
    uint8_t b[32];
    if (erg_hex_decode(hex, b, 32, err)) return 0;
    if (erg_seckey_from_bytes(sk, b, err)) return 0;
    return 1;
}

int main(int argc, char **argv)
{
    erg_network net = ERG_NET_MAIN;
    const erg_chain_params *cp;
    int i = 1;
    erg_err err;
    while (i < argc && argv[i][0] == '-' && argv[i][1] != '-') {
        if (strcmp(argv[i], "-regtest") == 0) net = ERG_NET_REGTEST;
        else if (strcmp(argv[i], "-testnet") == 0) net = ERG_NET_TEST;
        else return usage();
        i++;
    }
    if (i >= argc) return usage();
    cp = erg_chain_params_get(net);
    if (strcmp(argv[i], "keygen") == 0 || strcmp(argv[i], "address") == 0) {
        erg_seckey sk;
        erg_pubkey pk;
        char addr[ERG_ADDRESS_MAX], hex[65];
        if (strcmp(argv[i], "keygen") == 0) {
            if (erg_seckey_generate(&sk, &err)) return fail("keygen", &err);
        } else {
            if (i + 1 >= argc) return usage();
            if (!load_key(argv[i + 1], &sk, &err)) return fail("private key", &err);
        }
        if (erg_seckey_pubkey(&sk, &pk, &err)) return fail("public key", &err);
        if (erg_address_encode(net, &pk, addr, sizeof addr, &err)) return fail("address", &err);
        if (erg_hex_encode(sk.b, 32, hex, sizeof hex, &err)) return fail("hex", &err);
        erg_seckey_clear(&sk);
        if (has_flag(argc, argv, i + 1, "--json"))
            printf("{\"privkey\": \"%s\", \"address\": \"%s\"}\n", hex, addr);
        else if (strcmp(argv[i], "keygen") == 0)
            printf("privkey: %s\naddress: %s\n", hex, addr);
        else
            printf("%s\n", addr);
        return 0;
    }
    if (strcmp(argv[i], "transfer") == 0) {
        const char *key = arg_value(argc, argv, i + 1, "--key"), *to = arg_value(argc, argv, i + 1, "--to");
        const char *amount = arg_value(argc, argv, i + 1, "--amount"), *nonce = arg_value(argc, argv, i + 1, "--nonce");
        const char *fee = arg_value(argc, argv, i + 1, "--fee");
        erg_seckey sk;
        erg_tx tx;
        uint8_t gid[32], id[32];
        erg_buf b;
        char *hex, idhex[65], *end;
        if (!key || !to || !amount || !nonce) return usage();
        memset(&tx, 0, sizeof tx);
        tx.version = ERG_TX_VERSION;
        tx.type = ERG_TX_TRANSFER;
        if (!load_key(key, &sk, &err)) return fail("--key", &err);
        if (erg_seckey_pubkey(&sk, &tx.from, &err)) return fail("--key", &err);
        if (erg_address_decode(net, to, &tx.to, &err)) return fail("--to", &err);
        if (erg_amount_parse(amount, ERG_MAX_MONEY, &tx.amount, &err)) return fail("--amount", &err);
        tx.fee = 10000;
        if (fee && erg_amount_parse(fee, ERG_MAX_MONEY, &tx.fee, &err)) return fail("--fee", &err);
        tx.nonce = strtoull(nonce, &end, 10);
        if (*nonce < '0' || *nonce > '9' || *end) {
            fprintf(stderr, "error: --nonce: '%s' is not a non-negative integer\n", nonce);
            return 1;
        }
        genesis_id(cp, gid);
        if (erg_tx_sign(&tx, &sk, gid, &err)) return fail("sign", &err);
        erg_seckey_clear(&sk);
        if (erg_tx_check(&tx, gid, &err)) return fail("transaction", &err);
        erg_buf_init(&b);
        erg_tx_serialize(&tx, &b);
        hex = malloc(2 * b.len + 1);
        if (!hex || erg_hex_encode(b.data, b.len, hex, 2 * b.len + 1, &err)) return fail("hex", &err);
        erg_tx_id(&tx, id);
        if (erg_hex_encode(id, 32, idhex, sizeof idhex, &err)) return fail("hex", &err);
        if (has_flag(argc, argv, i + 1, "--json"))
            printf("{\"txid\": \"%s\", \"hex\": \"%s\"}\n", idhex, hex);
        else
            printf("%s\n", hex);
        free(hex);
        erg_buf_free(&b);
        return 0;
    }
    if (strcmp(argv[i], "solve") == 0) {
        uint8_t *raw = NULL, seed[32], oh[32], ticket[32], *out;
        size_t len, out_len;
        erg_block b;
        erg_commons_job job;
        erg_buf enc;
        char *hex;
        if (i + 1 >= argc) return usage();
        if (erg_hex_decode_alloc(argv[i + 1], &raw, &len, &err)) return fail("block hex", &err);
        if (erg_block_decode(raw, len, &b, &err)) return fail("block", &err);
        free(raw);
        if (erg_commons_job_at(cp, b.header.height, &job, &err)) return fail("commons job", &err);
        out_len = job.kernel->output_size(&job.params);
        out = malloc(out_len ? out_len : 1);
        if (!out) return 1;
        for (b.header.nonce = 0;; b.header.nonce++) {
            erg_pouw_header_seed(&b.header, seed);
            if (erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, out_len, &err))
                return fail("unit", &err);
            if (erg_kernel_output_hash(job.kernel, &job.params, out, out_len, oh, &err)) return fail("hash", &err);
            erg_pouw_ticket(seed, oh, ticket);
            if (net == ERG_NET_REGTEST || erg_pouw_check_ticket(ticket, b.header.bits, b.header.cu, NULL) == ERG_OK) break;
        }
        memcpy(b.header.output_hash, oh, 32);
        free(out);
        erg_buf_init(&enc);
        erg_block_serialize(&b, &enc);
        hex = malloc(2 * enc.len + 1);
        if (!hex || erg_hex_encode(enc.data, enc.len, hex, 2 * enc.len + 1, &err)) return 1;
        printf("%s\n", hex);
        free(hex);
        erg_buf_free(&enc);
        erg_block_free(&b);
        return 0;
    }
    return usage();
}
