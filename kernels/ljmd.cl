/* Lennard-Jones molecular dynamics (OpenCL): one work-item integrates one seeded periodic box. */

/*
 * The runtime prepends philox.h, detmath.h and ljmd_shared.h, where all arithmetic lives;
 * this file mirrors the C reference's loops (kernels/ljmd.c) over scratch memory.
 *
 * Scratch layout. The launch's buffer holds n_units * scratch_size bytes; it is laid out
 * element-major so that neighbouring work-items touch neighbouring words (coalesced on
 * GPUs): element e of unit u sits at index e * n_units + u of four consecutive arrays,
 *   pos  uint [3N][n_units]   then  vel  ulong [3N][n_units]
 *   frc  ulong[3N][n_units]   then  hist ulong [bins][n_units]
 * (12N * n_units is a multiple of 8 because N = 4 c^3 is even, so the ulong arrays align).
 */

#define LJ_AT(e) ((size_t)(e) * nu + gid)

static void ljmd_cl_store_u32(__global uchar *p, uint v)
{
    p[0] = (uchar)v;
    p[1] = (uchar)(v >> 8);
    p[2] = (uchar)(v >> 16);
    p[3] = (uchar)(v >> 24);
}

static void ljmd_cl_store_u64(__global uchar *p, ulong v)
{
    ljmd_cl_store_u32(p, (uint)v);
    ljmd_cl_store_u32(p + 4, (uint)(v >> 32));
}

/* Same accumulation as ljmd_forces in ljmd.c; returns nothing, fills pe, vir, events. */
static void ljmd_cl_forces(const erg_ljmd_consts *c, uint n, size_t nu, size_t gid, __global const uint *pos,
                           __global ulong *frc, __global ulong *hist, uint nbins, int sample, ulong *pe, ulong *vir,
                           ulong *events)
{
    uint i, j, k;
    ulong spe = 0, svir = 0, sev = *events;
    for (k = 0; k < 3 * n; k++) frc[LJ_AT(k)] = 0;
    for (i = 0; i < n; i++) {
        ulong fxi = 0, fyi = 0, fzi = 0;
        uint xi = pos[LJ_AT(3 * i)], yi = pos[LJ_AT(3 * i + 1)], zi = pos[LJ_AT(3 * i + 2)];
        for (j = i + 1; j < n; j++) {
            uint dx = xi - pos[LJ_AT(3 * j)], dy = yi - pos[LJ_AT(3 * j + 1)], dz = zi - pos[LJ_AT(3 * j + 2)];
            uint clamped;
            ulong r2b = erg_ljmd_r2box(dx, dy, dz), fx, fy, fz, u, w;
            if (sample) {
                uint b = erg_ljmd_bin(r2b, nbins);
                if (b < nbins) hist[LJ_AT(b)] += 1;
            }
            if (!erg_ljmd_pair(c, r2b, dx, dy, dz, &fx, &fy, &fz, &u, &w, &clamped)) continue;
            fxi += fx;
            fyi += fy;
            fzi += fz;
            frc[LJ_AT(3 * j)] -= fx;
            frc[LJ_AT(3 * j + 1)] -= fy;
            frc[LJ_AT(3 * j + 2)] -= fz;
            spe += u;
            svir += w;
            sev += clamped;
        }
        frc[LJ_AT(3 * i)] += fxi;
        frc[LJ_AT(3 * i + 1)] += fyi;
        frc[LJ_AT(3 * i + 2)] += fzi;
    }
    *pe = spe;
    *vir = svir;
    *events = sev;
}

static ulong ljmd_cl_ke2(uint n, size_t nu, size_t gid, __global const ulong *vel)
{
    ulong sum = 0;
    uint k;
    for (k = 0; k < 3 * n; k++) sum += erg_ljmd_v2(vel[LJ_AT(k)]);
    return sum;
}

static void ljmd_cl_rescale(const erg_ljmd_consts *c, uint n, size_t nu, size_t gid, __global ulong *vel,
                            ulong *events)
{
    ulong lambda = erg_ljmd_lambda(c, ljmd_cl_ke2(n, nu, gid, vel));
    uint k;
    for (k = 0; k < 3 * n; k++) {
        ulong v = erg_ljmd_smulshr(vel[LJ_AT(k)], lambda, ERG_LJMD_LAMBDA_SHIFT);
        if (erg_ljmd_abs(v) > ERG_LJMD_VMAX) {
            v = (v >> 63) ? erg_ljmd_neg(ERG_LJMD_VMAX) : ERG_LJMD_VMAX;
            *events += 1;
        }
        vel[LJ_AT(k)] = v;
    }
}

static void ljmd_cl_step(const erg_ljmd_consts *c, uint n, size_t nu, size_t gid, __global uint *pos,
                         __global ulong *vel, __global ulong *frc, __global ulong *hist, uint nbins, int sample,
                         ulong *pe, ulong *vir, ulong *events)
{
    uint k;
    for (k = 0; k < 3 * n; k++) vel[LJ_AT(k)] = erg_ljmd_kick(c, vel[LJ_AT(k)], frc[LJ_AT(k)], events);
    for (k = 0; k < 3 * n; k++) pos[LJ_AT(k)] = erg_ljmd_drift(c, pos[LJ_AT(k)], vel[LJ_AT(k)]);
    ljmd_cl_forces(c, n, nu, gid, pos, frc, hist, nbins, sample, pe, vir, events);
    for (k = 0; k < 3 * n; k++) vel[LJ_AT(k)] = erg_ljmd_kick(c, vel[LJ_AT(k)], frc[LJ_AT(k)], events);
}

