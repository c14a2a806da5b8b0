/* ergon-kernel: list the scientific kernels and OpenCL devices, run units, benchmark backends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "kernels/engine.h"
#include "kernels/kernel.h"
#include "kernels/opencl.h"
#include "kernels/registry.h"
#include "src/crypto/sha256.h"
#include "src/util/buffer.h"
#include "src/util/error.h"
#include "src/util/hex.h"
#include "src/util/log.h"

#define PROG "ergon-kernel"
#define MAX_UNITS 1000000
#define MAX_INPUT_FILE (64u << 20)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " list\n"
            "       " PROG " run --kernel NAME --seed HEX64 [--params JSON] [--small] [--input FILE]\n"
            "                    [--backend ref|opencl|auto] [--units N] [--json]\n"
            "       " PROG " bench [--kernel NAME [--input FILE]] [--units N] [--ref-units N] [--local N] [--small]\n"
            "\n"
            "run: --params is a JSON object of parameter names to integers, applied over the\n"
            "defaults (or the small CI values with --small). With --units N > 1, unit 0 uses\n"
            "the seed itself and unit i the tagged hash H(\"Ergon/kernel-tool-seed\", seed || i).\n"
            "bench: natural operations per second of the C reference on one thread and of each\n"
            "OpenCL device on a batch of --units units (default: 2 per compute unit), with\n"
            "work-group size --local (default: the runtime's choice).\n"
            "Devices are chosen with ERG_OPENCL_DEVICES (indices from `list`, gpu/cpu, a name\n"
            "filter, or none).\n");
}

static int fail(const erg_err *err)
{
    fprintf(stderr, PROG ": error: %s\n", err->reason);
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sample inputs for kernels that require one, used by `list` (CU) and `bench`. hpfold: the
 * Unger-Moult 64-mer benchmark (minimum energy -42), the sequence its calibration used. */
static const struct {
    const char *kernel, *input;
} g_samples[] = {
    {"hpfold", "HHHHHHHHHHHHPHPHPPHHPPHHPPHPPHHPPHHPPHPPHHPPHHPPHPHPHHHHHHHHHHHH"},
};

static const char *sample_input(const erg_kernel *k)
{
    size_t i;
    for (i = 0; i < sizeof g_samples / sizeof g_samples[0]; i++)
        if (strcmp(g_samples[i].kernel, k->name) == 0) return g_samples[i].input;
    return NULL;
}

/* Options shared by the subcommands; unset strings are NULL. */
typedef struct cli_opts {
    const char *kernel, *seed, *params, *input, *backend;
    size_t units, ref_units, local;
    int json, small;
} cli_opts;

static erg_code parse_count(const char *name, const char *s, size_t *out, erg_err *err)
{
    char *end;
    unsigned long long v;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') return erg_err_set(err, ERG_ERR_PARSE, "%s: '%s' is not a positive integer", name, s);
    v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > MAX_UNITS)
        return erg_err_set(err, ERG_ERR_RANGE, "%s: '%s' is not an integer in [1, %d]", name, s, MAX_UNITS);
    *out = (size_t)v;
    return ERG_OK;
}

static erg_code parse_opts(int argc, char **argv, cli_opts *o, erg_err *err)
{
    int i;
    erg_code rc;
    memset(o, 0, sizeof *o);
    for (i = 0; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        char name[32];
        const char *eq;
        if (strncmp(a, "--", 2) != 0) return erg_err_set(err, ERG_ERR_ARG, "unexpected argument '%s'", a);
        eq = strchr(a, '=');
        if (eq) {
            if ((size_t)(eq - a) >= sizeof name) return erg_err_set(err, ERG_ERR_ARG, "unknown option '%s'", a);
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (strcmp(name, "--json") == 0 || strcmp(name, "--small") == 0) {
            if (val) return erg_err_set(err, ERG_ERR_ARG, "%s takes no value", name);
            if (strcmp(name, "--json") == 0) o->json = 1;
            else o->small = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) return erg_err_set(err, ERG_ERR_ARG, "%s needs a value", name);
            val = argv[++i];
        }
        if (strcmp(name, "--kernel") == 0) o->kernel = val;
        else if (strcmp(name, "--seed") == 0) o->seed = val;
        else if (strcmp(name, "--params") == 0) o->params = val;
        else if (strcmp(name, "--input") == 0) o->input = val;
        else if (strcmp(name, "--backend") == 0) o->backend = val;
        else if (strcmp(name, "--units") == 0) {
            if ((rc = parse_count("--units", val, &o->units, err))) return rc;
        } else if (strcmp(name, "--local") == 0) {
            if ((rc = parse_count("--local", val, &o->local, err))) return rc;
        } else if (strcmp(name, "--ref-units") == 0) {
            if ((rc = parse_count("--ref-units", val, &o->ref_units, err))) return rc;
        } else
            return erg_err_set(err, ERG_ERR_ARG, "unknown option '%s'", name);
    }
    return ERG_OK;
}

