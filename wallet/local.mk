# Layer 4: the wallet library. Depends on chain, crypto, util; never on the node (src/node).
