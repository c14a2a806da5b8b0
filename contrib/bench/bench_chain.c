/* Benchmark: connecting blocks full of transfers beside raw libsecp256k1 verification, and the
 * cost of verifying a block's winning unit beside the block's expected compute. */
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/pouw.h"
#include "kernels/registry.h"
#include "src/crypto/sha256.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const erg_err *err)
{
    fprintf(stderr, "bench_chain: %s: %s\n", what, err ? err->reason : "");
    exit(1);
}

/* Complete a template: on regtest any unit wins, so one unit with nonce 0. */
static void solve(const erg_chain_params *cp, erg_block *b)
{
    erg_commons_job job;
    uint8_t seed[32], *out;
    size_t len;
    erg_err err;
    if (erg_commons_job_at(cp, b->header.height, &job, &err)) die("job", &err);
    len = job.kernel->output_size(&job.params);
    out = malloc(len);
    b->header.nonce = 0;
    erg_pouw_header_seed(&b->header, seed);
    if (erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, len, &err)) die("unit", &err);
    if (erg_kernel_output_hash(job.kernel, &job.params, out, len, b->header.output_hash, &err)) die("hash", &err);
    free(out);
}

int main(int argc, char **argv)
{
    const erg_chain_params *cp = erg_chain_params_get(ERG_NET_REGTEST);
    int nblocks = argc > 1 ? atoi(argv[1]) : 4;
    size_t per_block = ERG_BLOCK_MAX_TXS, i;
    char dir[] = "/tmp/ergon_bench_XXXXXX";
    erg_chainstate *cs;
    erg_seckey sk;
    erg_pubkey pk, to;
    erg_block b;
    erg_err err;
    uint8_t gid[32];
    uint64_t nonce = 0, now = (uint64_t)cp->genesis_time;
    double t_connect = 0, t0;
    size_t total_tx = 0;
    int blk;
    if (!mkdtemp(dir)) return 1;
    if (erg_chainstate_open(&cs, cp, dir, &err)) die("open", &err);
    erg_chainstate_genesis_id(cs, gid);
    if (erg_seckey_generate(&sk, &err) || erg_seckey_pubkey(&sk, &pk, &err)) die("key", &err);
    memset(&to, 0, sizeof to);
    to.b[0] = 2; /* any 32 bytes serve as a recipient account */
    /* Fund the sender with two blocks of subsidy. */
    for (blk = 0; blk < 2; blk++) {
        now += 60;
        if (erg_chainstate_template(cs, &pk, NULL, 0, now, &b, &err)) die("template", &err);
        solve(cp, &b);
        if (erg_chainstate_process_block(cs, &b, now + 1000, NULL, &err)) die("fund", &err);
        erg_block_free(&b);
    }
    printf("connecting %d blocks of %zu signed transfers each (regtest, LevelDB in %s)\n", nblocks, per_block, dir);
    for (blk = 0; blk < nblocks; blk++) {
        erg_tx *txs = calloc(per_block, sizeof *txs);
        for (i = 0; i < per_block; i++) {
            txs[i].version = ERG_TX_VERSION;
            txs[i].type = ERG_TX_TRANSFER;
            txs[i].from = pk;
            to.b[1] = (uint8_t)i;
            to.b[2] = (uint8_t)(i >> 8);
            to.b[3] = (uint8_t)blk;
            txs[i].to = to;
            txs[i].amount = 1000;
            txs[i].fee = 100;
            txs[i].nonce = nonce++;
            if (erg_tx_sign(&txs[i], &sk, gid, &err)) die("sign", &err);
        }
        now += 60;
        if (erg_chainstate_template(cs, &pk, txs, per_block, now, &b, &err)) die("template", &err);
        if (b.ntx != per_block) {
            fprintf(stderr, "template took %zu of %zu transactions\n", b.ntx, per_block);
            return 1;
        }
        solve(cp, &b);
        t0 = now_s();
        if (erg_chainstate_process_block(cs, &b, now + 1000, NULL, &err)) die("connect", &err);
        t_connect += now_s() - t0;
        total_tx += b.ntx;
        erg_block_free(&b);
        free(txs);
    }
    erg_chainstate_close(cs);

    /* Baseline in the same run: raw libsecp256k1 BIP340 verification on one core. */
    {
        secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
        secp256k1_keypair kp;
        secp256k1_xonly_pubkey xpk;
        unsigned char msg[32] = {1}, sig[64];
        size_t n = 20000, ok = 0;
        double t_raw;
        if (!secp256k1_keypair_create(ctx, &kp, sk.b) || !secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
            !secp256k1_schnorrsig_sign32(ctx, sig, msg, &kp, NULL))
            return 1;
        t0 = now_s();
        for (i = 0; i < n; i++) ok += (size_t)secp256k1_schnorrsig_verify(ctx, sig, msg, 32, &xpk);
        t_raw = now_s() - t0;
        secp256k1_context_destroy(ctx);
        printf("connect: %.0f transactions/s (%zu transactions in %.3f s, signatures checked on %d threads)\n",
               total_tx / t_connect, total_tx, t_connect, 2);
        printf("raw libsecp256k1 schnorrsig_verify: %.0f verifications/s on one core (%zu ok)\n", n / t_raw, ok);
        printf("ratio connect tx/s : raw verify/s = %.2f (goal >= 0.7)\n", (total_tx / t_connect) / (n / t_raw));
    }

    /* Verifying a block costs one unit; producing it costs the network's expected compute. */
    {
        const erg_chain_params *main_cp = erg_chain_params_get(ERG_NET_MAIN);
        erg_u256 work;
        double expected_cu;
        size_t nk, k;
        const erg_kernel *const *ks = erg_kernel_list(&nk);
        if (erg_pouw_work(main_cp->genesis_bits, &work, &err)) die("work", &err);
        expected_cu = erg_u256_to_double(&work);
        printf("\nmain-network genesis target: expected compute per block %.3g CU\n", expected_cu);
        for (k = 0; k < nk; k++) {
            erg_kparams p;
            uint8_t seed[32] = {7}, *out;
            uint64_t cu;
            size_t len;
            const uint8_t *input = NULL;
            size_t input_len = 0;
            static const char hp[] = "PPHPPHHPPHHPPPPPHHHHHHHHHHPPPPPPHHPPHHPPHPPHHHHH";
            erg_kparams_default(ks[k], &p, 0);
            if (ks[k]->input != ERG_KINPUT_NONE) {
                input = (const uint8_t *)hp;
                input_len = sizeof hp - 1;
            }
            if (erg_kernel_cu(ks[k], &p, input_len, &cu, &err)) die("cu", &err);
            len = ks[k]->output_size(&p);
            out = malloc(len);
            t0 = now_s();
            if (erg_kernel_run_ref(ks[k], &p, input, input_len, seed, out, len, &err)) die("unit", &err);
            t0 = now_s() - t0;
            free(out);
            printf("  %-9s verify one default unit: %.3f s on one core (%llu CU); block expected compute / verify cost = %.3g\n",
                   ks[k]->name, t0, (unsigned long long)cu, expected_cu / (double)cu);
        }
    }
    {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }
    return 0;
}
