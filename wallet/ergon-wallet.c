/* ergon-wallet: hold and move tokens; keys from one mnemonic seed, encrypted at rest, the node reached only over RPC. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <jansson.h>

#include "chain/params.h"
#include "ergon-config.h"
#include "src/crypto/address.h"
#include "src/crypto/random.h"
#include "src/util/amount.h"
#include "src/util/hex.h"
#include "wallet/mnemonic.h"
#include "wallet/rpcclient.h"
#include "wallet/send.h"
#include "wallet/session.h"
#include "wallet/sync.h"
#include "wallet/wallet.h"
#include "wallet/walletfile.h"

#define WALLET_FILE_NAME "wallet.dat"
#define PASS_MAX 1024
#define PHRASE_INPUT_MAX 4096
#define DEFAULT_UNLOCK_SECONDS 600
#define DEFAULT_GAP 20
#define LOCK_WAIT_MS 10000
/* TEST ONLY: set to 1 to seal new wallets with cheap scrypt costs (see doc/wallet.md). */
#define WEAK_KDF_ENV "ERGON_WALLET_TEST_WEAK_KDF"

/* Everything from the command line. Invariant after parse_args: command is set; args holds
 * the command's positional arguments; numeric options are -1 when not given. */
typedef struct wopts {
    erg_network net;
    const char *datadir, *wallet, *rpcconnect, *rpcuser, *rpcpassword, *cookiefile;
    long rpcport;
    const char *command;
    const char *args[4];
    int nargs;
    int json, phrase, replace;
    const char *passphrase_file, *new_passphrase_file, *phrase_file, *fee, *from, *label;
    long birth_height, gap, timeout, words;
} wopts;

/* One run. Invariant: wallet_path and netdir are set before any command runs; lock_fd >= 0
 * while the wallet lock is held. */
typedef struct wctx {
    wopts o;
    const erg_chain_params *cp;
    char base[PATH_MAX];     /* -datadir or ~/.ergon */
    char netdir[PATH_MAX];
    char wallet_path[PATH_MAX];
    int lock_fd;
    int rpc_ready;
    erg_wrpc rpc;
} wctx;

static int usage(FILE *f)
{
    fprintf(f,
            "Ergon wallet version %s\n\n"
            "Usage: ergon-wallet [options] <command> [arguments]\n\n"
            "Options:\n"
            "  -regtest | -testnet      network (default main)\n"
            "  -datadir=DIR             node data directory (default ~/%s); the wallet lives in its network directory\n"
            "  -wallet=FILE             wallet file (default <datadir>[/regtest|/testnet]/%s)\n"
            "  -rpcconnect=HOST         node address (default 127.0.0.1)\n"
            "  -rpcport=N               node RPC port (default: the network's)\n"
            "  -rpccookiefile=FILE      RPC cookie (default <network directory>/%s)\n"
            "  -rpcuser=U -rpcpassword=P  RPC credentials instead of the cookie\n\n"
            "Commands:\n"
            "  create [--words=17|9] [--birth-height=N]   new wallet; prints its recovery phrase once\n"
            "  restore [--phrase-file=FILE] [--birth-height=N] [--gap=N]   wallet from a recovery phrase\n"
            "  newaddress [--label=TEXT]                  derive the next address\n"
            "  listaddresses                              the wallet's addresses\n"
            "  balance                                    confirmed and pending balances\n"
            "  send ADDRESS AMOUNT [--fee=AMOUNT] [--from=ADDRESS]   pay AMOUNT tokens (decimal, 8 places)\n"
            "  history                                    transactions, scanned from the node's blocks\n"
            "  unlock [--timeout=SECONDS]                 keep the wallet open for a while (default %d s)\n"
            "  lock                                       end the unlock session now\n"
            "  passphrase [--new-passphrase-file=FILE]    change the passphrase\n"
            "  export FILE                                write an encrypted backup copy of the wallet\n"
            "  export --phrase                            show the recovery phrase\n"
            "  import FILE [--replace]                    install a backup as the wallet\n\n"
            "Every command: --json for machine-readable output; --passphrase-file=FILE to read the\n"
            "passphrase from a file (first line) instead of the terminal.\n",
            PACKAGE_VERSION, ERG_DATADIR_NAME, WALLET_FILE_NAME, ERG_COOKIE_NAME, DEFAULT_UNLOCK_SECONDS);
    return 2;
}

static int fail(const erg_err *err)
{
    fprintf(stderr, "error: %s\n", err->reason);
    return 1;
}

