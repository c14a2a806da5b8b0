/* Mnemonic phrases: CVCVC words of 16 bits each over the seed entropy, and a SHA-256 checksum word. */
#include "wallet/mnemonic.h"

#include <string.h>

#include "src/crypto/sha256.h"
#include "src/util/buffer.h"

/* Consonants without c, q, w, x, y (which sound like others or like vowels); vowels without e
 * (heard as i in many accents). Both tables are in alphabetical order: the value is the index. */
static const char g_cons[] = "bdfghjklmnprstvz";
static const char g_vows[] = "aiou";

#define WORD_LEN 5
#define MAX_WORDS (ERG_MNEMONIC_ENTROPY_MAX / 2 + 1)

static void encode_word(unsigned v, char out[WORD_LEN])
{
    out[0] = g_cons[(v >> 12) & 15];
    out[1] = g_vows[(v >> 10) & 3];
    out[2] = g_cons[(v >> 6) & 15];
    out[3] = g_vows[(v >> 4) & 3];
    out[4] = g_cons[v & 15];
}

static unsigned checksum_word(const uint8_t *entropy, size_t len)
{
    uint8_t buf[1 + ERG_MNEMONIC_ENTROPY_MAX], h[32];
    unsigned v;
    buf[0] = (uint8_t)len;
    memcpy(buf + 1, entropy, len);
    erg_tagged_hash("Ergon/mnemonic", buf, 1 + len, h);
    v = ((unsigned)h[0] << 8) | h[1];
    erg_memzero(buf, sizeof buf);
    erg_memzero(h, sizeof h);
    return v;
}

erg_code erg_mnemonic_encode(const uint8_t *entropy, size_t len, char *out, size_t out_size, erg_err *err)
{
    size_t nwords, i, pos = 0;
    if (len != 16 && len != 32) return erg_err_set(err, ERG_ERR_ARG, "mnemonic: entropy must be 16 or 32 bytes, not %zu", len);
    nwords = len / 2 + 1;
    if (out_size < nwords * (WORD_LEN + 1))
        return erg_err_set(err, ERG_ERR_ARG, "mnemonic: output needs %zu bytes, has %zu", nwords * (WORD_LEN + 1), out_size);
    for (i = 0; i < nwords; i++) {
        unsigned v = i + 1 < nwords ? ((unsigned)entropy[2 * i] << 8) | entropy[2 * i + 1] : checksum_word(entropy, len);
        encode_word(v, out + pos);
        pos += WORD_LEN;
        out[pos++] = i + 1 < nwords ? ' ' : '\0';
    }
    return ERG_OK;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Value of one word, or an error naming the word and the first bad letter. */
static erg_code decode_word(const char *w, size_t n, size_t index, unsigned *v, erg_err *err)
{
    char shown[16];
    size_t i;
    unsigned acc = 0;
    /* Show at most 12 characters of the word (it is part of a secret, but the person typed it). */
    size_t sl = n < sizeof shown - 4 ? n : sizeof shown - 4;
    memcpy(shown, w, sl);
    if (sl < n) memcpy(shown + sl, "...", 3), sl += 3;
    shown[sl] = '\0';
    if (n != WORD_LEN) {
        erg_code rc = erg_err_set(err, ERG_ERR_PARSE, "mnemonic: word %zu '%s' has %zu letters; every word has %d", index,
                                  shown, n, WORD_LEN);
        erg_memzero(shown, sizeof shown);
        return rc;
    }
    for (i = 0; i < WORD_LEN; i++) {
        char c = lower(w[i]);
        const char *table = (i % 2 == 0) ? g_cons : g_vows;
        const char *p = (c >= 'a' && c <= 'z') ? strchr(table, c) : NULL;
        if (!p) {
            erg_code rc = erg_err_set(err, ERG_ERR_PARSE, "mnemonic: word %zu '%s': letter %zu '%c' is not one of the %s (%s)",
                                      index, shown, i + 1, (w[i] >= 32 && w[i] < 127) ? w[i] : '?',
                                      (i % 2 == 0) ? "consonants" : "vowels", table);
            erg_memzero(shown, sizeof shown);
            return rc;
        }
        acc = (acc << ((i % 2 == 0) ? 4 : 2)) | (unsigned)(p - table);
    }
    erg_memzero(shown, sizeof shown);
    *v = acc;
    return ERG_OK;
}

erg_code erg_mnemonic_decode(const char *phrase, uint8_t *entropy, size_t *len, erg_err *err)
{
    unsigned vals[MAX_WORDS];
    uint8_t ent[ERG_MNEMONIC_ENTROPY_MAX];
    size_t nwords = 0, i, elen;
    const char *p = phrase;
    erg_code rc = ERG_OK;
    if (!phrase) return erg_err_set(err, ERG_ERR_ARG, "mnemonic: no phrase");
    for (;;) {
        const char *start;
        while (*p && is_sep(*p)) p++;
        if (!*p) break;
        start = p;
        while (*p && !is_sep(*p)) p++;
        nwords++;
        if (nwords <= MAX_WORDS) {
            if ((rc = decode_word(start, (size_t)(p - start), nwords, &vals[nwords - 1], err))) goto out;
        }
    }
    if (nwords != 9 && nwords != 17) {
        rc = erg_err_set(err, ERG_ERR_PARSE, "mnemonic: %zu words; a phrase has 9 (128-bit) or 17 (256-bit)", nwords);
        goto out;
    }
    elen = (nwords - 1) * 2;
    for (i = 0; i + 1 < nwords; i++) {
        ent[2 * i] = (uint8_t)(vals[i] >> 8);
        ent[2 * i + 1] = (uint8_t)vals[i];
    }
    if (checksum_word(ent, elen) != vals[nwords - 1]) {
        rc = erg_err_set(err, ERG_ERR_CHECKSUM,
                         "mnemonic: checksum word %zu does not match words 1-%zu: a word is mistyped or two are swapped",
                         nwords, nwords - 1);
        goto out;
    }
    memcpy(entropy, ent, elen);
    *len = elen;
out:
    erg_memzero(vals, sizeof vals);
    erg_memzero(ent, sizeof ent);
    return rc;
}
