/* OpenCL kernel: one shallow-water ensemble member per work-item, bit-exact with the C reference in kernels/swe.c. */

/*
 * Prepended by the runtime: philox.h, detmath.h, swe_shared.h. The work-item keeps its grid
 * in its own scratch slice, laid out as in swe_scratch_size: h, mx, my, u, v, c (int per
 * cell, row-major), then flux0 and flux (3 longs per column). It walks exactly the loops of
 * the C reference in the same order, so the result does not depend on the work-group size.
 */

/* Flux through the face between cells a (low side) and b (high side); n is the normal momentum. */
static void swe_face(long lambda, __global const int *h, __global const int *n, __global const int *t,
                     __global const int *un, __global const int *c, size_t a, size_t b, long f[3])
{
    erg_swe_flux(lambda, h[a], n[a], t[a], un[a], c[a], h[b], n[b], t[b], un[b], c[b], f);
}

static void swe_store_u32(__global uchar *p, uint v)
{
    p[0] = (uchar)v;
    p[1] = (uchar)(v >> 8);
    p[2] = (uchar)(v >> 16);
    p[3] = (uchar)(v >> 24);
}

static void swe_store_u64(__global uchar *p, ulong v)
{
    swe_store_u32(p, (uint)v);
    swe_store_u32(p + 4, (uint)(v >> 32));
}

static long swe_volume(__global const int *h, size_t cells)
{
    long v = 0;
    size_t i;
    for (i = 0; i < cells; i++) v += h[i];
    return v;
}