static int fail_msg(const char *msg)
{
    fprintf(stderr, "error: %s\n", msg);
    return 1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    if (!s || !*s) return 0;
    v = strtol(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* Global options come before the command (one dash, as ergond's); command options after it
 * (one or two dashes). Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, wopts *o)
{
    int i, nets = 0;
    memset(o, 0, sizeof *o);
    o->rpcport = o->birth_height = o->gap = o->timeout = o->words = -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        char name[32];
        size_t nl;
        if (a[0] != '-' || !a[1]) {
            if (o->command) {
                if (o->nargs >= 4) {
                    fprintf(stderr, "error: too many arguments for %s\n", o->command);
                    return 2;
                }
                o->args[o->nargs++] = a;
            } else {
                o->command = a;
            }
            continue;
        }
        a += (a[1] == '-') ? 2 : 1;
        val = strchr(a, '=');
        nl = val ? (size_t)(val - a) : strlen(a);
        if (val) val++;
        if (nl >= sizeof name) nl = sizeof name - 1;
        memcpy(name, a, nl);
        name[nl] = '\0';
#define IS(n) (strcmp(name, n) == 0)
        if (IS("h") || IS("help") || IS("?")) {
            usage(stdout);
            return 0;
        } else if (IS("version")) {
            printf("Ergon wallet version %s\n", PACKAGE_VERSION);
            return 0;
        } else if (IS("regtest") && !val) {
            o->net = ERG_NET_REGTEST, nets++;
        } else if (IS("testnet") && !val) {
            o->net = ERG_NET_TEST, nets++;
        } else if (IS("datadir") && val) {
            o->datadir = val;
        } else if (IS("wallet") && val) {
            o->wallet = val;
        } else if (IS("rpcconnect") && val) {
            o->rpcconnect = val;
        } else if (IS("rpcuser") && val) {
            o->rpcuser = val;
        } else if (IS("rpcpassword") && val) {
            o->rpcpassword = val;
        } else if (IS("rpccookiefile") && val) {
            o->cookiefile = val;
        } else if (IS("rpcport") && val) {
            if (!parse_long(val, 1, 65535, &o->rpcport)) return fprintf(stderr, "error: -rpcport: '%s' is not a port\n", val), 2;
        } else if (IS("json") && !val) {
            o->json = 1;
        } else if (IS("phrase") && !val) {
            o->phrase = 1;
        } else if (IS("replace") && !val) {
            o->replace = 1;
        } else if (IS("passphrase-file") && val) {
            o->passphrase_file = val;
        } else if (IS("new-passphrase-file") && val) {
            o->new_passphrase_file = val;
        } else if (IS("phrase-file") && val) {
            o->phrase_file = val;
        } else if (IS("fee") && val) {
            o->fee = val;
        } else if (IS("from") && val) {
            o->from = val;
        } else if (IS("label") && val) {
            o->label = val;
        } else if (IS("birth-height") && val) {
            if (!parse_long(val, 0, UINT32_MAX, &o->birth_height))
                return fprintf(stderr, "error: --birth-height: '%s' is not a block height\n", val), 2;
        } else if (IS("gap") && val) {
            if (!parse_long(val, 1, 1000, &o->gap)) return fprintf(stderr, "error: --gap: '%s' is not 1..1000\n", val), 2;
        } else if (IS("timeout") && val) {
            if (!parse_long(val, 1, ERG_SESSION_MAX_SECONDS, &o->timeout))
                return fprintf(stderr, "error: --timeout: '%s' is not 1..%d seconds\n", val, ERG_SESSION_MAX_SECONDS), 2;
        } else if (IS("words") && val) {
            if (!parse_long(val, 9, 17, &o->words) || (o->words != 9 && o->words != 17))
                return fprintf(stderr, "error: --words: '%s' must be 9 (128-bit) or 17 (256-bit)\n", val), 2;
        } else {
            fprintf(stderr, "error: unknown option '%s' (see ergon-wallet -help)\n", argv[i]);
            return 2;
        }
#undef IS
    }
    if (nets > 1) return fprintf(stderr, "error: -regtest and -testnet together\n"), 2;
    if (!o->command) return usage(stderr);
    return -1;
}

/* ---- passphrases and phrases ------------------------------------------------------------ */

/* First line of a file (without its line ending). Warns when others may read the file. */
static erg_code read_secret_file(const char *path, const char *what, char *out, size_t cap, size_t *len, erg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    ssize_t n;
    size_t k = 0;
    if (fd < 0) return erg_err_set(err, ERG_ERR_IO, "%s %s: %s", what, path, strerror(errno));
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        fprintf(stderr, "warning: %s %s can be read by other users (chmod 600 it)\n", what, path);
    while (k + 1 < cap && (n = read(fd, out + k, cap - 1 - k)) > 0) k += (size_t)n;
    close(fd);
    out[k] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    *len = strlen(out);
    if (*len == 0) return erg_err_set(err, ERG_ERR_ARG, "%s %s is empty", what, path);
    return ERG_OK;
}

/* Read a line from the terminal with echo off. ERG_ERR_NOTFOUND when there is no terminal. */
static erg_code read_tty_secret(const char *prompt, char *out, size_t cap, size_t *len, erg_err *err)
{
    struct termios old, quiet;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    size_t k = 0;
    char c;
    if (fd < 0) return erg_err_set(err, ERG_ERR_NOTFOUND, "no terminal");
    if (tcgetattr(fd, &old) != 0) {
        close(fd);
        return erg_err_set(err, ERG_ERR_NOTFOUND, "no terminal");
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
        close(fd);
        return erg_err_set(err, ERG_ERR_IO, "terminal: %s", strerror(errno));
    }
    while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r') {
        if (k + 1 < cap) out[k++] = c;
    }
    c = 0;
    out[k] = '\0';
    (void)tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* the newline is cosmetic */
    }
    close(fd);
    *len = k;
    return ERG_OK;
}

static const char *NEED_PASS =
    "a passphrase is needed and there is no terminal to ask on: use --passphrase-file=FILE (or unlock first)";

/* The passphrase of an existing wallet: from --passphrase-file, else asked on the terminal. */
static erg_code get_passphrase(const wctx *x, const char *prompt, char *out, size_t *len, erg_err *err)
{
    erg_code rc;
    if (x->o.passphrase_file) return read_secret_file(x->o.passphrase_file, "passphrase file", out, PASS_MAX, len, err);
    rc = read_tty_secret(prompt, out, PASS_MAX, len, err);
    if (rc == ERG_ERR_NOTFOUND) return erg_err_set(err, ERG_ERR_ARG, "%s", NEED_PASS);
    if (rc == ERG_OK && *len == 0) return erg_err_set(err, ERG_ERR_ARG, "empty passphrase");
    return rc;
}

/* A new passphrase: from `file`, else asked twice on the terminal. */
static erg_code get_new_passphrase(const char *file, char *out, size_t *len, erg_err *err)
{
    char again[PASS_MAX];
    size_t n2;
    erg_code rc;
    if (file) return read_secret_file(file, "passphrase file", out, PASS_MAX, len, err);
    rc = read_tty_secret("New wallet passphrase: ", out, PASS_MAX, len, err);
    if (rc == ERG_ERR_NOTFOUND)
        return erg_err_set(err, ERG_ERR_ARG, "a new passphrase is needed and there is no terminal: use --%spassphrase-file=FILE",
                           file ? "" : "new-");
    if (rc) return rc;
    if (*len == 0) return erg_err_set(err, ERG_ERR_ARG, "empty passphrase");
    if ((rc = read_tty_secret("Repeat the passphrase: ", again, sizeof again, &n2, err))) return rc;
    if (n2 != *len || memcmp(again, out, n2) != 0) rc = erg_err_set(err, ERG_ERR_ARG, "the passphrases differ; nothing was changed");
    erg_memzero(again, sizeof again);
    if (*len < 8 && rc == ERG_OK) fprintf(stderr, "warning: a passphrase of %zu characters is easy to guess\n", *len);
    return rc;
}

