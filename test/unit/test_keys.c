/* Unit tests for src/crypto/keys: every BIP340 test vector, round trips, tampered signatures rejected. */
#include "src/crypto/keys.h"

#include <stdio.h>

#include "test/unit/harness.h"

/*
 * The official BIP340 vectors (bitcoin/bips, bip-0340/test-vectors.csv), transcribed as data:
 * indices 0-14 from the original file and 15-18 (variable-length messages) from its 2022-12
 * revision. An empty secret key means a verification-only vector; an empty message is the
 * zero-length message of vector 15.
 */
typedef struct bip340_vector {
    int index;
    const char *seckey;
    const char *pubkey;
    const char *aux;
    const char *msg;
    const char *sig;
    int valid;
    const char *comment;
} bip340_vector;

static const bip340_vector g_vectors[] = {
    {0, "0000000000000000000000000000000000000000000000000000000000000003",
     "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA8215"
     "25F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0",
     1, ""},
    {1, "B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF",
     "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
     "0000000000000000000000000000000000000000000000000000000000000001",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE3341"
     "8906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A",
     1, ""},
    {2, "C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9",
     "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8",
     "C87AA53824B4D7AE2EB035A2B5BBBCCC080E76CDC6D1692C4B0B62D798E6D906",
     "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C",
     "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1B"
     "AB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7",
     1, ""},
    {3, "0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710",
     "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
     "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC"
     "97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3",
     1, "test fails if msg is reduced modulo p or n"},
    {4, "", "D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9", "",
     "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703",
     "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C63"
     "76AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4",
     1, ""},
    {5, "", "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
     "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     0, "public key not on the curve"},
    {6, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A1460297556"
     "3CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2",
     0, "has_even_y(R) is false"},
    {7, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F"
     "28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD",
     0, "negated message"},
    {8, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
     "961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6",
     0, "negated s value"},
    {9, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "0000000000000000000000000000000000000000000000000000000000000000"
     "123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051",
     0, "sG - eP is infinite (x(inf) as 0)"},
    {10, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "0000000000000000000000000000000000000000000000000000000000000001"
     "7615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197",
     0, "sG - eP is infinite (x(inf) as 1)"},
    {11, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D"
     "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     0, "sig[0:32] is not an X coordinate on the curve"},
    {12, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"
     "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     0, "sig[0:32] is equal to field size"},
    {13, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
     0, "sig[32:64] is equal to curve order"},
    {14, "", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", "",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769"
     "69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     0, "public key is not a valid X coordinate because it exceeds the field size"},
    {15, "0340034003400340034003400340034003400340034003400340034003400340",
     "778CAA53B4393AC467774D09497A87224BF9FAB6F6E68B23086497324D6FD117",
     "0000000000000000000000000000000000000000000000000000000000000000", "",
     "71535DB165ECD9FBBC046E5FFAEA61186BB6AD436732FCCC25291A55895464CF"
     "6069CE26BF03466228F19A3A62DB8A649F2D560FAC652827D1AF0574E427AB63",
     1, "message of size 0"},
    {16, "0340034003400340034003400340034003400340034003400340034003400340",
     "778CAA53B4393AC467774D09497A87224BF9FAB6F6E68B23086497324D6FD117",
     "0000000000000000000000000000000000000000000000000000000000000000", "11",
     "08A20A0AFEF64124649232E0693C583AB1B9934AE63B4C3511F3AE1134C6A303"
     "EA3173BFEA6683BD101FA5AA5DBC1996FE7CACFC5A577D33EC14564CEC2BACBF",
     1, "message of size 1"},
    {17, "0340034003400340034003400340034003400340034003400340034003400340",
     "778CAA53B4393AC467774D09497A87224BF9FAB6F6E68B23086497324D6FD117",
     "0000000000000000000000000000000000000000000000000000000000000000", "0102030405060708090A0B0C0D0E0F1011",
     "5130F39A4059B43BC7CAC09A19ECE52B5D8699D1A71E3C52DA9AFDB6B50AC370"
     "C4A482B77BF960F8681540E25B6771ECE1E5A37FD80E5A51897C5566A97EA5A5",
     1, "message of size 17"},
    {18, "0340034003400340034003400340034003400340034003400340034003400340",
     "778CAA53B4393AC467774D09497A87224BF9FAB6F6E68B23086497324D6FD117",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "99999999999999999999999999999999999999999999999999"
     "99999999999999999999999999999999999999999999999999"
     "99999999999999999999999999999999999999999999999999"
     "99999999999999999999999999999999999999999999999999",
     "403B12B0D8555A344175EA7EC746566303321E5DBFA8BE6F091635163ECA79A8"
     "585ED3E3170807E7C03B720FC54C7B23897FCBA0E9D0B4A06894CFD249F22367",
     1, "message of size 100"},
};
#define N_VECTORS (sizeof g_vectors / sizeof g_vectors[0])

static void vector_note(const bip340_vector *v, const char *what)
{
    fprintf(stderr, "    BIP340 vector %d (%s): %s\n", v->index, v->comment, what);
}

static void test_vector_table_is_complete(void)
{
    size_t i;
    CHECK(N_VECTORS == 19);
    for (i = 0; i < N_VECTORS; i++) CHECK(g_vectors[i].index == (int)i);
}

static void test_bip340_vectors_verify(void)
{
    size_t i;
    for (i = 0; i < N_VECTORS; i++) {
        const bip340_vector *v = &g_vectors[i];
        uint8_t pkb[32], msg[128], sig[64];
        erg_pubkey pk;
        erg_err err;
        size_t msg_len;
        erg_code rc;
        erg_test_unhex(v->pubkey, pkb, sizeof pkb);
        msg_len = erg_test_unhex(v->msg, msg, sizeof msg);
        erg_test_unhex(v->sig, sig, sizeof sig);
        rc = erg_pubkey_parse(&pk, pkb, &err);
        if (rc != ERG_OK) {
            /* Vectors 5 and 14: the key itself is invalid, so verification cannot even start. */
            CHECK(!v->valid);
            CHECK(rc == ERG_ERR_INVALID);
            CHECK(v->index == 5 || v->index == 14);
            /* Forcing the raw bytes into a pubkey must still not verify. */
            memcpy(pk.b, pkb, 32);
            CHECK(erg_schnorr_verify(&pk, msg, msg_len, sig) == 0);
            continue;
        }
        CHECK(v->index != 5 && v->index != 14);
        if (erg_schnorr_verify(&pk, msg, msg_len, sig) != v->valid) {
            vector_note(v, "verification result differs");
            CHECK(0);
        }
    }
}

static void test_bip340_vectors_sign(void)
{
    size_t i, signed_count = 0;
    for (i = 0; i < N_VECTORS; i++) {
        const bip340_vector *v = &g_vectors[i];
        uint8_t skb[32], aux[32], msg[128], want_sig[64], want_pk[32], sig[64];
        erg_seckey sk;
        erg_pubkey pk;
        erg_err err;
        size_t msg_len;
        if (!v->seckey[0]) continue;
        erg_test_unhex(v->seckey, skb, sizeof skb);
        erg_test_unhex(v->aux, aux, sizeof aux);
        erg_test_unhex(v->pubkey, want_pk, sizeof want_pk);
        erg_test_unhex(v->sig, want_sig, sizeof want_sig);
        msg_len = erg_test_unhex(v->msg, msg, sizeof msg);
        CHECK(erg_seckey_from_bytes(&sk, skb, &err) == ERG_OK);
        CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
        CHECK_EQ_MEM(pk.b, want_pk, 32);
        /* An empty message is passed as NULL to pin down the (NULL, 0) contract. */
        CHECK(erg_schnorr_sign(&sk, msg_len ? msg : NULL, msg_len, aux, sig, &err) == ERG_OK);
        if (memcmp(sig, want_sig, 64) != 0) {
            vector_note(v, "signature differs");
            CHECK(0);
        }
        erg_seckey_clear(&sk);
        signed_count++;
    }
    CHECK(signed_count == 8);
}

static void test_invalid_pubkeys_rejected(void)
{
    uint8_t b[32];
    erg_pubkey pk;
    erg_err err;
    memset(pk.b, 0xAB, 32);
    erg_test_unhex("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", b, 32);
    CHECK(erg_pubkey_parse(&pk, b, &err) == ERG_ERR_INVALID);
    CHECK(err.reason[0] != '\0');
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", b, 32);
    CHECK(erg_pubkey_parse(&pk, b, &err) == ERG_ERR_INVALID);
    memset(b, 0, 32);
    CHECK(erg_pubkey_parse(&pk, b, &err) == ERG_ERR_INVALID);
    /* A rejected key leaves the output untouched. */
    memset(b, 0xAB, 32);
    CHECK_EQ_MEM(pk.b, b, 32);
}

static void test_invalid_seckeys_rejected(void)
{
    uint8_t b[32];
    erg_seckey sk;
    erg_err err;
    memset(sk.b, 0x11, 32);
    memset(b, 0, 32);
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_ERR_RANGE);
    /* The curve order n and n + 1 are out of range; n - 1 is the largest valid key. */
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", b, 32);
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_ERR_RANGE);
    b[31] = 0x42;
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_ERR_RANGE);
    memset(b, 0x11, 32);
    CHECK_EQ_MEM(sk.b, b, 32);
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140", b, 32);
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_OK);
    CHECK_EQ_MEM(sk.b, b, 32);
}

