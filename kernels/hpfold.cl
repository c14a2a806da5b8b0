/* HP lattice protein folding kernel for OpenCL: one work-item anneals one unit (mirrors run_ref in hpfold.c). */

/*
 * The runtime prepends philox.h, detmath.h and hpfold_shared.h. Parameter words, in order:
 * steps, cycles, stages, t_hot, t_cold; derived[s] is the stage-s acceptance factor. Each
 * work-item owns erg_hp_scratch_bytes(input_len) bytes of scratch and ERG_HP_OUT_SIZE bytes of
 * out; nothing is shared between work-items, so the result cannot depend on the group size.
 */
__kernel void erg_hpfold(__global const uint *params, __global const uint *derived, __global const uchar *input,
                         uint input_len, __global const uint *seeds, __global uchar *out, __global uchar *scratch,
                         uint n_units)
{
    size_t gid = get_global_id(0);
    uint steps = params[0], stages = params[2];
    uint kstages = params[1] * stages, k, t = 0, n = input_len, i;
    uint seedw[8], thr[ERG_HP_DMAX];
    uint accepted = 0, valid = 0, best_step = 0;
    int contacts = 0, best = 0;
    __global uchar *o;
    erg_hp_chain c;
    erg_rng rng;

    if (gid >= (size_t)n_units) return;
    o = out + gid * (size_t)ERG_HP_OUT_SIZE;
    for (i = 0; i < 8u; i++) seedw[i] = seeds[gid * 8u + i];
    erg_rng_init(&rng, seedw, 0u);
    erg_hp_chain_init(&c, scratch + gid * (size_t)erg_hp_scratch_bytes(n), input, n);
    contacts = best = erg_hp_melt(&c, &rng);
    erg_hp_save_best(&c);

    for (k = 0; k < kstages; k++) {
        uint end = (uint)((ulong)(k + 1u) * (ulong)steps / (ulong)kstages);
        erg_hp_thresholds(derived[k % stages], thr);
        for (; t < end; t++) {
            int gained;
            if (!erg_hp_propose_random(&c, &rng)) continue;
            valid++;
            gained = erg_hp_apply(&c);
            if (gained < 0 && ((uint)(-gained) >= ERG_HP_DMAX || erg_rng_u32(&rng) >= thr[-gained])) {
                erg_hp_revert(&c);
                continue;
            }
            erg_hp_commit(&c);
            accepted++;
            contacts += gained;
            if (contacts > best) {
                best = contacts;
                best_step = t + 1u;
                erg_hp_save_best(&c);
            }
        }
    }

    erg_hp_store32(o + 0, n);
    erg_hp_store32(o + 4, (uint)(-best));
    erg_hp_store32(o + 8, best_step);
    erg_hp_store32(o + 12, (uint)(-contacts));
    erg_hp_store32(o + 16, accepted);
    erg_hp_store32(o + 20, valid);
    erg_hp_write_conformation(&c, o + ERG_HP_OUT_HEADER);
}