static erg_kdf_params new_kdf_params(void)
{
    const char *weak = getenv(WEAK_KDF_ENV);
    if (weak && strcmp(weak, "1") == 0) {
        fprintf(stderr, "warning: %s=1: TEST-ONLY weak key derivation; never use it for real funds\n", WEAK_KDF_ENV);
        return erg_kdf_params_test_weak();
    }
    return erg_kdf_params_default();
}

/* ---- wallet file access ----------------------------------------------------------------- */

static erg_code rpc_client(wctx *x, erg_err *err)
{
    char cookie[PATH_MAX + 16];
    uint16_t port;
    erg_code rc;
    if (x->rpc_ready) return ERG_OK;
    port = x->o.rpcport > 0 ? (uint16_t)x->o.rpcport : x->cp->rpc_port;
    if (x->o.cookiefile) snprintf(cookie, sizeof cookie, "%s", x->o.cookiefile);
    else snprintf(cookie, sizeof cookie, "%s/%s", x->netdir, ERG_COOKIE_NAME);
    rc = erg_wrpc_init(&x->rpc, x->o.rpcconnect ? x->o.rpcconnect : "127.0.0.1", port, cookie, x->o.rpcuser,
                       x->o.rpcpassword, err);
    if (rc == ERG_OK) x->rpc_ready = 1;
    return rc;
}

static erg_code lock_wallet(wctx *x, erg_err *err)
{
    if (x->lock_fd >= 0) return ERG_OK;
    return erg_walletfile_lock(x->wallet_path, LOCK_WAIT_MS, &x->lock_fd, err);
}

/* Read and check the header of the wallet file (no passphrase needed). */
static erg_code load_file(wctx *x, erg_buf *file, erg_walletfile_header *h, erg_err *err)
{
    erg_code rc = erg_walletfile_read(x->wallet_path, file, err);
    if (rc == ERG_ERR_NOTFOUND)
        return erg_err_set(err, rc, "no wallet at %s: make one with `ergon-wallet%s create` (or name another with -wallet=FILE)",
                           x->wallet_path, x->o.net == ERG_NET_REGTEST ? " -regtest" : x->o.net == ERG_NET_TEST ? " -testnet" : "");
    if (rc) return rc;
    if ((rc = erg_walletfile_parse_header(file->data, file->len, h, err))) {
        if (err) (void)erg_err_prefix(err, "%s: ", x->wallet_path);
        return rc;
    }
    if (h->network != x->o.net)
        return erg_err_set(err, ERG_ERR_ARG, "%s is a %s wallet; run with %s", x->wallet_path,
                           erg_network_name((erg_network)h->network),
                           h->network == ERG_NET_REGTEST ? "-regtest" : h->network == ERG_NET_TEST ? "-testnet" : "neither -regtest nor -testnet");
    return ERG_OK;
}

/* Decrypt and parse; payload checked to belong to the header's network. */
static erg_code open_with_key(const erg_buf *file, const erg_wallet_key *key, erg_wallet *w, erg_err *err)
{
    erg_buf plain;
    erg_walletfile_header h;
    erg_code rc;
    erg_buf_init(&plain);
    if (!(rc = erg_walletfile_open(file->data, file->len, key, &plain, err)) && !(rc = erg_walletfile_parse_header(file->data, file->len, &h, err))) {
        rc = erg_wallet_parse(plain.data, plain.len, w, err);
        if (rc == ERG_OK && (uint8_t)w->net != h.network) {
            erg_wallet_free(w);
            rc = erg_err_set(err, ERG_ERR_INVALID, "wallet contents name another network than its header");
        }
    }
    erg_buf_free(&plain);
    return rc;
}

enum { USE_SESSION = 0, NEED_PASSPHRASE = 1 };

/*
 * Lock the wallet, read it and open it: with the unlock session when one is valid and `mode`
 * allows, else with the passphrase. On success *w and *key are filled (wipe both after use).
 */
static erg_code open_wallet(wctx *x, int mode, erg_buf *file, erg_wallet *w, erg_wallet_key *key, erg_err *err)
{
    erg_walletfile_header h;
    char pass[PASS_MAX];
    size_t plen = 0;
    erg_code rc;
    erg_wallet_init(w);
    if ((rc = lock_wallet(x, err)) || (rc = load_file(x, file, &h, err))) return rc;
    if (mode == USE_SESSION && !x->o.passphrase_file) {
        erg_err serr;
        if (erg_session_read(x->wallet_path, (uint64_t)time(NULL), key, NULL, &serr) == ERG_OK) {
            rc = open_with_key(file, key, w, err);
            if (rc == ERG_OK) return ERG_OK;
            /* A stale session (the passphrase was changed, the file replaced): forget it. */
            erg_wallet_key_clear(key);
            if (erg_session_remove(x->wallet_path, NULL, &serr)) fprintf(stderr, "warning: %s\n", serr.reason);
            if (rc != ERG_ERR_ARG && rc != ERG_ERR_INVALID) return rc;
        }
    }
    if ((rc = get_passphrase(x, "Wallet passphrase: ", pass, &plen, err))) {
        erg_memzero(pass, sizeof pass);
        return rc;
    }
    rc = erg_wallet_key_derive(pass, plen, &h.kdf, h.salt, key, err);
    erg_memzero(pass, sizeof pass);
    if (rc) return rc;
    if ((rc = open_with_key(file, key, w, err))) {
        erg_wallet_key_clear(key);
        if (err) (void)erg_err_prefix(err, "%s: ", x->wallet_path);
    }
    return rc;
}

/* Seal and write the wallet (previous version kept as .bak). */
static erg_code save_wallet(wctx *x, const erg_wallet *w, const erg_wallet_key *key, int flags, erg_err *err)
{
    erg_buf plain, sealed;
    erg_code rc;
    erg_buf_init(&plain);
    erg_buf_init(&sealed);
    erg_wallet_serialize(w, &plain);
    if (!(rc = erg_buf_status(&plain, err)) && !(rc = erg_walletfile_seal(key, (uint8_t)w->net, plain.data, plain.len, &sealed, err)))
        rc = erg_walletfile_write(x->wallet_path, sealed.data, sealed.len, flags, err);
    erg_buf_free(&plain);
    erg_buf_free(&sealed);
    return rc;
}