__kernel void erg_ljmd(__global const uint *params, __global const uint *derived, __global const uchar *input,
                       uint input_len, __global const uint *seeds, __global uchar *out, __global uchar *scratch,
                       uint n_units)
{
    size_t gid = get_global_id(0), nu = n_units;
    uint cells = params[ERG_LJMD_P_CELLS], n = 4 * cells * cells * cells, nbins = params[ERG_LJMD_P_BINS];
    uint equil = params[ERG_LJMD_P_EQUIL], steps = params[ERG_LJMD_P_STEPS], every = params[ERG_LJMD_P_SAMPLE];
    uint ns = steps / every, seed[8], i, a, k, t;
    __global uint *pos;
    __global ulong *vel, *frc, *hist;
    __global uchar *o;
    erg_ljmd_consts c;
    ulong pe = 0, vir = 0, events = 0, e0, e1, sum_ke = 0, sum_pe = 0, sum_e = 0, sum_vir = 0, dev = 0;
    ulong ke_avg, vir_avg;

    if (gid >= n_units) return;
    for (k = 0; k < 8; k++) seed[k] = seeds[8 * gid + k];
    c.l_q32 = (ulong)derived[0] | (ulong)derived[1] << 32;
    c.l2c = (ulong)derived[2] | (ulong)derived[3] << 32;
    c.rc2 = (ulong)derived[4] | (ulong)derived[5] << 32;
    c.rc2box = (ulong)derived[6] | (ulong)derived[7] << 32;
    c.ushift = (ulong)derived[8] | (ulong)derived[9] << 32;
    c.kick = (ulong)derived[10] | (ulong)derived[11] << 32;
    c.drift = (ulong)derived[12] | (ulong)derived[13] << 32;
    c.ke2_target = (ulong)derived[14] | (ulong)derived[15] << 32;
    c.press = (ulong)derived[16] | (ulong)derived[17] << 32;
    pos = (__global uint *)scratch;
    vel = (__global ulong *)(scratch + (size_t)12 * n * nu);
    frc = vel + (size_t)3 * n * nu;
    hist = frc + (size_t)3 * n * nu;

    /* Initial state: FCC lattice, Irwin-Hall velocities (stream i), zero momentum, exact T. */
    for (i = 0; i < n; i++) {
        erg_rng r;
        erg_rng_init(&r, seed, i);
        for (a = 0; a < 3; a++) {
            pos[LJ_AT(3 * i + a)] = erg_ljmd_fcc(i, cells, (int)a);
            vel[LJ_AT(3 * i + a)] = erg_ljmd_normal(&r);
        }
    }
    for (a = 0; a < 3; a++) {
        ulong sum = 0, mean;
        for (i = 0; i < n; i++) sum += vel[LJ_AT(3 * i + a)];
        mean = erg_ljmd_sdiv(sum, n);
        for (i = 0; i < n; i++) vel[LJ_AT(3 * i + a)] -= mean;
    }
    ljmd_cl_rescale(&c, n, nu, gid, vel, &events);
    for (k = 0; k < nbins; k++) hist[LJ_AT(k)] = 0;
    ljmd_cl_forces(&c, n, nu, gid, pos, frc, hist, nbins, 0, &pe, &vir, &events);

    for (t = 1; t <= equil; t++) {
        ljmd_cl_step(&c, n, nu, gid, pos, vel, frc, hist, nbins, 0, &pe, &vir, &events);
        if (t % ERG_LJMD_RESCALE_EVERY == 0 || t == equil) ljmd_cl_rescale(&c, n, nu, gid, vel, &events);
    }
    e0 = (ljmd_cl_ke2(n, nu, gid, vel) >> 1) + pe;
    for (t = 1; t <= steps; t++) {
        int sample = t % every == 0;
        ljmd_cl_step(&c, n, nu, gid, pos, vel, frc, hist, nbins, sample, &pe, &vir, &events);
        if (sample) {
            ulong ke = ljmd_cl_ke2(n, nu, gid, vel) >> 1, e = ke + pe, d;
            sum_ke += ke;
            sum_pe += pe;
            sum_e += e;
            sum_vir += vir;
            d = erg_ljmd_abs(e - e0);
            if (d > dev) dev = d;
        }
    }
    e1 = (ljmd_cl_ke2(n, nu, gid, vel) >> 1) + pe;

    ke_avg = erg_ljmd_sdiv(sum_ke, ns);
    vir_avg = erg_ljmd_sdiv(sum_vir, ns);
    o = out + gid * (size_t)(ERG_LJMD_OFF_HIST + 8 * nbins);
    ljmd_cl_store_u32(o + ERG_LJMD_OFF_N, n);
    ljmd_cl_store_u32(o + ERG_LJMD_OFF_SAMPLES, ns);
    ljmd_cl_store_u32(o + ERG_LJMD_OFF_BINS, nbins);
    ljmd_cl_store_u32(o + ERG_LJMD_OFF_EVENTS, events > 0xFFFFFFFFul ? 0xFFFFFFFFu : (uint)events);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_BOX, c.l_q32);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_KE, ke_avg);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_PE, erg_ljmd_sdiv(sum_pe, ns));
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_E, erg_ljmd_sdiv(sum_e, ns));
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_VIRIAL, vir_avg);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_PRESS, erg_ljmd_smulhi(2 * ke_avg + vir_avg, c.press));
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_E0, e0);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_E1, e1);
    ljmd_cl_store_u64(o + ERG_LJMD_OFF_EDEV, dev);
    for (k = 0; k < nbins; k++) ljmd_cl_store_u64(o + ERG_LJMD_OFF_HIST + 8 * (size_t)k, hist[LJ_AT(k)]);
}