__kernel void erg_swe(__global const uint *params, __global const uint *derived, __global const uchar *input,
                      uint input_len, __global const uint *seeds, __global uchar *out, __global uchar *scratch,
                      uint n_units)
{
    size_t gid = get_global_id(0);
    uint nx, ny, steps, nbumps, bw, bh, status, n, i, j, k, next;
    size_t cells;
    long lambda, vol0, nx2, ny2;
    __global int *h, *mx, *my, *u, *v, *c;
    __global long *flux0, *flux;
    __global uchar *o;
    uint seed[8];
    int bumps[32][4];
    ulong energy[ERG_SWE_NCHECK];
    int h_min = 0x7fffffff, h_max = 0, s_max = 0, env[ERG_SWE_NBLOCKS], bmax[ERG_SWE_NBLOCKS];
    erg_rng r;

    if (gid >= n_units) return;
    nx = params[0];
    ny = params[1];
    steps = params[2];
    nbumps = params[6];
    cells = (size_t)nx * ny;
    lambda = (long)derived[0];
    h = (__global int *)(scratch + gid * (24 * cells + 48 * (size_t)nx));
    mx = h + cells;
    my = mx + cells;
    u = my + cells;
    v = u + cells;
    c = v + cells;
    flux0 = (__global long *)(c + cells);
    flux = flux0 + 3 * (size_t)nx;
    o = out + gid * ERG_SWE_OUT_SIZE;
    bw = nx / ERG_SWE_BLOCKS;
    bh = ny / ERG_SWE_BLOCKS;

    /* Initial state: base depth plus the seeded bumps, at rest. */
    for (k = 0; k < 8; k++) seed[k] = seeds[8 * gid + k];
    erg_rng_init(&r, seed, 0);
    for (k = 0; k < nbumps; k++) erg_swe_draw_bump(&r, nx, ny, params[8], derived[1], bumps[k]);
    nx2 = 2 * (long)nx;
    ny2 = 2 * (long)ny;
    for (j = 0; j < ny; j++) {
        for (i = 0; i < nx; i++) {
            long hh = ERG_SWE_ONE;
            for (k = 0; k < nbumps; k++) {
                long dx2 = erg_swe_wrap(2 * (long)i + 1 - bumps[k][0], nx2);
                long dy2 = erg_swe_wrap(2 * (long)j + 1 - bumps[k][1], ny2);
                hh += erg_swe_bump_height(dx2 * dx2 + dy2 * dy2, bumps[k][2], bumps[k][3]);
            }
            h[(size_t)j * nx + i] = (int)hh;
            mx[(size_t)j * nx + i] = 0;
            my[(size_t)j * nx + i] = 0;
        }
    }
    vol0 = swe_volume(h, cells);
    for (k = 0; k < ERG_SWE_NCHECK; k++) energy[k] = ERG_SWE_ENERGY_NONE;
    for (k = 0; k < ERG_SWE_NBLOCKS; k++) env[k] = 0;

    next = 0;
    for (n = 0;; n++) {
        /* Check pass: guard every cell, cache u, v, c, and measure the state. */
        ulong e = 0;
        int st_min = 0x7fffffff, st_max = 0, st_s = 0;
        status = ERG_SWE_STATUS_OK;
        for (k = 0; k < ERG_SWE_NBLOCKS; k++) bmax[k] = 0;
        for (j = 0; j < ny && status == ERG_SWE_STATUS_OK; j++) {
            uint brow = (j / bh) * ERG_SWE_BLOCKS;
            for (i = 0; i < nx; i++) {
                size_t x = (size_t)j * nx + i;
                long cu, cv, cc, sp;
                int hh = h[x];
                status = erg_swe_cell(lambda, hh, mx[x], my[x], &cu, &cv, &cc, &sp);
                if (status != ERG_SWE_STATUS_OK) break;
                u[x] = (int)cu;
                v[x] = (int)cv;
                c[x] = (int)cc;
                e += erg_swe_cell_energy(hh, mx[x], my[x], cu, cv);
                if (hh < st_min) st_min = hh;
                if (hh > st_max) st_max = hh;
                if (sp > st_s) st_s = (int)sp;
                if (hh > bmax[brow + i / bw]) bmax[brow + i / bw] = hh;
            }
        }
        if (status != ERG_SWE_STATUS_OK) break;
        if (st_min < h_min) h_min = st_min;
        if (st_max > h_max) h_max = st_max;
        if (st_s > s_max) s_max = st_s;
        for (k = 0; k < ERG_SWE_NBLOCKS; k++)
            if (bmax[k] > env[k]) env[k] = bmax[k];
        while (next < ERG_SWE_NCHECK && (ulong)steps * (ulong)next / (ERG_SWE_NCHECK - 1) == n) energy[next++] = e;
        if (n == steps) break;

        /* Step in place, row by row; wrap-around faces first (see erg_swe_sim_advance). */
        for (i = 0; i < nx; i++) {
            long f[3];
            swe_face(lambda, h, my, mx, v, c, (size_t)(ny - 1) * nx + i, i, f);
            for (k = 0; k < 3; k++) flux0[3 * i + k] = flux[3 * i + k] = f[k];
        }
        for (j = 0; j < ny; j++) {
            size_t row = (size_t)j * nx, north = (size_t)(j + 1 == ny ? 0 : j + 1) * nx;
            long west[3], east[3], wrap[3], up[3];
            swe_face(lambda, h, mx, my, u, c, row + nx - 1, row, wrap);
            for (k = 0; k < 3; k++) west[k] = wrap[k];
            for (i = 0; i < nx; i++) {
                size_t x = row + i;
                __global long *down = flux + 3 * i;
                if (i + 1 < nx)
                    swe_face(lambda, h, mx, my, u, c, x, x + 1, east);
                else
                    for (k = 0; k < 3; k++) east[k] = wrap[k];
                if (j + 1 < ny)
                    swe_face(lambda, h, my, mx, v, c, x, north + i, up);
                else
                    for (k = 0; k < 3; k++) up[k] = flux0[3 * i + k];
                h[x] = (int)(h[x] - (east[0] - west[0]) - (up[0] - down[0]));
                mx[x] = (int)(mx[x] - (east[1] - west[1]) - (up[2] - down[2]));
                my[x] = (int)(my[x] - (east[2] - west[2]) - (up[1] - down[1]));
                for (k = 0; k < 3; k++) {
                    down[k] = up[k];
                    west[k] = east[k];
                }
            }
        }
    }

    for (k = 0; k < ERG_SWE_OUT_SIZE; k++) o[k] = 0;
    swe_store_u32(o + ERG_SWE_OFF_STATUS, status);
    swe_store_u32(o + ERG_SWE_OFF_STEPS, n);
    swe_store_u64(o + ERG_SWE_OFF_VOL0, (ulong)vol0);
    swe_store_u64(o + ERG_SWE_OFF_VOL1, (ulong)swe_volume(h, cells));
    for (k = 0; k < ERG_SWE_NCHECK; k++) swe_store_u64(o + ERG_SWE_OFF_ENERGY + 8 * k, energy[k]);
    swe_store_u32(o + ERG_SWE_OFF_HMIN, (uint)h_min);
    swe_store_u32(o + ERG_SWE_OFF_HMAX, (uint)h_max);
    swe_store_u32(o + ERG_SWE_OFF_SMAX, (uint)s_max);
    for (k = 0; k < ERG_SWE_NBLOCKS; k++) {
        uint bx = k % ERG_SWE_BLOCKS, by = k / ERG_SWE_BLOCKS;
        long sum = 0;
        for (j = by * bh; j < (by + 1) * bh; j++)
            for (i = bx * bw; i < (bx + 1) * bw; i++) sum += h[(size_t)j * nx + i];
        swe_store_u32(o + ERG_SWE_OFF_MEAN + 4 * k, (uint)(int)(sum / ((long)bw * bh)));
        swe_store_u32(o + ERG_SWE_OFF_ENV + 4 * k, (uint)env[k]);
    }
}