static int wallet_exists(const wctx *x)
{
    struct stat st;
    return lstat(x->wallet_path, &st) == 0;
}

static void addr_str(erg_network net, const erg_pubkey *pk, char out[ERG_ADDRESS_MAX])
{
    if (erg_address_encode(net, pk, out, ERG_ADDRESS_MAX, NULL)) snprintf(out, ERG_ADDRESS_MAX, "?");
}

static void hex32(const uint8_t b[32], char out[65])
{
    if (erg_hex_encode(b, 32, out, 65, NULL)) out[0] = '\0';
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) printf("%s\n", s);
    free(s);
    json_decref(j);
}

static json_t *amount_json(uint64_t v)
{
    char s[ERG_AMOUNT_STR_MAX];
    erg_amount_format(v, s);
    return json_string(s);
}

/* "+1.00000000" / "-0.50010000" for in - out, exact. */
static void signed_amount(uint64_t in, uint64_t out, char s[ERG_AMOUNT_STR_MAX + 1])
{
    char a[ERG_AMOUNT_STR_MAX];
    erg_amount_format(in >= out ? in - out : out - in, a);
    snprintf(s, ERG_AMOUNT_STR_MAX + 1, "%c%s", in >= out ? '+' : '-', a);
}

/* ---- commands --------------------------------------------------------------------------- */

/* The default wallet location is created on first use, private to the user; a -wallet=FILE
 * names a file in a directory that must already exist. */
static erg_code make_parent_dir(const wctx *x, erg_err *err)
{
    if (x->o.wallet) return ERG_OK;
    if (!x->o.datadir && mkdir(x->base, 0700) != 0 && errno != EEXIST)
        return erg_err_set(err, ERG_ERR_IO, "%s: %s", x->base, strerror(errno));
    if (strcmp(x->netdir, x->base) != 0 && mkdir(x->netdir, 0700) != 0 && errno != EEXIST)
        return erg_err_set(err, ERG_ERR_IO, "%s: %s", x->netdir, strerror(errno));
    return ERG_OK;
}

/* Shared by create and restore: write a new wallet over entropy. */
static int write_new_wallet(wctx *x, const uint8_t *entropy, size_t elen, uint32_t birth, int discover, erg_wallet *w, erg_err *err)
{
    char pass[PASS_MAX];
    size_t plen = 0;
    erg_wallet_key key;
    erg_kdf_params kdf;
    erg_code rc;
    if ((rc = erg_wallet_create(w, x->o.net, entropy, elen, birth, err))) return rc;
    if (discover) {
        erg_err derr;
        uint32_t gap = x->o.gap > 0 ? (uint32_t)x->o.gap : DEFAULT_GAP;
        if ((rc = rpc_client(x, err))) return rc;
        if (erg_wallet_check_node(&x->rpc, x->cp, &derr) || erg_wallet_discover(w, &x->rpc, gap, &derr))
            fprintf(stderr, "note: %s\nnote: restored the first address only; `newaddress` derives the next ones\n", derr.reason);
    }
    if ((rc = get_new_passphrase(x->o.passphrase_file, pass, &plen, err))) {
        erg_memzero(pass, sizeof pass);
        return rc;
    }
    kdf = new_kdf_params();
    rc = erg_wallet_key_new(pass, plen, &kdf, &key, err);
    erg_memzero(pass, sizeof pass);
    if (rc) return rc;
    rc = save_wallet(x, w, &key, ERG_WF_CREATE_ONLY, err);
    erg_wallet_key_clear(&key);
    return rc;
}

static int cmd_create(wctx *x)
{
    uint8_t entropy[32];
    size_t elen = x->o.words == 9 ? 16 : 32;
    char phrase[ERG_MNEMONIC_MAX], first[ERG_ADDRESS_MAX];
    uint32_t birth = 0;
    erg_wallet w;
    erg_err err;
    int rc = 0;
    if (wallet_exists(x)) return fprintf(stderr, "error: a wallet already exists at %s; nothing was changed\n", x->wallet_path), 1;
    if (make_parent_dir(x, &err) || lock_wallet(x, &err)) return fail(&err);
    if (x->o.birth_height >= 0) {
        birth = (uint32_t)x->o.birth_height;
    } else if (rpc_client(x, &err) == ERG_OK) {
        /* Scanning can start at today's height: nothing before it can pay a new key. */
        x->rpc.timeout_s = 5;
        if (erg_wallet_check_node(&x->rpc, x->cp, &err) || erg_wrpc_getblockcount(&x->rpc, &birth, &err)) {
            fprintf(stderr, "note: %s\nnote: history will be scanned from block 0 (or pass --birth-height=N)\n", err.reason);
            birth = 0;
        }
        x->rpc.timeout_s = 120;
    }
    if (erg_random_bytes(entropy, elen, &err)) return fail(&err);
    erg_wallet_init(&w);
    if (write_new_wallet(x, entropy, elen, birth, 0, &w, &err) || erg_mnemonic_encode(entropy, elen, phrase, sizeof phrase, &err)) {
        rc = fail(&err);
    } else {
        addr_str(w.net, &w.addrs[0].pk, first);
        /* The one moment the phrase is shown unasked: without it a lost file is lost tokens. */
        if (x->o.json) {
            printf("{\n  \"wallet\": ");
            {
                json_t *p = json_string(x->wallet_path);
                char *s = json_dumps(p, JSON_ENCODE_ANY);
                printf("%s", s ? s : "null");
                free(s);
                json_decref(p);
            }
            printf(",\n  \"network\": \"%s\",\n  \"address\": \"%s\",\n  \"birth_height\": %u,\n  \"phrase\": \"%s\"\n}\n",
                   x->cp->name, first, birth, phrase);
        } else {
            printf("Created %s wallet %s\nFirst address: %s\n\n"
                   "Recovery phrase (write it down and keep it offline; anyone who has it can spend your tokens):\n\n"
                   "    %s\n\n",
                   x->cp->name, x->wallet_path, first, phrase);
        }
    }
    erg_memzero(entropy, sizeof entropy);
    erg_memzero(phrase, sizeof phrase);
    erg_wallet_free(&w);
    return rc;
}

