/* libFuzzer target: decode arbitrary bytes as a block; a decoded one re-encodes to the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    erg_block blk;
    erg_err err;
    erg_buf b;
    uint8_t root[32];
    erg_code rc = erg_block_decode(data, size, &blk, &err);
    if (rc != ERG_OK) {
        if (err.code != rc || err.reason[0] == '\0') abort();
        return 0;
    }
    erg_buf_init(&b);
    erg_block_serialize(&blk, &b);
    if (b.len != size || memcmp(b.data, data, size) != 0) {
        fprintf(stderr, "fuzz_block: re-encoding differs from the input\n");
        abort();
    }
    if (erg_block_tx_root(&blk, root, &err) != ERG_OK) abort();
    erg_buf_free(&b);
    erg_block_free(&blk);
    return 0;
}
