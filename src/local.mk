# Layer 4: node library and programs (ergond, ergon-cli, ergon-kernel, ergon-tx). Depends on everything below.
include src/node/local.mk
include src/kernel-tool.mk
