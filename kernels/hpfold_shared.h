/* HP lattice protein folding: lattice, pull-move and contact-energy primitives shared by the C reference and OpenCL. */
#ifndef ERG_KERNELS_HPFOLD_SHARED_H
#define ERG_KERNELS_HPFOLD_SHARED_H

/*
 * Compiled twice, like philox.h: into kernels/hpfold.c as C11 and, verbatim, into the OpenCL
 * program ahead of kernels/hpfold.cl. Only 32-bit integer arithmetic; every array lives in the
 * unit's scratch buffer, so the pointers carry ERG_HP_G (__global in OpenCL, nothing in C).
 *
 * Geometry. The chain lives on a periodic W x W square lattice, W = 2^logw >= n + 1. A
 * self-avoiding walk of n monomers spans at most n - 1 cells along each axis, so two different
 * monomers never share a wrapped cell and a wrapped neighbour cell is always the true neighbour:
 * the torus is exact, never an approximation. A cell is (y << logw) | x. Directions are
 * 0 = +x (R), 1 = +y (U), 2 = -x (L), 3 = -y (D).
 *
 * Moves are the pull moves of Lesh, Mitzenmacher and Whitesides (RECOMB 2003), which are
 * reversible and complete on the square lattice, including their end pulls; a corner flip and
 * an end rotation are the one-monomer special cases.
 */

#ifdef __OPENCL_C_VERSION__
#define ERG_HP_G __global
typedef uchar erg_hp_u8;
typedef ushort erg_hp_u16;
#else
#define ERG_HP_G
typedef uint8_t erg_hp_u8;
typedef uint16_t erg_hp_u16;
#endif

#define ERG_HP_LEN_MIN 4u
#define ERG_HP_LEN_MAX 255u    /* so that W <= 256 and a cell index fits 16 bits */
#define ERG_HP_STAGES_MAX 64u  /* one derived word per temperature stage */
#define ERG_HP_DMAX 64u        /* uphill moves with dE >= DMAX are always rejected */
#define ERG_HP_CONF_BYTES 64u  /* 2 bits per bond, up to 256 bonds */
#define ERG_HP_OUT_HEADER 24u
#define ERG_HP_OUT_SIZE (ERG_HP_OUT_HEADER + ERG_HP_CONF_BYTES)

/*
 * Invariants between moves: grid[pos[i]] == i + 1 for every monomer and every other cell is 0;
 * pos[i] and pos[i + 1] are lattice neighbours; hbits has bit i set iff monomer i is H.
 * During a move, trial[lo..hi] hold the proposed cells of monomers lo..hi.
 */
typedef struct erg_hp_chain {
    erg_u32 n;                  /* monomers, ERG_HP_LEN_MIN..ERG_HP_LEN_MAX */
    erg_u32 logw;               /* lattice side W = 1 << logw, the least power of two >= n + 1 (>= 8) */
    erg_u32 hbits[8];           /* H flags, one bit per monomer */
    ERG_HP_G erg_hp_u8 *grid;   /* W * W cells: 0 empty, else 1 + index of the monomer there */
    ERG_HP_G erg_hp_u16 *pos;   /* n cells, the current conformation */
    ERG_HP_G erg_hp_u16 *trial; /* n cells, proposed positions of monomers lo..hi */
    ERG_HP_G erg_hp_u16 *best;  /* n cells, the lowest-energy conformation seen */
    erg_u32 lo, hi;             /* range of monomers moved by the current proposal */
} erg_hp_chain;

ERG_FN erg_u32 erg_hp_logw(erg_u32 n)
{
    erg_u32 l = 3u;
    while ((1u << l) < n + 1u) l++;
    return l;
}

/* Byte offsets in one unit's scratch: grid, then pos, trial, best (each padded to 8 bytes). */
ERG_FN erg_u32 erg_hp_arr_bytes(erg_u32 n)
{
    return ((2u * n) + 7u) & ~7u;
}

ERG_FN erg_u32 erg_hp_scratch_bytes(erg_u32 n)
{
    erg_u32 w = 1u << erg_hp_logw(n);
    return w * w + 3u * erg_hp_arr_bytes(n);
}

