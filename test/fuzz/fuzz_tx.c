/* libFuzzer target: decode arbitrary bytes as a transaction; a decoded one re-encodes to the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    erg_tx tx;
    erg_err err;
    erg_buf b;
    erg_code rc = erg_tx_decode(data, size, &tx, &err);
    if (rc != ERG_OK) {
        if (err.code != rc || err.reason[0] == '\0') abort(); /* every rejection carries a reason */
        return 0;
    }
    erg_buf_init(&b);
    erg_tx_serialize(&tx, &b);
    /* Canonical encoding: exactly one byte string per transaction. */
    if (b.len != size || memcmp(b.data, data, size) != 0 || erg_tx_size(&tx) != size) {
        fprintf(stderr, "fuzz_tx: re-encoding differs from the input\n");
        abort();
    }
    erg_buf_free(&b);
    return 0;
}
