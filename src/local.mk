# Layer 4: node and programs (ergond, ergon-cli, ergon-kernel, ergon-tx). Depends on everything below.