ERG_FN erg_u32 erg_hp_is_h(const erg_hp_chain *c, erg_u32 i)
{
    return (c->hbits[i >> 5] >> (i & 31u)) & 1u;
}

ERG_FN erg_u32 erg_hp_step(erg_u32 logw, erg_u32 cell, erg_u32 dir)
{
    erg_u32 mask = (1u << logw) - 1u;
    erg_u32 x = cell & mask, y = cell >> logw;
    if (dir == 0u)
        x = (x + 1u) & mask;
    else if (dir == 1u)
        y = (y + 1u) & mask;
    else if (dir == 2u)
        x = (x - 1u) & mask;
    else
        y = (y - 1u) & mask;
    return (y << logw) | x;
}

/* Direction of the unit step from cell a to cell b, or 4 when they are not lattice neighbours. */
ERG_FN erg_u32 erg_hp_dir(erg_u32 logw, erg_u32 a, erg_u32 b)
{
    erg_u32 mask = (1u << logw) - 1u;
    erg_u32 dx = ((b & mask) - (a & mask)) & mask;
    erg_u32 dy = ((b >> logw) - (a >> logw)) & mask;
    if (dy == 0u) {
        if (dx == 1u) return 0u;
        if (dx == mask) return 2u;
    } else if (dx == 0u) {
        if (dy == 1u) return 1u;
        if (dy == mask) return 3u;
    }
    return 4u;
}

/* Non-bonded H neighbours that monomer i (an H) would have at cell, given the grid as it is. */
ERG_FN erg_u32 erg_hp_contacts(const erg_hp_chain *c, erg_u32 i, erg_u32 cell)
{
    erg_u32 d, cnt = 0u;
    for (d = 0u; d < 4u; d++) {
        erg_u32 v = c->grid[erg_hp_step(c->logw, cell, d)];
        if (v != 0u) {
            erg_u32 j = v - 1u;
            if ((j > i + 1u || j + 1u < i) && erg_hp_is_h(c, j)) cnt++;
        }
    }
    return cnt;
}

/*
 * Lay out the scratch, clear the grid and place the straight chain along +x (no contacts).
 * seq: n bytes of 'H'/'P', already validated.
 */
ERG_FN void erg_hp_chain_init(erg_hp_chain *c, ERG_HP_G erg_hp_u8 *scratch, ERG_HP_G const erg_hp_u8 *seq, erg_u32 n)
{
    erg_u32 i, w2, arr;
    c->n = n;
    c->logw = erg_hp_logw(n);
    w2 = 1u << (2u * c->logw);
    arr = erg_hp_arr_bytes(n);
    c->grid = scratch;
    c->pos = (ERG_HP_G erg_hp_u16 *)(scratch + w2);
    c->trial = (ERG_HP_G erg_hp_u16 *)(scratch + w2 + arr);
    c->best = (ERG_HP_G erg_hp_u16 *)(scratch + w2 + 2u * arr);
    c->lo = 0u;
    c->hi = 0u;
    for (i = 0u; i < 8u; i++) c->hbits[i] = 0u;
    for (i = 0u; i < n; i++)
        if (seq[i] == (erg_hp_u8)'H') c->hbits[i >> 5] |= 1u << (i & 31u);
    for (i = 0u; i < w2; i++) c->grid[i] = 0u;
    for (i = 0u; i < n; i++) {
        c->pos[i] = (erg_hp_u16)i;
        c->best[i] = (erg_hp_u16)i;
        c->grid[i] = (erg_hp_u8)(i + 1u);
    }
}

/*
 * After monomer `at` moved to trial[at], monomers follow it one by one toward the end `dirn`
 * points to (+1: upward, -1: downward), each taking the old cell of the one two places ahead,
 * until one is already adjacent to its moved neighbour. Sets lo/hi to the moved range.
 */