static erg_code find_kernel(const char *name, const erg_kernel **k, erg_err *err)
{
    size_t n, i;
    const erg_kernel *const *all = erg_kernel_list(&n);
    char names[160] = "";
    *k = erg_kernel_find(name);
    if (*k) return ERG_OK;
    for (i = 0; i < n; i++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", all[i]->name);
    }
    return erg_err_set(err, ERG_ERR_NOTFOUND, "no kernel named '%s' (known: %s)", name, names);
}

/* Defaults (or small values), then the JSON object's fields by name. */
static erg_code parse_params(const erg_kernel *k, const char *text, int small, erg_kparams *p, erg_err *err)
{
    json_error_t jerr;
    json_t *obj;
    const char *key;
    json_t *val;
    erg_code rc = ERG_OK;
    erg_kparams_default(k, p, small);
    if (!text) return ERG_OK;
    obj = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        return erg_err_set(err, ERG_ERR_PARSE, "--params: bad JSON at line %d column %d: %s", jerr.line, jerr.column,
                           jerr.text);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return erg_err_set(err, ERG_ERR_PARSE, "--params: expected a JSON object such as {\"%s\": %u}",
                           k->nfields ? k->fields[0].name : "name", k->nfields ? k->fields[0].def : 0);
    }
    json_object_foreach(obj, key, val) {
        char num[32];
        if (!json_is_integer(val) || json_integer_value(val) < 0) {
            rc = erg_err_set(err, ERG_ERR_PARSE, "--params: %s.%s must be a non-negative integer", k->name, key);
            break;
        }
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
        if ((rc = erg_kparams_set(k, p, key, num, err))) break;
    }
    json_decref(obj);
    return rc;
}

static erg_code read_file(const char *path, uint8_t **out, size_t *len, erg_err *err)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    *out = NULL;
    *len = 0;
    if (!f) return erg_err_set(err, ERG_ERR_IO, "--input: cannot open %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (n == cap) {
            uint8_t *grown;
            if (cap >= MAX_INPUT_FILE) {
                fclose(f);
                free(buf);
                return erg_err_set(err, ERG_ERR_RANGE, "--input: %s is larger than %u bytes", path, MAX_INPUT_FILE);
            }
            cap = cap ? cap * 2 : 65536;
            grown = realloc(buf, cap + 1);
            if (!grown) {
                fclose(f);
                free(buf);
                return erg_err_set(err, ERG_ERR_NOMEM, "--input: out of memory");
            }
            buf = grown;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return erg_err_set(err, ERG_ERR_IO, "--input: error reading %s", path);
    }
    fclose(f);
    *out = buf;
    *len = n;
    return ERG_OK;
}

/* Unit i's seed: the given seed for i = 0, else H_tag("Ergon/kernel-tool-seed", seed || u64le(i)). */
static void unit_seed(const uint8_t seed[32], size_t i, uint8_t out[32])
{
    uint8_t msg[40];
    if (i == 0) {
        memcpy(out, seed, 32);
        return;
    }
    memcpy(msg, seed, 32);
    erg_store_u64(msg + 32, (uint64_t)i);
    erg_tagged_hash("Ergon/kernel-tool-seed", msg, sizeof msg, out);
}

static json_t *params_json(const erg_kernel *k, const erg_kparams *p)
{
    json_t *o = json_object();
    size_t i;
    for (i = 0; i < k->nfields; i++) json_object_set_new(o, k->fields[i].name, json_integer(p->v[i]));
    return o;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    if (s) {
        printf("%s\n", s);
        free(s);
    }
}

/* ---- list -------------------------------------------------------------------------------- */