/* (a + b) mod n on 32-byte big-endian numbers below n, written out independently of libsecp256k1. */
static void add_mod_n(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint8_t n[32], sum[32];
    unsigned carry = 0, borrow = 0;
    int i, ge = 1;
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", n, 32);
    for (i = 31; i >= 0; i--) {
        unsigned v = (unsigned)a[i] + b[i] + carry;
        sum[i] = (uint8_t)v;
        carry = v >> 8;
    }
    if (!carry) {
        for (i = 0; i < 32; i++) {
            if (sum[i] != n[i]) {
                ge = sum[i] > n[i];
                break;
            }
        }
    }
    if (carry || ge) {
        for (i = 31; i >= 0; i--) {
            int v = (int)sum[i] - n[i] - (int)borrow;
            borrow = v < 0;
            sum[i] = (uint8_t)(v + (borrow ? 256 : 0));
        }
    }
    memcpy(out, sum, 32);
}

static void test_tweak_add(void)
{
    uint8_t b[32], t[32], want[32], n[32];
    erg_seckey sk, before;
    erg_pubkey pk;
    erg_err err;
    int i;
    /* 1 + 1 = 2, and the public key of 2 is the x coordinate of 2G. */
    memset(b, 0, 32);
    b[31] = 1;
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_OK);
    CHECK(erg_seckey_tweak_add(&sk, b, &err) == ERG_OK);
    b[31] = 2;
    CHECK_EQ_MEM(sk.b, b, 32);
    CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
    erg_test_unhex("C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5", want, 32);
    CHECK_EQ_MEM(pk.b, want, 32);
    /* (n - 1) + 2 wraps around to 1. */
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140", b, 32);
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_OK);
    memset(t, 0, 32);
    t[31] = 2;
    CHECK(erg_seckey_tweak_add(&sk, t, &err) == ERG_OK);
    memset(want, 0, 32);
    want[31] = 1;
    CHECK_EQ_MEM(sk.b, want, 32);
    /* A tweak of n is out of range; a tweak of n - k makes zero: both fail and leave sk alone. */
    erg_test_unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", n, 32);
    memset(b, 0, 32);
    b[31] = 5;
    CHECK(erg_seckey_from_bytes(&sk, b, &err) == ERG_OK);
    CHECK(erg_seckey_tweak_add(&sk, n, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "tweak") != NULL);
    CHECK_EQ_MEM(sk.b, b, 32);
    memcpy(t, n, 32);
    t[31] = (uint8_t)(t[31] - 5);
    CHECK(erg_seckey_tweak_add(&sk, t, &err) == ERG_ERR_RANGE);
    CHECK_EQ_MEM(sk.b, b, 32);
    /* Random keys and tweaks agree with the independent modular sum. */
    for (i = 0; i < 64; i++) {
        CHECK(erg_seckey_generate(&sk, &err) == ERG_OK);
        CHECK(erg_seckey_generate(&before, &err) == ERG_OK); /* a random valid scalar as the tweak */
        add_mod_n(sk.b, before.b, want);
        CHECK(erg_seckey_tweak_add(&sk, before.b, &err) == ERG_OK);
        CHECK_EQ_MEM(sk.b, want, 32);
    }
    erg_seckey_clear(&sk);
    erg_seckey_clear(&before);
}

