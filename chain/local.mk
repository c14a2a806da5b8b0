# Layer 3: consensus (types, validation, state). Depends on kernels, crypto, util.