static int cmd_list(int argc, char **argv)
{
    size_t nk, i, f, nd = 0;
    const erg_kernel *const *ks = erg_kernel_list(&nk);
    erg_cl_devinfo *devs = NULL;
    erg_err err;
    (void)argv;
    if (argc > 0) {
        fprintf(stderr, PROG ": error: list takes no arguments\n");
        return 2;
    }
    printf("Kernels:\n");
    for (i = 0; i < nk; i++) {
        const erg_kernel *k = ks[i];
        erg_kparams p;
        uint64_t cu = 0;
        const char *sample = sample_input(k);
        size_t in_len = sample ? strlen(sample) : 0;
        erg_kparams_default(k, &p, 0);
        printf("  %-10s [%s] %s\n", k->name, k->field, k->summary);
        printf("    ops: %s; input: %s", k->ops_unit,
               k->input == ERG_KINPUT_NONE ? "none" : k->input == ERG_KINPUT_OPTIONAL ? "optional" : "required");
        if (k->input != ERG_KINPUT_NONE) printf(" (at most %zu bytes)", k->input_max);
        printf("; fp64: %s\n", erg_cl_kernel_needs_fp64(k) ? "yes" : "no");
        for (f = 0; f < k->nfields; f++) {
            const erg_kparam_field *fl = &k->fields[f];
            printf("    %-12s [%u, %u] default %u, small %u  %s\n", fl->name, (unsigned)fl->min, (unsigned)fl->max,
                   (unsigned)fl->def, (unsigned)fl->small, fl->doc);
        }
        if (erg_kernel_cu(k, &p, in_len, &cu, &err) == ERG_OK)
            printf("    defaults: %llu %s, %llu CU per unit%s%s%s\n", (unsigned long long)k->ops(&p, in_len), k->ops_unit,
                   (unsigned long long)cu, k->input == ERG_KINPUT_NONE ? "" : " (input ",
                   k->input == ERG_KINPUT_NONE ? "" : sample ? sample : "empty", k->input == ERG_KINPUT_NONE ? "" : ")");
        else
            printf("    defaults: CU error: %s\n", err.reason);
    }
    printf("OpenCL devices (ERG_OPENCL_DEVICES selects by index, gpu/cpu or name):\n");
    if (erg_cl_probe(&devs, &nd, &err) != ERG_OK) {
        printf("  probe failed: %s\n", err.reason);
        return 0;
    }
    if (nd == 0) printf("  none found (the C reference will be used)\n");
    for (i = 0; i < nd; i++) {
        const erg_cl_devinfo *d = &devs[i];
        printf("  %zu: %s [%s] %s, %s, %u CU, %.1f GiB, fp64 %s\n", i, d->name, d->platform, d->type, d->version,
               (unsigned)d->compute_units, (double)d->global_mem / (1024.0 * 1024.0 * 1024.0), d->fp64 ? "yes" : "no");
        if (!d->usable) {
            printf("     refused: %s\n", d->refusal);
            continue;
        }
        printf("     usable");
        for (f = 0; f < nk; f++)
            if (erg_cl_kernel_needs_fp64(ks[f]) && !d->fp64) printf("; refuses %s (needs cl_khr_fp64)", ks[f]->name);
        printf("\n");
    }
    free(devs);
    return 0;
}

/* ---- run --------------------------------------------------------------------------------- */

