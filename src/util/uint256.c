/* Unsigned 256-bit integers for targets and chain work: compare, add, shifts, multiply and divide. */
#include "src/util/uint256.h"

#include <stdio.h>
#include <string.h>

#include "src/util/buffer.h"

void erg_u256_zero(erg_u256 *a)
{
    memset(a, 0, sizeof *a);
}

void erg_u256_from_u64(erg_u256 *a, uint64_t v)
{
    erg_u256_zero(a);
    a->w[0] = v;
}

void erg_u256_max(erg_u256 *a)
{
    int i;
    for (i = 0; i < 4; i++) a->w[i] = UINT64_MAX;
}

void erg_u256_from_le(erg_u256 *a, const uint8_t b[32])
{
    int i;
    for (i = 0; i < 4; i++) a->w[i] = erg_load_u64(b + 8 * i);
}

void erg_u256_to_le(const erg_u256 *a, uint8_t b[32])
{
    int i;
    for (i = 0; i < 4; i++) erg_store_u64(b + 8 * i, a->w[i]);
}

int erg_u256_cmp(const erg_u256 *a, const erg_u256 *b)
{
    int i;
    for (i = 3; i >= 0; i--) {
        if (a->w[i] < b->w[i]) return -1;
        if (a->w[i] > b->w[i]) return 1;
    }
    return 0;
}

int erg_u256_is_zero(const erg_u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

unsigned erg_u256_bits(const erg_u256 *a)
{
    int i;
    for (i = 3; i >= 0; i--) {
        if (a->w[i]) {
            unsigned n = 64;
            while (!(a->w[i] >> (n - 1))) n--;
            return (unsigned)i * 64 + n;
        }
    }
    return 0;
}

int erg_u256_add(erg_u256 *r, const erg_u256 *a, const erg_u256 *b)
{
    unsigned __int128 carry = 0;
    int i;
    for (i = 0; i < 4; i++) {
        carry += (unsigned __int128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry != 0;
}

int erg_u256_sub(erg_u256 *r, const erg_u256 *a, const erg_u256 *b)
{
    uint64_t borrow = 0;
    int i;
    for (i = 0; i < 4; i++) {
        uint64_t ai = a->w[i], bi = b->w[i];
        uint64_t d = ai - bi - borrow;
        borrow = (ai < bi) || (ai == bi && borrow) ? 1 : 0;
        r->w[i] = d;
    }
    return (int)borrow;
}

int erg_u256_mul_u64(erg_u256 *r, const erg_u256 *a, uint64_t m)
{
    unsigned __int128 carry = 0;
    int i;
    for (i = 0; i < 4; i++) {
        carry += (unsigned __int128)a->w[i] * m;
        r->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry != 0;
}

void erg_u256_shl(erg_u256 *r, const erg_u256 *a, unsigned n)
{
    erg_u256 t;
    unsigned limbs = n / 64, bits = n % 64;
    int i;
    erg_u256_zero(&t);
    if (n < 256) {
        for (i = 3; i >= (int)limbs; i--) {
            t.w[i] = a->w[i - limbs] << bits;
            if (bits && i - (int)limbs - 1 >= 0) t.w[i] |= a->w[i - limbs - 1] >> (64 - bits);
        }
    }
    *r = t;
}

void erg_u256_shr(erg_u256 *r, const erg_u256 *a, unsigned n)
{
    erg_u256 t;
    unsigned limbs = n / 64, bits = n % 64;
    int i;
    erg_u256_zero(&t);
    if (n < 256) {
        for (i = 0; i + (int)limbs < 4; i++) {
            t.w[i] = a->w[i + limbs] >> bits;
            if (bits && i + limbs + 1 < 4) t.w[i] |= a->w[i + limbs + 1] << (64 - bits);
        }
    }
    *r = t;
}

erg_code erg_u256_div(erg_u256 *q, const erg_u256 *a, const erg_u256 *b, erg_err *err)
{
    erg_u256 rem, quot, d;
    int shift;
    if (erg_u256_is_zero(b)) return erg_err_set(err, ERG_ERR_ARG, "u256: division by zero");
    erg_u256_zero(&quot);
    rem = *a;
    shift = (int)erg_u256_bits(a) - (int)erg_u256_bits(b);
    if (shift >= 0) {
        erg_u256_shl(&d, b, (unsigned)shift);
        for (; shift >= 0; shift--) {
            if (erg_u256_cmp(&rem, &d) >= 0) {
                erg_u256_sub(&rem, &rem, &d);
                quot.w[shift / 64] |= (uint64_t)1 << (shift % 64);
            }
            erg_u256_shr(&d, &d, 1);
        }
    }
    *q = quot;
    return ERG_OK;
}

void erg_u256_hex(const erg_u256 *a, char out[65])
{
    snprintf(out, 65, "%016llx%016llx%016llx%016llx", (unsigned long long)a->w[3], (unsigned long long)a->w[2],
             (unsigned long long)a->w[1], (unsigned long long)a->w[0]);
}

double erg_u256_to_double(const erg_u256 *a)
{
    double r = 0;
    int i;
    for (i = 3; i >= 0; i--) r = r * 18446744073709551616.0 + (double)a->w[i];
    return r;
}

uint32_t erg_u256_to_compact(const erg_u256 *a)
{
    unsigned size = (erg_u256_bits(a) + 7) / 8;
    uint32_t mant;
    if (size <= 3) {
        mant = (uint32_t)(a->w[0] << (8 * (3 - size)));
    } else {
        erg_u256 t;
        erg_u256_shr(&t, a, 8 * (size - 3));
        mant = (uint32_t)t.w[0];
    }
    /* The 0x00800000 bit is a sign bit in this encoding: move to a larger exponent. */
    if (mant & 0x00800000u) {
        mant >>= 8;
        size++;
    }
    return mant | (uint32_t)size << 24;
}

erg_code erg_u256_from_compact(erg_u256 *a, uint32_t bits, erg_err *err)
{
    unsigned size = bits >> 24;
    uint32_t mant = bits & 0x007fffffu;
    if (bits & 0x00800000u) return erg_err_set(err, ERG_ERR_RANGE, "compact target %08x is negative", (unsigned)bits);
    if (mant == 0) return erg_err_set(err, ERG_ERR_RANGE, "compact target %08x is zero", (unsigned)bits);
    if (size > 3) {
        unsigned mbits = 0;
        while (mbits < 24 && (mant >> mbits)) mbits++;
        if (mbits + 8 * (size - 3) > 256)
            return erg_err_set(err, ERG_ERR_RANGE, "compact target %08x overflows 256 bits", (unsigned)bits);
    }
    if (size <= 3) {
        erg_u256_from_u64(a, mant >> (8 * (3 - size)));
    } else {
        erg_u256_from_u64(a, mant);
        erg_u256_shl(a, a, 8 * (size - 3));
    }
    if (erg_u256_to_compact(a) != bits)
        return erg_err_set(err, ERG_ERR_NONCANON, "compact target %08x is not canonical", (unsigned)bits);
    return ERG_OK;
}
