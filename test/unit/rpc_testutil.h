/* Test-side JSON-RPC: methods and server start shared by the RPC unit test and the CLI's test server. */
#ifndef ERG_TEST_RPC_TESTUTIL_H
#define ERG_TEST_RPC_TESTUTIL_H

#include <stddef.h>

#include "src/node/rpc.h"

/* Handler returning its parameters: the array the server built (named ones in declared order). */
json_t *erg_test_rpc_echo_params(const erg_rpc_call *c, erg_rpc_error *e);

/* Handler failing with code (default -1, range -40000..-1) and message (default "failed on
 * purpose"); erg_test_rpc_fail_args declares those two optional arguments. */
json_t *erg_test_rpc_fail(const erg_rpc_call *c, erg_rpc_error *e);
extern const erg_rpc_arg erg_test_rpc_fail_args[2];

/* An RPC server with the n methods and an HTTP server it is attached to, started; on failure
 * nothing is left (*rpc and *http NULL) and err says why. */
erg_code erg_test_rpc_serve(const erg_rpc_config *rc, const erg_http_config *hc, const erg_rpc_method *methods,
                            size_t n, erg_rpc_server **rpc, erg_http_server **http, erg_err *err);

#endif