static void test_generate_distinct_and_clear(void)
{
    erg_seckey a, b;
    erg_pubkey pa, pb;
    uint8_t zero[32] = {0};
    erg_err err;
    CHECK(erg_seckey_generate(&a, &err) == ERG_OK);
    CHECK(erg_seckey_generate(&b, &err) == ERG_OK);
    CHECK(memcmp(a.b, b.b, 32) != 0);
    CHECK(erg_seckey_pubkey(&a, &pa, &err) == ERG_OK);
    CHECK(erg_seckey_pubkey(&b, &pb, &err) == ERG_OK);
    CHECK(memcmp(pa.b, pb.b, 32) != 0);
    erg_seckey_clear(&a);
    CHECK_EQ_MEM(a.b, zero, 32);
    erg_seckey_clear(&b);
}

static void test_round_trips(void)
{
    static const size_t lens[] = {0, 1, 31, 32, 33, 64, 1000};
    uint8_t msg[1000];
    size_t i, k;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (k = 0; k < 4; k++) {
        erg_seckey sk;
        erg_pubkey pk, other;
        erg_err err;
        CHECK(erg_seckey_generate(&sk, &err) == ERG_OK);
        CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            uint8_t sig[64], sig2[64];
            size_t n = lens[i];
            /* Fresh auxiliary randomness: two signatures differ, both verify. */
            CHECK(erg_schnorr_sign(&sk, msg, n, NULL, sig, &err) == ERG_OK);
            CHECK(erg_schnorr_sign(&sk, msg, n, NULL, sig2, &err) == ERG_OK);
            CHECK(memcmp(sig, sig2, 64) != 0);
            CHECK(erg_schnorr_verify(&pk, msg, n, sig) == 1);
            CHECK(erg_schnorr_verify(&pk, msg, n, sig2) == 1);
            /* Same message one byte longer or shorter: a different message. */
            if (n < sizeof msg) CHECK(erg_schnorr_verify(&pk, msg, n + 1, sig) == 0);
            if (n > 0) CHECK(erg_schnorr_verify(&pk, msg, n - 1, sig) == 0);
        }
        /* Given aux: deterministic. */
        {
            uint8_t aux[32], s1[64], s2[64];
            memset(aux, 0x5A, sizeof aux);
            CHECK(erg_schnorr_sign(&sk, msg, 100, aux, s1, &err) == ERG_OK);
            CHECK(erg_schnorr_sign(&sk, msg, 100, aux, s2, &err) == ERG_OK);
            CHECK_EQ_MEM(s1, s2, 64);
            /* Another key does not verify it. */
            {
                erg_seckey sk2;
                CHECK(erg_seckey_generate(&sk2, &err) == ERG_OK);
                CHECK(erg_seckey_pubkey(&sk2, &other, &err) == ERG_OK);
                CHECK(erg_schnorr_verify(&other, msg, 100, s1) == 0);
                erg_seckey_clear(&sk2);
            }
        }
        erg_seckey_clear(&sk);
    }
}