/* The phrase: --phrase-file, else standard input when it is not a terminal, else the terminal. */
static erg_code read_phrase(const wctx *x, char *out, size_t cap, erg_err *err)
{
    size_t n = 0;
    erg_code rc;
    if (x->o.phrase_file) {
        FILE *f = fopen(x->o.phrase_file, "r");
        if (!f) return erg_err_set(err, ERG_ERR_IO, "phrase file %s: %s", x->o.phrase_file, strerror(errno));
        n = fread(out, 1, cap - 1, f);
        fclose(f);
        out[n] = '\0';
        return ERG_OK;
    }
    if (!isatty(STDIN_FILENO)) {
        n = fread(out, 1, cap - 1, stdin);
        out[n] = '\0';
        return ERG_OK;
    }
    rc = read_tty_secret("Recovery phrase (not echoed): ", out, cap, &n, err);
    if (rc == ERG_ERR_NOTFOUND) return erg_err_set(err, ERG_ERR_ARG, "no phrase: use --phrase-file=FILE or standard input");
    return rc;
}

static int cmd_restore(wctx *x)
{
    char input[PHRASE_INPUT_MAX];
    uint8_t entropy[32];
    size_t elen;
    erg_wallet w;
    erg_err err;
    int rc = 0;
    char first[ERG_ADDRESS_MAX];
    if (wallet_exists(x)) return fprintf(stderr, "error: a wallet already exists at %s; nothing was changed\n", x->wallet_path), 1;
    if (read_phrase(x, input, sizeof input, &err)) return fail(&err);
    if (erg_mnemonic_decode(input, entropy, &elen, &err)) {
        erg_memzero(input, sizeof input);
        return fail(&err);
    }
    erg_memzero(input, sizeof input);
    if (make_parent_dir(x, &err) || lock_wallet(x, &err)) {
        erg_memzero(entropy, sizeof entropy);
        return fail(&err);
    }
    erg_wallet_init(&w);
    if (write_new_wallet(x, entropy, elen, x->o.birth_height >= 0 ? (uint32_t)x->o.birth_height : 0, 1, &w, &err)) {
        rc = fail(&err);
    } else {
        addr_str(w.net, &w.addrs[0].pk, first);
        if (x->o.json) {
            json_t *o = json_object();
            json_object_set_new(o, "wallet", json_string(x->wallet_path));
            json_object_set_new(o, "network", json_string(x->cp->name));
            json_object_set_new(o, "address", json_string(first));
            json_object_set_new(o, "addresses", json_integer((json_int_t)w.n_addrs));
            json_object_set_new(o, "birth_height", json_integer(w.birth_height));
            print_json(o);
        } else {
            printf("Restored %s wallet %s with %zu address%s; first: %s\n", x->cp->name, x->wallet_path, w.n_addrs,
                   w.n_addrs == 1 ? "" : "es", first);
        }
    }
    erg_memzero(entropy, sizeof entropy);
    erg_wallet_free(&w);
    return rc;
}

