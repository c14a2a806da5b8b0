/* 2D Ising Metropolis checkerboard kernel for OpenCL: one work-item runs one unit (see ising2d_shared.h). */

/*
 * Scratch layout: the n_units lattices are interleaved, site i of unit g at byte
 * i * n_units + g (spins 0 down, 1 up; i = y*L + x row-major). Neighbouring work-items walk
 * their lattices in lockstep, so on a GPU each load of a warp touches consecutive bytes
 * (coalesced) instead of one cache line per work-item. The total is n_units * scratch_size.
 */

static void ising2d_cl_store_u32(__global uchar *p, uint v)
{
    p[0] = (uchar)v;
    p[1] = (uchar)(v >> 8);
    p[2] = (uchar)(v >> 16);
    p[3] = (uchar)(v >> 24);
}

static void ising2d_cl_store_u64(__global uchar *p, ulong v)
{
    ising2d_cl_store_u32(p, (uint)v);
    ising2d_cl_store_u32(p + 4, (uint)(v >> 32));
}

/* E = -sum over bonds (right and below, once each) of s_i s_j; M = sum of s_i, s = +-1. */
static void ising2d_cl_measure(__global const uchar *spin, size_t st, uint L, long *e, long *m)
{
    long ee = 0, mm = 0;
    uint x, y;
    for (y = 0; y < L; y++) {
        __global const uchar *row = spin + (size_t)y * L * st;
        __global const uchar *below = spin + (size_t)(y + 1 == L ? 0 : y + 1) * L * st;
        for (x = 0; x < L; x++) {
            uchar s = row[x * st];
            ee += (s == row[(x + 1 == L ? 0 : x + 1) * st]) ? -1 : 1;
            ee += (s == below[x * st]) ? -1 : 1;
            mm += s ? 1 : -1;
        }
    }
    *e = ee;
    *m = mm;
}

/* One pass over the sublattice (x + y) % 2 == parity; returns accepted flips, updates *e and *m.
 * thr[aligned] is 2^32 for dE <= 0, else the host's threshold; no data-dependent branch. */
static ulong ising2d_cl_half_sweep(__global uchar *spin, size_t st, uint L, const uint seed[8], uint block, uint parity,
                                   const ulong thr[5], long *e, long *m)
{
    uint x, y, k = 0;
    uint words[4] = {0, 0, 0, 0};
    ulong accepted = 0;
    long ee = *e, mm = *m;
    for (y = 0; y < L; y++) {
        __global uchar *row = spin + (size_t)y * L * st;
        __global const uchar *above = spin + (size_t)(y == 0 ? L - 1 : y - 1) * L * st;
        __global const uchar *below = spin + (size_t)(y + 1 == L ? 0 : y + 1) * L * st;
        for (x = (y + parity) & 1u; x < L; x += 2, k++) {
            uint s = row[x * st], up, aligned, flip;
            if ((k & 3u) == 0) erg_ising_draw4(seed, block, k >> 2, words);
            up = (uint)above[x * st] + (uint)below[x * st] + (uint)row[(x == 0 ? L - 1 : x - 1) * st] +
                 (uint)row[(x + 1 == L ? 0 : x + 1) * st];
            aligned = s ? up : 4u - up;
            flip = ((ulong)words[k & 3u] < thr[aligned]) ? 1u : 0u;
            row[x * st] = (uchar)(s ^ flip);
            ee += (long)flip * (4 * (long)aligned - 8);
            mm += (long)flip * (2 - 4 * (long)s);
            accepted += flip;
        }
    }
    *e = ee;
    *m = mm;
    return accepted;
}

__kernel void erg_ising2d(__global const uint *params, __global const uint *derived, __global const uchar *input,
                          uint input_len, __global const uint *seeds, __global uchar *out, __global uchar *scratch,
                          uint n_units)
{
    size_t gid = get_global_id(0);
    uint L, therm, measure, sw, i, s[8];
    ulong thr[5];
    size_t n, st = n_units;
    __global uchar *spin;
    __global uchar *o;
    long e, m, sum_e = 0, sum_m = 0;
    ulong sum_e2 = 0, sum_absm = 0, sum_m2 = 0, accepted = 0;
    (void)input;
    (void)input_len;
    if (gid >= n_units) return;
    L = params[0];
    therm = params[1];
    measure = params[2];
    thr[0] = thr[1] = thr[2] = (ulong)1 << 32;
    thr[3] = derived[0];
    thr[4] = derived[1];
    n = (size_t)L * L;
    spin = scratch + gid;
    o = out + gid * ERG_ISING_OUT_SIZE;
    for (i = 0; i < 8; i++) s[i] = seeds[gid * 8 + i];

    if (params[4] == 0) {
        for (i = 0; i < n; i++) spin[i * st] = 1;
    } else {
        uint w[4] = {0, 0, 0, 0};
        for (i = 0; i < n; i++) {
            if ((i & 3u) == 0) erg_ising_draw4(s, 0, i >> 2, w);
            spin[i * st] = (uchar)(w[i & 3u] >> 31);
        }
    }
    ising2d_cl_measure(spin, st, L, &e, &m);

    for (sw = 0; sw < therm + measure; sw++) {
        ulong acc = ising2d_cl_half_sweep(spin, st, L, s, erg_ising_block(sw, 0), 0, thr, &e, &m);
        acc += ising2d_cl_half_sweep(spin, st, L, s, erg_ising_block(sw, 1), 1, thr, &e, &m);
        if (sw < therm) continue;
        accepted += acc;
        sum_e += e;
        sum_e2 += (ulong)(e * e);
        sum_m += m;
        sum_absm += (ulong)(m < 0 ? -m : m);
        sum_m2 += (ulong)(m * m);
    }

    ising2d_cl_store_u64(o + ERG_ISING_OFF_SUM_E, (ulong)sum_e);
    ising2d_cl_store_u64(o + ERG_ISING_OFF_SUM_E2, sum_e2);
    ising2d_cl_store_u64(o + ERG_ISING_OFF_SUM_M, (ulong)sum_m);
    ising2d_cl_store_u64(o + ERG_ISING_OFF_SUM_ABSM, sum_absm);
    ising2d_cl_store_u64(o + ERG_ISING_OFF_SUM_M2, sum_m2);
    ising2d_cl_store_u64(o + ERG_ISING_OFF_ACCEPTED, accepted);
    ising2d_cl_store_u32(o + ERG_ISING_OFF_FINAL_E, (uint)(int)e);
    ising2d_cl_store_u32(o + ERG_ISING_OFF_FINAL_M, (uint)(int)m);
}