static int cmd_run(int argc, char **argv)
{
    cli_opts o;
    const erg_kernel *k;
    erg_kparams p;
    erg_backend backend = ERG_BACKEND_AUTO;
    erg_engine_opts eo;
    erg_engine *eng = NULL;
    uint8_t seed[32], (*seeds)[32] = NULL, *out = NULL, *input = NULL;
    size_t input_len = 0, osz, i, units;
    uint64_t cu = 0;
    double t0, wall, build;
    erg_err err;
    json_t *doc = NULL, *jun = NULL;
    int rcode = 1;

    erg_err_clear(&err);
    if (parse_opts(argc, argv, &o, &err)) goto usage_err;
    if (!o.kernel || !o.seed) {
        erg_err_set(&err, ERG_ERR_ARG, "run needs --kernel NAME and --seed HEX64");
        goto usage_err;
    }
    if (o.ref_units || o.local) {
        erg_err_set(&err, ERG_ERR_ARG, "--ref-units and --local are bench options");
        goto usage_err;
    }
    if (find_kernel(o.kernel, &k, &err)) return fail(&err);
    if (strlen(o.seed) != 64 || erg_hex_decode(o.seed, seed, 32, &err) != ERG_OK) {
        erg_err_set(&err, ERG_ERR_PARSE, "--seed: expected 64 hex digits (32 bytes), got '%s'", o.seed);
        return fail(&err);
    }
    if (parse_params(k, o.params, o.small, &p, &err)) return fail(&err);
    if (o.backend && erg_backend_parse(o.backend, &backend, &err)) return fail(&err);
    if (o.input && read_file(o.input, &input, &input_len, &err)) return fail(&err);
    if (erg_kparams_validate(k, &p, input, input_len, &err) || erg_kernel_cu(k, &p, input_len, &cu, &err)) goto done;
    units = o.units ? o.units : 1;
    osz = k->output_size(&p);
    if (osz && units > SIZE_MAX / osz) {
        erg_err_set(&err, ERG_ERR_RANGE, "--units: %zu units of %zu bytes is too much output", units, osz);
        goto done;
    }
    seeds = malloc(units * sizeof *seeds);
    out = malloc(units * osz + 1);
    if (!seeds || !out) {
        erg_err_set(&err, ERG_ERR_NOMEM, "out of memory for %zu units", units);
        goto done;
    }
    for (i = 0; i < units; i++) unit_seed(seed, i, seeds[i]);
    memset(&eo, 0, sizeof eo);
    eo.backend = backend;
    if (erg_engine_create(&eng, &eo, &err)) goto done;
    /* Build programs first so wall time is the units' time; the build is reported apart. */
    t0 = now_s();
    for (i = 0; i < erg_cl_device_count(erg_engine_cl(eng)); i++)
        if (erg_cl_kernel_supported(erg_engine_cl(eng), i, k, NULL) == ERG_OK &&
            erg_cl_prepare(erg_engine_cl(eng), i, k, &err))
            goto done;
    build = now_s() - t0;
    t0 = now_s();
    if (erg_engine_run(eng, k, &p, input, input_len, (const uint8_t(*)[32])seeds, units, out, &err)) goto done;
    wall = now_s() - t0;

    doc = json_object();
    jun = json_array();
    json_object_set_new(doc, "kernel", json_string(k->name));
    json_object_set_new(doc, "params", params_json(k, &p));
    json_object_set_new(doc, "backend", json_string(erg_backend_name(erg_engine_backend(eng))));
    if (erg_engine_cl(eng)) {
        json_t *ds = json_array();
        for (i = 0; i < erg_cl_device_count(erg_engine_cl(eng)); i++)
            json_array_append_new(ds, json_string(erg_cl_device_name(erg_engine_cl(eng), i)));
        json_object_set_new(doc, "devices", ds);
    } else {
        json_object_set_new(doc, "threads", json_integer(erg_engine_ref_threads(eng)));
    }
    json_object_set_new(doc, "cu_per_unit", json_integer((json_int_t)cu));
    json_object_set_new(doc, "cu_total", json_integer((json_int_t)(cu * units)));
    json_object_set_new(doc, "wall_s", json_real(wall));
    if (erg_engine_cl(eng)) json_object_set_new(doc, "build_s", json_real(build));
    for (i = 0; i < units; i++) {
        uint8_t h[32];
        char hex[65];
        erg_buf js;
        json_error_t jerr;
        json_t *u, *summary;
        erg_buf_init(&js);
        if (erg_kernel_output_hash(k, &p, out + i * osz, osz, h, &err) ||
            k->describe(&p, out + i * osz, osz, &js, &err) || erg_hex_encode(h, 32, hex, sizeof hex, &err)) {
            erg_buf_free(&js);
            goto done;
        }
        summary = json_loadb((const char *)js.data, js.len, 0, &jerr);
        erg_buf_free(&js);
        if (!summary) {
            erg_err_set(&err, ERG_ERR_INTERNAL, "%s: describe wrote invalid JSON: %s", k->name, jerr.text);
            goto done;
        }
        u = json_object();
        {
            char shex[65];
            if (erg_hex_encode(seeds[i], 32, shex, sizeof shex, &err)) {
                json_decref(u);
                json_decref(summary);
                goto done;
            }
            json_object_set_new(u, "seed", json_string(shex));
        }
        json_object_set_new(u, "output_hash", json_string(hex));
        json_object_set_new(u, "summary", summary);
        json_array_append_new(jun, u);
    }
    json_object_set_new(doc, "units", jun);
    jun = NULL;
    if (o.json) {
        print_json(doc);
    } else {
        char *ps = json_dumps(json_object_get(doc, "params"), JSON_COMPACT);
        printf("kernel       %s\nparams       %s\nbackend      %s", k->name, ps ? ps : "?",
               erg_backend_name(erg_engine_backend(eng)));
        free(ps);
        if (erg_engine_cl(eng)) {
            printf(" (");
            for (i = 0; i < erg_cl_device_count(erg_engine_cl(eng)); i++)
                printf("%s%s", i ? ", " : "", erg_cl_device_name(erg_engine_cl(eng), i));
            printf(")");
        } else {
            printf(" (%u threads)", erg_engine_ref_threads(eng));
        }
        printf("\ncu           %llu per unit, %llu total\nwall         %.3f s", (unsigned long long)cu,
               (unsigned long long)(cu * units), wall);
        if (erg_engine_cl(eng)) printf(" (program build %.3f s before)", build);
        printf("\n");
        for (i = 0; i < units; i++) {
            json_t *u = json_array_get(json_object_get(doc, "units"), i);
            char *sum = json_dumps(json_object_get(u, "summary"), JSON_COMPACT | JSON_REAL_PRECISION(10));
            if (units > 1) printf("unit %zu seed %s\n", i, json_string_value(json_object_get(u, "seed")));
            printf("output       %s\noutput_hash  %s\n", sum ? sum : "?",
                   json_string_value(json_object_get(u, "output_hash")));
            free(sum);
        }
    }
    rcode = 0;
done:
    if (rcode) fail(&err);
    json_decref(jun);
    json_decref(doc);
    erg_engine_destroy(eng);
    free(seeds);
    free(out);
    free(input);
    return rcode;
usage_err:
    fprintf(stderr, PROG ": error: %s\n", err.reason);
    usage(stderr);
    return 2;
}