static int cmd_newaddress(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    const erg_wallet_addr *a;
    char s[ERG_ADDRESS_MAX];
    erg_err err;
    int rc = 0;
    if (x->o.label && erg_wallet_label_check(x->o.label, &err)) return fail(&err);
    erg_buf_init(&file);
    if (open_wallet(x, USE_SESSION, &file, &w, &key, &err) || erg_wallet_new_address(&w, x->o.label, &a, &err) ||
        save_wallet(x, &w, &key, 0, &err)) {
        rc = fail(&err);
        goto out;
    }
    addr_str(w.net, &a->pk, s);
    if (x->o.json) {
        json_t *o = json_object();
        json_object_set_new(o, "address", json_string(s));
        json_object_set_new(o, "index", json_integer(a->index));
        json_object_set_new(o, "label", json_string(a->label));
        print_json(o);
    } else {
        printf("%s\n", s);
    }
out:
    erg_wallet_key_clear(&key);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static int cmd_listaddresses(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    erg_err err;
    size_t i;
    erg_buf_init(&file);
    if (open_wallet(x, USE_SESSION, &file, &w, &key, &err)) {
        erg_buf_free(&file);
        return fail(&err);
    }
    erg_wallet_key_clear(&key);
    if (x->o.json) {
        json_t *a = json_array();
        for (i = 0; i < w.n_addrs; i++) {
            char s[ERG_ADDRESS_MAX];
            json_t *o = json_object();
            addr_str(w.net, &w.addrs[i].pk, s);
            json_object_set_new(o, "address", json_string(s));
            json_object_set_new(o, "index", json_integer(w.addrs[i].index));
            json_object_set_new(o, "label", json_string(w.addrs[i].label));
            json_array_append_new(a, o);
        }
        print_json(a);
    } else {
        for (i = 0; i < w.n_addrs; i++) {
            char s[ERG_ADDRESS_MAX];
            addr_str(w.net, &w.addrs[i].pk, s);
            printf("%-6u %s%s%s\n", w.addrs[i].index, s, w.addrs[i].label[0] ? "  " : "", w.addrs[i].label);
        }
    }
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return 0;
}

static int cmd_balance(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    erg_wallet_funds *f = NULL;
    erg_wallet_tx *pend = NULL;
    size_t npend = 0, i;
    uint64_t confirmed = 0, pin = 0, pout = 0;
    erg_err err;
    int rc = 0;
    erg_buf_init(&file);
    if (open_wallet(x, USE_SESSION, &file, &w, &key, &err)) {
        erg_buf_free(&file);
        return fail(&err);
    }
    erg_wallet_key_clear(&key);
    if (!(f = calloc(w.n_addrs, sizeof *f))) {
        rc = fail_msg("out of memory");
        goto out;
    }
    if (rpc_client(x, &err) || erg_wallet_check_node(&x->rpc, x->cp, &err) || erg_wallet_funds_get(&w, &x->rpc, f, &err) ||
        erg_wallet_pending(&w, &x->rpc, &pend, &npend, &err)) {
        rc = fail(&err);
        goto out;
    }
    for (i = 0; i < w.n_addrs; i++) confirmed += f[i].balance; /* each <= the supply, and so is the sum */
    for (i = 0; i < npend; i++) {
        uint64_t in, o;
        if (erg_wallet_tx_effect(&w, &pend[i], &in, &o, &err)) {
            rc = fail(&err);
            goto out;
        }
        pin += in;
        pout += o;
    }
    if (x->o.json) {
        json_t *o = json_object(), *a = json_array();
        json_object_set_new(o, "confirmed", amount_json(confirmed));
        json_object_set_new(o, "confirmed_base", json_integer((json_int_t)confirmed));
        json_object_set_new(o, "pending_in", amount_json(pin));
        json_object_set_new(o, "pending_out", amount_json(pout));
        json_object_set_new(o, "spendable", amount_json(confirmed > pout ? confirmed - pout : 0));
        for (i = 0; i < w.n_addrs; i++) {
            char s[ERG_ADDRESS_MAX];
            json_t *e = json_object();
            addr_str(w.net, &w.addrs[i].pk, s);
            json_object_set_new(e, "address", json_string(s));
            json_object_set_new(e, "label", json_string(w.addrs[i].label));
            json_object_set_new(e, "balance", amount_json(f[i].balance));
            json_object_set_new(e, "pending_out", amount_json(f[i].pending_out));
            json_array_append_new(a, e);
        }
        json_object_set_new(o, "addresses", a);
        print_json(o);
    } else {
        char c[ERG_AMOUNT_STR_MAX], pi[ERG_AMOUNT_STR_MAX], po[ERG_AMOUNT_STR_MAX];
        erg_amount_format(confirmed, c);
        erg_amount_format(pin, pi);
        erg_amount_format(pout, po);
        printf("confirmed: %s ERG\n", c);
        if (pin || pout) printf("pending:   +%s in, -%s out (fees included)\n", pi, po);
    }
out:
    free(f);
    free(pend);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static int cmd_send(wctx *x)
{
    erg_pubkey to, from;
    uint64_t amount, fee = ERG_WALLET_DEFAULT_FEE;
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    erg_tx tx;
    erg_err err;
    int rc = 0;
    if (x->o.nargs != 2) return fprintf(stderr, "error: send needs ADDRESS and AMOUNT\n"), 2;
    /* Every argument is checked before the wallet is opened or the node is asked anything. */
    if (erg_address_decode(x->o.net, x->o.args[0], &to, &err)) return fprintf(stderr, "error: invalid address: %s\n", err.reason), 1;
    if (erg_amount_parse(x->o.args[1], ERG_MAX_MONEY, &amount, &err)) return fprintf(stderr, "error: invalid amount: %s\n", err.reason), 1;
    if (amount == 0) return fail_msg("invalid amount: must be above zero");
    if (x->o.fee && erg_amount_parse(x->o.fee, ERG_MAX_MONEY, &fee, &err)) return fprintf(stderr, "error: invalid fee: %s\n", err.reason), 1;
    if (x->o.from && erg_address_decode(x->o.net, x->o.from, &from, &err)) return fprintf(stderr, "error: invalid --from address: %s\n", err.reason), 1;
    erg_buf_init(&file);
    if (open_wallet(x, USE_SESSION, &file, &w, &key, &err) || rpc_client(x, &err) ||
        erg_wallet_send(&w, &x->rpc, x->cp, &to, amount, fee, x->o.from ? &from : NULL, &tx, &err)) {
        rc = fail(&err);
    } else {
        char id[65], fa[ERG_ADDRESS_MAX];
        erg_err serr;
        {
            uint8_t raw[32];
            erg_tx_id(&tx, raw);
            hex32(raw, id);
        }
        addr_str(w.net, &tx.from, fa);
        /* The node has it: a failure to record it now only loses the local note, not the payment. */
        if (save_wallet(x, &w, &key, 0, &serr)) fprintf(stderr, "warning: sent, but not recorded in the wallet: %s\n", serr.reason);
        if (x->o.json) {
            json_t *o = json_object();
            json_object_set_new(o, "txid", json_string(id));
            json_object_set_new(o, "from", json_string(fa));
            json_object_set_new(o, "to", json_string(x->o.args[0]));
            json_object_set_new(o, "amount", amount_json(tx.amount));
            json_object_set_new(o, "fee", amount_json(tx.fee));
            json_object_set_new(o, "nonce", json_integer((json_int_t)tx.nonce));
            print_json(o);
        } else {
            printf("%s\n", id);
        }
    }
    erg_wallet_key_clear(&key);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static const char *category(uint64_t in, uint64_t out, int reward)
{
    if (reward) return "mined";
    if (in && out) return "self";
    return in ? "receive" : "send";
}

static void history_line(const erg_wallet *w, const erg_wallet_tx *t, const char *status, uint32_t tip, json_t *arr)
{
    uint64_t in = 0, out = 0;
    char id[65], blk[65], amt[ERG_AMOUNT_STR_MAX + 1], fee[ERG_AMOUNT_STR_MAX], from[ERG_ADDRESS_MAX], to[ERG_ADDRESS_MAX];
    char when[32] = "";
    const char *cat;
    if (erg_wallet_tx_effect(w, t, &in, &out, NULL)) in = out = 0;
    cat = category(in, out, t->kind == ERG_WTX_REWARD);
    signed_amount(in, out, amt);
    erg_amount_format(t->fee, fee);
    hex32(t->id, id);
    addr_str(w->net, &t->to, to);
    if (t->kind == ERG_WTX_TRANSFER) addr_str(w->net, &t->from, from);
    if (t->time) {
        time_t tt = (time_t)t->time;
        struct tm tm;
        if (gmtime_r(&tt, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (arr) {
        json_t *o = json_object();
        json_object_set_new(o, "category", json_string(cat));
        json_object_set_new(o, "status", json_string(status));
        json_object_set_new(o, "net", json_string(amt));
        json_object_set_new(o, "amount", amount_json(t->amount));
        json_object_set_new(o, "fee", amount_json(t->fee));
        if (t->kind == ERG_WTX_TRANSFER) json_object_set_new(o, "from", json_string(from));
        json_object_set_new(o, "to", json_string(to));
        json_object_set_new(o, t->kind == ERG_WTX_REWARD ? "blockhash" : "txid", json_string(id));
        if (strcmp(status, "confirmed") == 0) {
            hex32(t->block, blk);
            if (t->kind == ERG_WTX_TRANSFER) json_object_set_new(o, "blockhash", json_string(blk));
            json_object_set_new(o, "height", json_integer(t->height));
            json_object_set_new(o, "confirmations", json_integer((json_int_t)tip - t->height + 1));
            json_object_set_new(o, "time", json_integer((json_int_t)t->time));
        } else {
            json_object_set_new(o, "confirmations", json_integer(0));
        }
        if (t->kind == ERG_WTX_TRANSFER) json_object_set_new(o, "nonce", json_integer((json_int_t)t->nonce));
        json_array_append_new(arr, o);
        return;
    }
    if (strcmp(status, "confirmed") == 0) printf("%-8u %s ", t->height, when);
    else printf("%-29s ", status);
    printf("%-7s %20s ERG  %s %s  %s\n", cat, amt, strcmp(cat, "receive") == 0 ? "from" : "to  ",
           strcmp(cat, "receive") == 0 ? from : to, id);
}

static int cmd_history(wctx *x)
{
    erg_buf file, before, after;
    erg_wallet w;
    erg_wallet_key key;
    erg_wallet_tx *pend = NULL;
    size_t npend = 0, i, j;
    uint32_t fetched = 0;
    erg_err err;
    json_t *arr = NULL;
    int rc = 0;
    erg_buf_init(&file);
    erg_buf_init(&before);
    erg_buf_init(&after);
    if (open_wallet(x, USE_SESSION, &file, &w, &key, &err)) {
        erg_buf_free(&file);
        return fail(&err);
    }
    erg_wallet_serialize(&w, &before);
    if (rpc_client(x, &err) || erg_wallet_check_node(&x->rpc, x->cp, &err) || erg_wallet_sync(&w, &x->rpc, x->cp, &fetched, &err) ||
        erg_wallet_pending(&w, &x->rpc, &pend, &npend, &err)) {
        rc = fail(&err);
        goto out;
    }
    erg_wallet_serialize(&w, &after);
    if (after.len != before.len || memcmp(after.data, before.data, after.len) != 0) {
        if (save_wallet(x, &w, &key, 0, &err)) {
            rc = fail(&err);
            goto out;
        }
    }
    if (x->o.json) arr = json_array();
    for (i = 0; i < w.n_txs; i++) history_line(&w, &w.txs[i], "confirmed", w.scan_height, arr);
    for (i = 0; i < npend; i++) history_line(&w, &pend[i], "pending", w.scan_height, arr);
    /* Our own sends the node has neither mined nor kept: say so, they will not confirm by themselves. */
    for (i = 0; i < w.n_sent; i++) {
        erg_wallet_tx t;
        int seen = 0;
        erg_wallet_tx_from_tx(&w.sent[i].tx, &t);
        for (j = 0; j < npend; j++) seen |= memcmp(pend[j].id, t.id, 32) == 0;
        if (!seen) history_line(&w, &t, "not-in-mempool", w.scan_height, arr);
    }
    if (arr) print_json(arr);
    else if (w.n_txs + npend + w.n_sent == 0) printf("no transactions (scanned up to block %u)\n", w.scan_height);
out:
    erg_wallet_key_clear(&key);
    free(pend);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    erg_buf_free(&before);
    erg_buf_free(&after);
    return rc;
}

static int cmd_unlock(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    erg_err err;
    long secs = x->o.timeout > 0 ? x->o.timeout : DEFAULT_UNLOCK_SECONDS;
    uint64_t until = (uint64_t)time(NULL) + (uint64_t)secs;
    int rc = 0;
    erg_buf_init(&file);
    if (open_wallet(x, NEED_PASSPHRASE, &file, &w, &key, &err) || erg_session_write(x->wallet_path, &key, until, &err)) {
        rc = fail(&err);
    } else if (x->o.json) {
        json_t *o = json_object();
        json_object_set_new(o, "unlocked_until", json_integer((json_int_t)until));
        print_json(o);
    } else {
        printf("unlocked for %ld seconds (until unix time %llu); `lock` ends it now\n", secs, (unsigned long long)until);
    }
    erg_wallet_key_clear(&key);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static int cmd_lock(wctx *x)
{
    erg_err err;
    int removed = 0;
    if (erg_session_remove(x->wallet_path, &removed, &err)) return fail(&err);
    if (x->o.json) {
        json_t *o = json_object();
        json_object_set_new(o, "locked", json_true());
        json_object_set_new(o, "was_unlocked", json_boolean(removed));
        print_json(o);
    } else {
        printf(removed ? "locked\n" : "locked (it was not unlocked)\n");
    }
    return 0;
}

static int cmd_passphrase(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key, nkey;
    char pass[PASS_MAX];
    size_t plen = 0;
    erg_kdf_params kdf;
    erg_err err;
    int rc = 0;
    erg_buf_init(&file);
    memset(&nkey, 0, sizeof nkey);
    if (open_wallet(x, NEED_PASSPHRASE, &file, &w, &key, &err)) {
        rc = fail(&err);
        goto out;
    }
    if (get_new_passphrase(x->o.new_passphrase_file, pass, &plen, &err)) {
        rc = fail(&err);
        goto out;
    }
    kdf = new_kdf_params();
    if (erg_wallet_key_new(pass, plen, &kdf, &nkey, &err) || save_wallet(x, &w, &nkey, 0, &err)) {
        rc = fail(&err);
        goto out;
    }
    /* The old session key no longer opens the file; remove it rather than leave it lying about. */
    if (erg_session_remove(x->wallet_path, NULL, &err)) fprintf(stderr, "warning: %s\n", err.reason);
    printf(x->o.json ? "{\"changed\": true}\n" : "passphrase changed (the previous file is %s.bak, under the old passphrase)\n",
           x->wallet_path);
out:
    erg_memzero(pass, sizeof pass);
    erg_wallet_key_clear(&key);
    erg_wallet_key_clear(&nkey);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static int cmd_export(wctx *x)
{
    erg_buf file;
    erg_wallet w;
    erg_wallet_key key;
    erg_err err;
    int rc = 0;
    if (!x->o.phrase && x->o.nargs != 1) return fprintf(stderr, "error: export needs FILE (or --phrase)\n"), 2;
    erg_buf_init(&file);
    /* Both show or copy the secret: the passphrase itself is asked, an unlock session is not enough. */
    if (open_wallet(x, NEED_PASSPHRASE, &file, &w, &key, &err)) {
        rc = fail(&err);
    } else if (x->o.phrase) {
        char phrase[ERG_MNEMONIC_MAX];
        if (erg_mnemonic_encode(w.entropy, w.entropy_len, phrase, sizeof phrase, &err)) {
            rc = fail(&err);
        } else {
            if (x->o.json) printf("{\"phrase\": \"%s\"}\n", phrase);
            else printf("%s\n", phrase);
        }
        erg_memzero(phrase, sizeof phrase);
    } else if (erg_walletfile_write(x->o.args[0], file.data, file.len, ERG_WF_CREATE_ONLY, &err)) {
        rc = fail(&err);
    } else if (x->o.json) {
        json_t *o = json_object();
        json_object_set_new(o, "backup", json_string(x->o.args[0]));
        print_json(o);
    } else {
        printf("backup written to %s (encrypted under the wallet's passphrase)\n", x->o.args[0]);
    }
    erg_wallet_key_clear(&key);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

static int cmd_import(wctx *x)
{
    erg_buf file;
    erg_walletfile_header h;
    erg_wallet w;
    erg_wallet_key key;
    char pass[PASS_MAX];
    size_t plen = 0;
    erg_err err;
    int rc = 0;
    if (x->o.nargs != 1) return fprintf(stderr, "error: import needs FILE\n"), 2;
    erg_buf_init(&file);
    erg_wallet_init(&w);
    memset(&key, 0, sizeof key);
    if (wallet_exists(x) && !x->o.replace) {
        fprintf(stderr, "error: a wallet already exists at %s; add --replace to install the backup over it (the current one is kept as %s.bak)\n",
                x->wallet_path, x->wallet_path);
        return 1;
    }
    if (erg_walletfile_read(x->o.args[0], &file, &err)) return fail(&err);
    if (erg_walletfile_parse_header(file.data, file.len, &h, &err)) {
        fprintf(stderr, "error: %s: %s\n", x->o.args[0], err.reason);
        erg_buf_free(&file);
        return 1;
    }
    if (h.network != x->o.net) {
        fprintf(stderr, "error: %s is a %s wallet; this is %s\n", x->o.args[0], erg_network_name((erg_network)h.network), x->cp->name);
        erg_buf_free(&file);
        return 1;
    }
    /* Installed only once the backup opens and parses: a damaged backup never replaces a wallet. */
    if (get_passphrase(x, "Backup passphrase: ", pass, &plen, &err) || erg_wallet_key_derive(pass, plen, &h.kdf, h.salt, &key, &err) ||
        open_with_key(&file, &key, &w, &err) || make_parent_dir(x, &err) || lock_wallet(x, &err) ||
        erg_walletfile_write(x->wallet_path, file.data, file.len, x->o.replace ? 0 : ERG_WF_CREATE_ONLY, &err)) {
        rc = fail(&err);
    } else {
        erg_err serr;
        if (erg_session_remove(x->wallet_path, NULL, &serr)) fprintf(stderr, "warning: %s\n", serr.reason);
        if (x->o.json) {
            json_t *o = json_object();
            json_object_set_new(o, "wallet", json_string(x->wallet_path));
            json_object_set_new(o, "addresses", json_integer((json_int_t)w.n_addrs));
            print_json(o);
        } else {
            printf("imported %s as %s (%zu addresses)\n", x->o.args[0], x->wallet_path, w.n_addrs);
        }
    }
    erg_memzero(pass, sizeof pass);
    erg_wallet_key_clear(&key);
    erg_wallet_free(&w);
    erg_buf_free(&file);
    return rc;
}

/* ---- main ------------------------------------------------------------------------------- */

/* Keep secrets out of core files and away from other processes of the same user (ptrace). */
static void harden(void)
{
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
#ifdef __linux__
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

int main(int argc, char **argv)
{
    wctx x;
    erg_err err;
    int rc;
    static const struct {
        const char *name;
        int (*fn)(wctx *);
    } commands[] = {{"create", cmd_create},   {"restore", cmd_restore},   {"newaddress", cmd_newaddress},
                    {"listaddresses", cmd_listaddresses}, {"balance", cmd_balance}, {"send", cmd_send},
                    {"history", cmd_history}, {"unlock", cmd_unlock},     {"lock", cmd_lock},
                    {"passphrase", cmd_passphrase}, {"export", cmd_export}, {"import", cmd_import}};
    size_t i;
    harden();
    memset(&x, 0, sizeof x);
    x.lock_fd = -1;
    if ((rc = parse_args(argc, argv, &x.o)) >= 0) return rc;
    if (strcmp(x.o.command, "help") == 0) return usage(stdout), 0;
    x.cp = erg_chain_params_get(x.o.net);
    if (x.o.datadir) {
        struct stat st;
        if (stat(x.o.datadir, &st) != 0 || !S_ISDIR(st.st_mode))
            return fprintf(stderr, "error: -datadir=%s is not a directory\n", x.o.datadir), 1;
        snprintf(x.base, sizeof x.base, "%s", x.o.datadir);
    } else if (erg_chain_default_datadir(x.base, sizeof x.base, &err)) {
        return fail(&err);
    }
    if (erg_chain_datadir(x.base, x.o.net, x.netdir, sizeof x.netdir, &err)) return fail(&err);
    if (x.o.wallet) snprintf(x.wallet_path, sizeof x.wallet_path, "%s", x.o.wallet);
    else if (snprintf(x.wallet_path, sizeof x.wallet_path, "%s/%s", x.netdir, WALLET_FILE_NAME) >= (int)sizeof x.wallet_path)
        return fail_msg("wallet path too long");
    rc = -1;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(x.o.command, commands[i].name) == 0) rc = commands[i].fn(&x);
    if (rc < 0) {
        fprintf(stderr, "error: unknown command '%s' (see ergon-wallet -help)\n", x.o.command);
        rc = 2;
    }
    erg_walletfile_unlock(x.lock_fd);
    erg_wrpc_clear(&x.rpc);
    return rc;
}