ERG_FN void erg_hp_follow(erg_hp_chain *c, int at, int dirn)
{
    int n = (int)c->n, j = at + dirn;
    while (j >= 0 && j < n && erg_hp_dir(c->logw, c->pos[j], c->trial[j - dirn]) == 4u) {
        c->trial[j] = c->pos[j - 2 * dirn];
        j += dirn;
    }
    if (dirn > 0) {
        c->hi = (erg_u32)(j - 1);
    } else {
        c->lo = (erg_u32)(j + 1);
    }
}

/*
 * Propose a pull move of monomer i chosen by the 5 bits of v; returns 1 and fills trial[lo..hi]
 * when the move is geometrically possible, 0 otherwise (nothing changed).
 *   bit 0: 1 = i moves next to i + 1 and the lower segment follows, 0 = next to i - 1, upper follows.
 *   bit 1: which of the two cells beside that neighbour (a left or a right quarter turn).
 * When the chosen neighbour does not exist (i is that end), it is an end pull instead: the end
 * goes to a free cell L two steps away through a free cell C that its neighbour takes,
 *   bits 1-2: direction from the end to C, bits 3-4: direction from C to L.
 */
ERG_FN int erg_hp_propose(erg_hp_chain *c, erg_u32 i, erg_u32 v)
{
    erg_u32 n = c->n, logw = c->logw;
    int dirn = (v & 1u) ? -1 : 1; /* direction the followers lie in */
    int ii = (int)i;
    erg_u32 lcell, ccell;
    if ((dirn < 0 && i + 1u < n) || (dirn > 0 && i > 0u)) {
        erg_u32 nb = (erg_u32)(ii - dirn); /* the neighbour i moves beside */
        erg_u32 a = c->pos[i], b = c->pos[nb];
        erg_u32 r = (erg_hp_dir(logw, a, b) + 1u + 2u * ((v >> 1) & 1u)) & 3u;
        lcell = erg_hp_step(logw, b, r);
        if (c->grid[lcell] != 0u) return 0;
        ccell = erg_hp_step(logw, a, r);
        c->trial[i] = (erg_hp_u16)lcell;
        c->lo = i;
        c->hi = i;
        if ((dirn < 0 && i == 0u) || (dirn > 0 && i + 1u == n)) return 1; /* end rotation */
        if (ccell == c->pos[ii + dirn]) return 1;                          /* corner flip */
        if (c->grid[ccell] != 0u) return 0;
        c->trial[ii + dirn] = (erg_hp_u16)ccell;
        erg_hp_follow(c, ii + dirn, dirn);
        return 1;
    }
    ccell = erg_hp_step(logw, c->pos[i], (v >> 1) & 3u);
    if (c->grid[ccell] != 0u) return 0;
    lcell = erg_hp_step(logw, ccell, (v >> 3) & 3u);
    if (c->grid[lcell] != 0u) return 0; /* also rules out L == the end's own cell */
    c->trial[i] = (erg_hp_u16)lcell;
    c->trial[ii + dirn] = (erg_hp_u16)ccell;
    c->lo = i;
    c->hi = i;
    erg_hp_follow(c, ii + dirn, dirn);
    return 1;
}

/*
 * Move monomers lo..hi to their trial cells on the grid and return the change in the number of
 * H-H contacts (the energy change is its negative). Every pair with at least one moved member
 * is counted once on the way out (the earlier-removed one counts it) and once on the way in
 * (the later-placed one counts it); pairs of unmoved monomers do not change.
 */
ERG_FN int erg_hp_apply(erg_hp_chain *c)
{
    erg_u32 k;
    int gained = 0;
    for (k = c->lo; k <= c->hi; k++) {
        if (erg_hp_is_h(c, k)) gained -= (int)erg_hp_contacts(c, k, c->pos[k]);
        c->grid[c->pos[k]] = 0u;
    }
    for (k = c->lo; k <= c->hi; k++) {
        if (erg_hp_is_h(c, k)) gained += (int)erg_hp_contacts(c, k, c->trial[k]);
        c->grid[c->trial[k]] = (erg_hp_u8)(k + 1u);
    }
    return gained;
}

ERG_FN void erg_hp_commit(erg_hp_chain *c)
{
    erg_u32 k;
    for (k = c->lo; k <= c->hi; k++) c->pos[k] = c->trial[k];
}