/* ---- bench ------------------------------------------------------------------------------- */

static void bench_seeds(uint8_t (*seeds)[32], size_t n, const char *kname)
{
    uint8_t base[32];
    size_t i;
    erg_tagged_hash("Ergon/kernel-tool-bench", kname, strlen(kname), base);
    for (i = 0; i < n; i++) unit_seed(base, i, seeds[i]);
}

/* Wall and whole-process CPU seconds of one measured run (CPU time includes the OpenCL
 * runtime's worker threads, so on a CPU device it gives throughput per busy core even when
 * the machine is shared). */
typedef struct bench_time {
    double wall, cpu;
} bench_time;

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Time `units` units of k on one device (after an untimed warm-up of the same batch shape
 * with small params, so program build and PoCL's per-size compilation are excluded). */
static erg_code bench_device(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                             size_t input_len, size_t units, size_t local, bench_time *t, erg_err *err)
{
    uint8_t (*seeds)[32] = malloc(units * sizeof *seeds);
    erg_kparams warm;
    uint8_t *out;
    size_t osz = k->output_size(p), wsz;
    double w0, c0;
    erg_code rc;
    erg_kparams_default(k, &warm, 1);
    wsz = k->output_size(&warm);
    out = malloc(units * (osz > wsz ? osz : wsz) + 1);
    if (!seeds || !out) {
        free(seeds);
        free(out);
        return erg_err_set(err, ERG_ERR_NOMEM, "bench: out of memory");
    }
    bench_seeds(seeds, units, k->name);
    rc = erg_cl_run_units(cl, dev, k, &warm, input, input_len, (const uint8_t(*)[32])seeds, units, local, out, err);
    if (rc == ERG_OK) {
        w0 = now_s();
        c0 = cpu_s();
        rc = erg_cl_run_units(cl, dev, k, p, input, input_len, (const uint8_t(*)[32])seeds, units, local, out, err);
        t->cpu = cpu_s() - c0;
        t->wall = now_s() - w0;
    }
    free(seeds);
    free(out);
    return rc;
}

static erg_code bench_ref(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len, size_t units,
                          bench_time *t, erg_err *err)
{
    uint8_t (*seeds)[32] = malloc(units * sizeof *seeds);
    uint8_t *out = malloc(units * k->output_size(p) + 1);
    double w0, c0;
    erg_code rc;
    if (!seeds || !out) {
        free(seeds);
        free(out);
        return erg_err_set(err, ERG_ERR_NOMEM, "bench: out of memory");
    }
    bench_seeds(seeds, units, k->name);
    w0 = now_s();
    c0 = cpu_s();
    rc = erg_engine_run_ref(k, p, input, input_len, (const uint8_t(*)[32])seeds, units, 1, out, err);
    t->cpu = cpu_s() - c0;
    t->wall = now_s() - w0;
    free(seeds);
    free(out);
    return rc;
}

static int cmd_bench(int argc, char **argv)
{
    cli_opts o;
    size_t nk, i, d, ndev = 0;
    const erg_kernel *const *ks;
    const erg_kernel *one = NULL;
    erg_cl *cl = NULL;
    uint8_t *file_input = NULL;
    size_t file_len = 0;
    erg_err err;
    int status = 0;

    erg_err_clear(&err);
    if (parse_opts(argc, argv, &o, &err)) {
        fprintf(stderr, PROG ": error: %s\n", err.reason);
        usage(stderr);
        return 2;
    }
    if (o.seed || o.params || o.backend || o.json || (o.input && !o.kernel)) {
        fprintf(stderr, PROG ": error: bench takes only --kernel, --input (with --kernel), --units, --ref-units, --local and --small\n");
        return 2;
    }
    if (o.kernel && find_kernel(o.kernel, &one, &err)) return fail(&err);
    if (o.input && read_file(o.input, &file_input, &file_len, &err)) return fail(&err);
    ks = one ? &one : erg_kernel_list(&nk);
    if (one) nk = 1;
    if (erg_cl_create(&cl, &err) == ERG_OK) ndev = erg_cl_device_count(cl);
    else printf("no OpenCL device: %s\n", err.reason);
    printf("%s params. ops/s: natural operations per wall second; ops/cpu-s: per second of process CPU\n"
           "time (one busy core). Reference: 1 thread. Devices: one batch, build and warm-up excluded;\n"
           "'x ref' is device/ref on wall time, 'x ref/core' device/ref on CPU time (CPU devices only).\n",
           o.small ? "Small" : "Default");
    for (i = 0; i < nk; i++) {
        const erg_kernel *k = ks[i];
        erg_kparams p;
        size_t ref_units = o.ref_units ? o.ref_units : (o.small ? 64 : 1);
        bench_time rt = {0, 0};
        double ref_rate, ref_cpu_rate;
        uint64_t ops;
        const uint8_t *input = NULL;
        size_t input_len = 0;
        erg_kparams_default(k, &p, o.small);
        if (file_input && one) {
            input = file_input;
            input_len = file_len;
        } else if (k->input == ERG_KINPUT_REQUIRED) {
            const char *sample = sample_input(k);
            if (!sample) {
                printf("%s: skipped, needs an input (--kernel %s --input FILE)\n", k->name, k->name);
                continue;
            }
            input = (const uint8_t *)sample;
            input_len = strlen(sample);
        }
        ops = k->ops(&p, input_len);
        printf("%s (%llu %s per unit)\n", k->name, (unsigned long long)ops, k->ops_unit);
        if (bench_ref(k, &p, input, input_len, ref_units, &rt, &err)) {
            printf("  ref failed: %s\n", err.reason);
            status = 1;
            continue;
        }
        ref_rate = (double)ops * (double)ref_units / rt.wall;
        ref_cpu_rate = (double)ops * (double)ref_units / rt.cpu;
        printf("  %-36s %6zu units %8.3f s %11.4g ops/s %11.4g ops/cpu-s\n", "C reference, 1 thread", ref_units, rt.wall,
               ref_rate, ref_cpu_rate);
        for (d = 0; d < ndev; d++) {
            const erg_cl_devinfo *info = erg_cl_device_info(cl, d);
            size_t units = o.units ? o.units : (size_t)info->compute_units * (o.small ? 64 : 2);
            bench_time dt = {0, 0};
            double rate, cpu_rate;
            char label[64];
            snprintf(label, sizeof label, "%zu: %.33s", d, info->name);
            if (erg_cl_kernel_supported(cl, d, k, &err) != ERG_OK) {
                printf("  %-36s refused: %s\n", label, err.reason);
                continue;
            }
            if (bench_device(cl, d, k, &p, input, input_len, units, o.local, &dt, &err)) {
                printf("  %-36s failed: %s\n", label, err.reason);
                status = 1;
                continue;
            }
            rate = (double)ops * (double)units / dt.wall;
            cpu_rate = (double)ops * (double)units / dt.cpu;
            printf("  %-36s %6zu units %8.3f s %11.4g ops/s %11.4g ops/cpu-s  %.2f x ref", label, units, dt.wall, rate,
                   cpu_rate, rate / ref_rate);
            if (strcmp(info->type, "cpu") == 0) printf("  %.2f x ref/core", cpu_rate / ref_cpu_rate);
            printf("\n");
        }
        fflush(stdout);
    }
    erg_cl_destroy(cl);
    free(file_input);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) return cmd_list(argc - 2, argv + 2);
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(argv[1], "bench") == 0) return cmd_bench(argc - 2, argv + 2);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, PROG ": error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
