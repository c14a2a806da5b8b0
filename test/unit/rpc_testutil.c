/* Test-side JSON-RPC: methods and server start shared by the RPC unit test and the CLI's test server. */
#include "test/unit/rpc_testutil.h"

#include <stdint.h>

json_t *erg_test_rpc_echo_params(const erg_rpc_call *c, erg_rpc_error *e)
{
    (void)e;
    return json_copy(c->params);
}

json_t *erg_test_rpc_fail(const erg_rpc_call *c, erg_rpc_error *e)
{
    int64_t code;
    if (erg_rpc_arg_int(c, 0, -40000, -1, -1, &code, e) != ERG_OK) return NULL;
    return erg_rpc_fail(e, (int)code, "%s", erg_rpc_arg_str(c, 1, "failed on purpose"));
}

const erg_rpc_arg erg_test_rpc_fail_args[2] = {{"code", ERG_RPC_INT, 1, "-1", "error code"},
                                               {"message", ERG_RPC_STR, 1, NULL, "error message"}};

erg_code erg_test_rpc_serve(const erg_rpc_config *rc, const erg_http_config *hc, const erg_rpc_method *methods,
                            size_t n, erg_rpc_server **rpc, erg_http_server **http, erg_err *err)
{
    erg_code code;
    *rpc = NULL;
    *http = NULL;
    if ((code = erg_rpc_create(rc, rpc, err)) || (code = erg_rpc_register_all(*rpc, methods, n, err)) ||
        (code = erg_http_server_create(hc, http, err)) || (code = erg_rpc_attach(*rpc, *http, err)) ||
        (code = erg_http_server_start(*http, err))) {
        erg_http_server_destroy(*http);
        erg_rpc_destroy(*rpc);
        *rpc = NULL;
        *http = NULL;
    }
    return code;
}
