/* libFuzzer target: decode arbitrary strings as addresses, and encode arbitrary keys; both directions round-trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *s)
{
    fprintf(stderr, "fuzz_address: property violated: %s (%s)\n", what, s);
    abort();
}

/* The input as a C string: decode takes NUL-terminated text, so it ends at the first NUL. */
static void decode_string(const uint8_t *data, size_t size)
{
    char s[256], again[ERG_ADDRESS_MAX];
    size_t n = 0, i;
    int net;
    while (n < size && n < sizeof s - 1 && data[n]) {
        s[n] = (char)data[n];
        n++;
    }
    s[n] = '\0';
    for (net = 0; net < 3; net++) {
        erg_pubkey pk;
        erg_err err;
        erg_code rc = erg_address_decode((erg_network)net, s, &pk, &err);
        if (rc != ERG_OK) {
            if (err.code != rc || err.reason[0] == '\0') fail("error without a reason", s);
            continue;
        }
        if (erg_address_encode((erg_network)net, &pk, again, sizeof again, &err) != ERG_OK) fail("re-encode failed", s);
        for (i = 0; i <= n; i++) {
            char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
            if (again[i] != c) fail("re-encoding differs from the input", s);
        }
    }
}

/* Input [net][32-byte key][position][char]: encode, decode back, then one substitution must be
 * rejected naming that position. */
static void encode_key(const uint8_t *data, size_t size)
{
    erg_network net = (erg_network)(data[0] % 3);
    erg_pubkey pk, got;
    char addr[ERG_ADDRESS_MAX];
    erg_err err;
    size_t n, pos;
    unsigned char c;
    const char *p;
    memcpy(pk.b, data + 1, 32);
    if (erg_address_encode(net, &pk, addr, sizeof addr, &err) != ERG_OK) {
        if (erg_pubkey_parse(&got, pk.b, NULL) == ERG_OK) fail("valid key not encoded", err.reason);
        return;
    }
    if (erg_address_decode(net, addr, &got, &err) != ERG_OK || memcmp(got.b, pk.b, 32) != 0)
        fail("key round trip", addr);
    if (size < 35) return;
    n = strlen(addr);
    pos = data[33] % n;
    c = data[34] ? data[34] : 1; /* a NUL would only shorten the string */
    if ((unsigned char)addr[pos] == c) return;
    addr[pos] = (char)c;
    if (erg_address_decode(net, addr, &got, &err) == ERG_OK) fail("a substitution was accepted", addr);
    p = strstr(err.reason, "position ");
    if (!p || strtoul(p + 9, NULL, 10) != pos) fail("substitution not located", err.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_string(data, size);
    if (size >= 33) encode_key(data, size);
    return 0;
}