static void test_every_flipped_bit_rejected(void)
{
    erg_seckey sk;
    erg_pubkey pk, bad_pk;
    erg_err err;
    uint8_t msg[40], sig[64];
    size_t byte;
    int bit;
    memset(msg, 0x3C, sizeof msg);
    CHECK(erg_seckey_generate(&sk, &err) == ERG_OK);
    CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
    CHECK(erg_schnorr_sign(&sk, msg, sizeof msg, NULL, sig, &err) == ERG_OK);
    for (byte = 0; byte < 64; byte++) {
        for (bit = 0; bit < 8; bit++) {
            sig[byte] ^= (uint8_t)(1u << bit);
            CHECK(erg_schnorr_verify(&pk, msg, sizeof msg, sig) == 0);
            sig[byte] ^= (uint8_t)(1u << bit);
        }
    }
    for (byte = 0; byte < sizeof msg; byte++) {
        msg[byte] ^= 0x01;
        CHECK(erg_schnorr_verify(&pk, msg, sizeof msg, sig) == 0);
        msg[byte] ^= 0x01;
    }
    for (byte = 0; byte < 32; byte++) {
        bad_pk = pk;
        bad_pk.b[byte] ^= 0x80;
        CHECK(erg_schnorr_verify(&bad_pk, msg, sizeof msg, sig) == 0);
    }
    CHECK(erg_schnorr_verify(&pk, msg, sizeof msg, sig) == 1);
    erg_seckey_clear(&sk);
}

static void test_bad_arguments(void)
{
    erg_seckey sk;
    erg_pubkey pk;
    erg_err err;
    uint8_t sig[64], keep[64];
    CHECK(erg_seckey_generate(&sk, &err) == ERG_OK);
    CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
    memset(sig, 0x77, sizeof sig);
    memcpy(keep, sig, sizeof sig);
    CHECK(erg_schnorr_sign(&sk, NULL, 5, NULL, sig, &err) == ERG_ERR_ARG);
    CHECK(err.reason[0] != '\0');
    CHECK_EQ_MEM(sig, keep, 64);
    CHECK(erg_schnorr_verify(&pk, NULL, 5, sig) == 0);
    /* A seckey struct holding an invalid scalar is refused, not signed with. */
    memset(sk.b, 0, 32);
    CHECK(erg_schnorr_sign(&sk, keep, 8, NULL, sig, &err) == ERG_ERR_RANGE);
    CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_ERR_RANGE);
    CHECK_EQ_MEM(sig, keep, 64);
}

ERG_TESTS("keys", T(test_vector_table_is_complete), T(test_bip340_vectors_verify), T(test_bip340_vectors_sign),
          T(test_invalid_pubkeys_rejected), T(test_invalid_seckeys_rejected), T(test_tweak_add), T(test_generate_distinct_and_clear),
          T(test_round_trips), T(test_every_flipped_bit_rejected), T(test_bad_arguments))
