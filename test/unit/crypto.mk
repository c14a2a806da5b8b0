# Unit tests for keys, bech32m and addresses.