ERG_FN void erg_hp_revert(erg_hp_chain *c)
{
    erg_u32 k;
    for (k = c->lo; k <= c->hi; k++) c->grid[c->trial[k]] = 0u;
    for (k = c->lo; k <= c->hi; k++) c->grid[c->pos[k]] = (erg_hp_u8)(k + 1u);
}

/* Draw one move attempt: monomer floor(w n / 2^32), move bits = top 5 bits of the low word of w n. */
ERG_FN int erg_hp_propose_random(erg_hp_chain *c, erg_rng *rng)
{
    erg_u64 wn = (erg_u64)erg_rng_u32(rng) * (erg_u64)c->n;
    return erg_hp_propose(c, (erg_u32)(wn >> 32), (erg_u32)wn >> 27);
}

/*
 * Melt the straight start into a random coil: ERG_HP_MELT_PER_MONOMER * n attempts, every
 * possible move accepted (infinite temperature). A straight segment makes every pull drag it to
 * its end, so annealing from the rod would cost O(n) per attempt at low temperature; from a coil
 * the drags stay short. Returns the coil's contact count.
 */
#define ERG_HP_MELT_PER_MONOMER 16u

ERG_FN int erg_hp_melt(erg_hp_chain *c, erg_rng *rng)
{
    erg_u32 t, count = ERG_HP_MELT_PER_MONOMER * c->n;
    int contacts = 0;
    for (t = 0u; t < count; t++) {
        if (!erg_hp_propose_random(c, rng)) continue;
        contacts += erg_hp_apply(c);
        erg_hp_commit(c);
    }
    return contacts;
}

ERG_FN void erg_hp_save_best(erg_hp_chain *c)
{
    erg_u32 k;
    for (k = 0u; k < c->n; k++) c->best[k] = c->pos[k];
}

/*
 * Metropolis thresholds of one temperature stage: thr[d] = floor(2^32 exp(-d/T)) for d >= 1,
 * built from q = thr[1] (a derived word) by exact integer products, so every backend gets the
 * same table. thr[0] is unused (downhill and level moves are always accepted).
 */
ERG_FN void erg_hp_thresholds(erg_u32 q, erg_u32 thr[ERG_HP_DMAX])
{
    erg_u32 d;
    thr[0] = 0xFFFFFFFFu;
    thr[1] = q;
    for (d = 2u; d < ERG_HP_DMAX; d++) thr[d] = (erg_u32)(((erg_u64)thr[d - 1u] * (erg_u64)q) >> 32);
}

ERG_FN void erg_hp_store32(ERG_HP_G erg_hp_u8 *p, erg_u32 v)
{
    p[0] = (erg_hp_u8)(v & 0xFFu);
    p[1] = (erg_hp_u8)((v >> 8) & 0xFFu);
    p[2] = (erg_hp_u8)((v >> 16) & 0xFFu);
    p[3] = (erg_hp_u8)(v >> 24);
}

/*
 * Write the best conformation as absolute bond directions, 2 bits per bond (bond k in bits
 * 2(k mod 4) of byte k / 4), in canonical orientation: rotated so the first bond points +x and
 * reflected so the first turn goes +y. Symmetric copies of one fold thus give the same bytes.
 */
ERG_FN void erg_hp_write_conformation(const erg_hp_chain *c, ERG_HP_G erg_hp_u8 *conf)
{
    erg_u32 k, d0, flip = 0u, seen = 0u;
    for (k = 0u; k < ERG_HP_CONF_BYTES; k++) conf[k] = 0u;
    d0 = erg_hp_dir(c->logw, c->best[0], c->best[1]);
    for (k = 0u; k + 1u < c->n; k++) {
        erg_u32 d = (erg_hp_dir(c->logw, c->best[k], c->best[k + 1u]) - d0) & 3u;
        if (!seen && d != 0u) {
            seen = 1u;
            flip = (d == 3u);
        }
        if (flip) d = (4u - d) & 3u;
        conf[k >> 2] = (erg_hp_u8)(conf[k >> 2] | (d << (2u * (k & 3u))));
    }
}

#endif
