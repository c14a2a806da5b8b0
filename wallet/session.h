/* Unlock sessions: the wallet file key kept in a 0600 file beside the wallet until a deadline or `lock`. */
#ifndef ERG_WALLET_SESSION_H
#define ERG_WALLET_SESSION_H

#include <stdint.h>

#include "src/util/error.h"
#include "wallet/walletfile.h"

/*
 * `unlock` writes <wallet>.session: magic "ERGSESN1", the expiry (unix seconds, u64) and the
 * wallet key K with its salt and scrypt costs (83 bytes, mode 0600, owned by the user). While
 * it is valid, commands open the wallet without asking for the passphrase. Honest limits
 * (doc/wallet.md): K is stored in plaintext; anyone who can read the user's files before the
 * deadline can open the wallet; the deadline is enforced by ergon-wallet, not by cryptography.
 */
#define ERG_SESSION_SIZE 83
#define ERG_SESSION_MAX_SECONDS (7 * 24 * 3600)

/* path of the session file of a wallet (out gets "<wallet>.session"). */
erg_code erg_session_path(const char *wallet_path, char *out, size_t cap, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_session_write(const char *wallet_path, const erg_wallet_key *key, uint64_t expiry, erg_err *err) ERG_WARN_UNUSED;
/*
 * Load a valid session: ERG_ERR_NOTFOUND when there is none; an expired one, one with unsafe
 * permissions or another owner, or a malformed one is removed and reported as NOTFOUND with
 * the reason. *expiry (may be NULL) gets its deadline.
 */
erg_code erg_session_read(const char *wallet_path, uint64_t now, erg_wallet_key *key, uint64_t *expiry, erg_err *err) ERG_WARN_UNUSED;
/* Overwrite with zeros, sync and remove; *removed (may be NULL) says if there was one. */
erg_code erg_session_remove(const char *wallet_path, int *removed, erg_err *err) ERG_WARN_UNUSED;

#endif
