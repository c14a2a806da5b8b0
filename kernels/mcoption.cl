/* Kernel mcoption (OpenCL): one work-item prices one unit's paths; bit-exact with mcoption.c. */

/*
 * The runtime prepends philox.h, detmath.h and mcoption_shared.h. Pure 64-bit integer
 * arithmetic: no floating point at all, so no fp64 extension and no rounding-mode concerns.
 * Parameter words: spot, strike, rate, vol, maturity, steps, paths (see mcoption.c).
 */

static void erg_mco_store_u64(__global uchar *p, erg_u64 v)
{
    int i;
    for (i = 0; i < 8; i++) p[i] = (uchar)(v >> (8 * i));
}

static erg_u64 erg_mco_derived_u64(__global const uint *derived, int lo)
{
    return (erg_u64)derived[lo] | ((erg_u64)derived[lo + 1] << 32);
}

__kernel void erg_mcoption(__global const uint *params, __global const uint *derived, __global const uchar *input,
                           uint input_len, __global const uint *seeds, __global uchar *out, __global uchar *scratch,
                           uint n_units)
{
    size_t unit = get_global_id(0);
    erg_u32 seed_words[8];
    erg_u32 steps = params[5], paths = params[6], path, i;
    erg_u64 drift_mag = erg_mco_derived_u64(derived, ERG_MCO_D_DRIFT_LO);
    erg_i64 drift = derived[ERG_MCO_D_DRIFT_NEG] ? -(erg_i64)drift_mag : (erg_i64)drift_mag;
    erg_u64 vol = erg_mco_derived_u64(derived, ERG_MCO_D_VOL_LO);
    erg_u64 strike = erg_mco_derived_u64(derived, ERG_MCO_D_STRIKE_LO);
    erg_u64 disc = erg_mco_derived_u64(derived, ERG_MCO_D_DISC_LO);
    erg_u64 acc[ERG_MCO_NOBS][4];
    __global uchar *o;
    int k, w;
    if (unit >= n_units) return;
    for (k = 0; k < 8; k++) seed_words[k] = seeds[8 * unit + k];
    for (k = 0; k < ERG_MCO_NOBS; k++)
        for (w = 0; w < 4; w++) acc[k][w] = 0;
    for (path = 0; path < paths; path++) {
        erg_rng rng;
        erg_i64 x = 0, z[2] = {0, 0};
        erg_u64 spot = 0, spot_sum = 0, avg;
        erg_rng_init(&rng, seed_words, path);
        for (i = 0; i < steps; i++) {
            erg_i64 zi;
            erg_u64 dz;
            if ((i & 1u) == 0) {
                erg_u32 w0 = erg_rng_u32(&rng);
                erg_u32 w1 = erg_rng_u32(&rng);
                erg_fx_normal_pair(w0, w1, z);
            }
            zi = z[i & 1u];
            dz = erg_fx_mulshr_rn(vol, (erg_u64)(zi < 0 ? -zi : zi), 45);
            x += drift + (zi < 0 ? -(erg_i64)dz : (erg_i64)dz);
            spot = erg_mco_spot(x);
            spot_sum += spot;
        }
        avg = (spot_sum + steps / 2) / steps;
        erg_mco_accumulate(acc[0], erg_mco_discount(spot > strike ? spot - strike : 0, disc));
        erg_mco_accumulate(acc[1], erg_mco_discount(strike > spot ? strike - spot : 0, disc));
        erg_mco_accumulate(acc[2], erg_mco_discount(avg > strike ? avg - strike : 0, disc));
        erg_mco_accumulate(acc[3], erg_mco_discount(strike > avg ? strike - avg : 0, disc));
        erg_mco_accumulate(acc[4], erg_mco_discount(spot, disc));
    }
    o = out + (size_t)ERG_MCO_OUT_SIZE * unit;
    erg_mco_store_u64(o, (erg_u64)paths);
    for (k = 0; k < ERG_MCO_NOBS; k++)
        for (w = 0; w < 4; w++) erg_mco_store_u64(o + 8 + 32 * k + 8 * w, acc[k][w]);
}
