/* OpenCL host runtime: device discovery and refusal, program build and cache, batched unit launches. */
#include "kernels/opencl.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CL/cl.h>

#include "src/util/buffer.h"
#include "src/util/log.h"

/* Embedded by kernels/embed.sh (kernels/cl_embedded.c). */
extern const char erg_cl_philox_h[];
extern const char erg_cl_detmath_h[];

#define CL_PRELUDE "#pragma OPENCL FP_CONTRACT OFF\n"
/* Never -cl-fast-relaxed-math, -cl-mad-enable or -cl-unsafe-math-optimizations: bits must match the C reference. */
#define CL_BUILD_OPTIONS "-cl-std=CL1.2 -cl-fp32-correctly-rounded-divide-sqrt"
#define ERG_CL_PLATFORM_NOT_FOUND_KHR (-1001)

/*
 * A built program for one (device, kernel). Invariant: rc == ERG_OK iff prog and kern are
 * valid; a failed build is cached too (same source, same failure) with its reason. Owned by
 * the device's list and only touched under the device's lock.
 */
typedef struct erg_cl_prog {
    const erg_kernel *k;    /* descriptor pointer plus the texts it pointed at when built */
    const char *source;
    const char *shared;
    const char *entry;
    cl_program prog;
    cl_kernel kern;
    size_t wg_max;          /* CL_KERNEL_WORK_GROUP_SIZE */
    size_t wg_multiple;     /* CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE (>= 1) */
    erg_code rc;
    char reason[ERG_REASON_MAX];
    struct erg_cl_prog *next;
} erg_cl_prog;

/* One selected, usable device with its own context and in-order queue. The lock serialises
 * every use of the queue, the program list and kernel arguments. */
typedef struct erg_cl_dev {
    cl_device_id id;
    cl_context ctx;
    cl_command_queue queue;
    erg_cl_devinfo info;
    pthread_mutex_t lock;
    erg_cl_prog *progs;
} erg_cl_dev;

/* Invariant: n >= 1 devices, each fully created; max_batch >= 1. */
struct erg_cl {
    erg_cl_dev *dev;
    size_t n;
    size_t max_batch;
};

/* A probed device with its handles (internal form of erg_cl_devinfo). */
typedef struct erg_cl_probed {
    cl_platform_id platform;
    cl_device_id id;
    cl_device_type type;
    erg_cl_devinfo info;
} erg_cl_probed;

const char *erg_cl_error_name(int32_t status)
{
    switch (status) {
#define E(x) case x: return #x
        E(CL_SUCCESS);
        E(CL_DEVICE_NOT_FOUND);
        E(CL_DEVICE_NOT_AVAILABLE);
        E(CL_COMPILER_NOT_AVAILABLE);
        E(CL_MEM_OBJECT_ALLOCATION_FAILURE);
        E(CL_OUT_OF_RESOURCES);
        E(CL_OUT_OF_HOST_MEMORY);
        E(CL_PROFILING_INFO_NOT_AVAILABLE);
        E(CL_MEM_COPY_OVERLAP);
        E(CL_IMAGE_FORMAT_MISMATCH);
        E(CL_IMAGE_FORMAT_NOT_SUPPORTED);
        E(CL_BUILD_PROGRAM_FAILURE);
        E(CL_MAP_FAILURE);
        E(CL_MISALIGNED_SUB_BUFFER_OFFSET);
        E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
        E(CL_COMPILE_PROGRAM_FAILURE);
        E(CL_LINKER_NOT_AVAILABLE);
        E(CL_LINK_PROGRAM_FAILURE);
        E(CL_DEVICE_PARTITION_FAILED);
        E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE);
        E(CL_INVALID_VALUE);
        E(CL_INVALID_DEVICE_TYPE);
        E(CL_INVALID_PLATFORM);
        E(CL_INVALID_DEVICE);
        E(CL_INVALID_CONTEXT);
        E(CL_INVALID_QUEUE_PROPERTIES);
        E(CL_INVALID_COMMAND_QUEUE);
        E(CL_INVALID_HOST_PTR);
        E(CL_INVALID_MEM_OBJECT);
        E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
        E(CL_INVALID_IMAGE_SIZE);
        E(CL_INVALID_SAMPLER);
        E(CL_INVALID_BINARY);
        E(CL_INVALID_BUILD_OPTIONS);
        E(CL_INVALID_PROGRAM);
        E(CL_INVALID_PROGRAM_EXECUTABLE);
        E(CL_INVALID_KERNEL_NAME);
        E(CL_INVALID_KERNEL_DEFINITION);
        E(CL_INVALID_KERNEL);
        E(CL_INVALID_ARG_INDEX);
        E(CL_INVALID_ARG_VALUE);
        E(CL_INVALID_ARG_SIZE);
        E(CL_INVALID_KERNEL_ARGS);
        E(CL_INVALID_WORK_DIMENSION);
        E(CL_INVALID_WORK_GROUP_SIZE);
        E(CL_INVALID_WORK_ITEM_SIZE);
        E(CL_INVALID_GLOBAL_OFFSET);
        E(CL_INVALID_EVENT_WAIT_LIST);
        E(CL_INVALID_EVENT);
        E(CL_INVALID_OPERATION);
        E(CL_INVALID_GL_OBJECT);
        E(CL_INVALID_BUFFER_SIZE);
        E(CL_INVALID_MIP_LEVEL);
        E(CL_INVALID_GLOBAL_WORK_SIZE);
        E(CL_INVALID_PROPERTY);
        E(CL_INVALID_IMAGE_DESCRIPTOR);
        E(CL_INVALID_COMPILER_OPTIONS);
        E(CL_INVALID_LINKER_OPTIONS);
        E(CL_INVALID_DEVICE_PARTITION_COUNT);
#undef E
    case ERG_CL_PLATFORM_NOT_FOUND_KHR:
        return "CL_PLATFORM_NOT_FOUND_KHR";
    default:
        return "CL_UNKNOWN_ERROR";
    }
}

/* "call: CL_NAME (context)" */
static erg_code cl_fail(erg_err *err, const char *call, cl_int st, const char *context)
{
    if (context && context[0])
        return erg_err_set(err, ERG_ERR_OPENCL, "%s: %s (%s)", call, erg_cl_error_name(st), context);
    return erg_err_set(err, ERG_ERR_OPENCL, "%s: %s", call, erg_cl_error_name(st));
}

/* ---- probing ---------------------------------------------------------------------------- */

/* A string device/platform query into a fixed buffer (truncated, always terminated). */
static void dev_str(cl_device_id d, cl_device_info what, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    if (clGetDeviceInfo(d, what, cap - 1, out, &len) != CL_SUCCESS) {
        /* Too long for the buffer (CL_INVALID_VALUE): fetch it whole and truncate. */
        char *tmp;
        if (clGetDeviceInfo(d, what, 0, NULL, &len) != CL_SUCCESS || len == 0) return;
        tmp = malloc(len + 1);
        if (!tmp) return;
        if (clGetDeviceInfo(d, what, len, tmp, NULL) == CL_SUCCESS) {
            tmp[len] = '\0';
            snprintf(out, cap, "%s", tmp);
        }
        free(tmp);
        return;
    }
    out[len < cap ? len : cap - 1] = '\0';
}

/* The device's extension string, malloc'ed (empty string on failure, NULL only on OOM). */
static char *dev_extensions(cl_device_id d)
{
    size_t len = 0;
    char *s;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS) len = 0;
    s = malloc(len + 1);
    if (!s) return NULL;
    if (len == 0 || clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, len, s, NULL) != CL_SUCCESS) len = 0;
    s[len] = '\0';
    return s;
}

/* Whether a space-separated extension list names ext exactly. */
static int has_extension(const char *list, const char *ext)
{
    size_t n = strlen(ext);
    const char *p = list;
    while ((p = strstr(p, ext)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
        p += n;
    }
    return 0;
}

static void add_refusal(erg_cl_devinfo *info, const char *why)
{
    size_t used = strlen(info->refusal);
    snprintf(info->refusal + used, sizeof info->refusal - used, "%s%s", used ? "; " : "", why);
}

static void probe_device(cl_platform_id plat, cl_device_id d, erg_cl_probed *pd)
{
    erg_cl_devinfo *info = &pd->info;
    cl_uint cu = 0;
    cl_ulong mem = 0, alloc = 0;
    cl_bool avail = CL_FALSE, compiler = CL_FALSE, little = CL_FALSE;
    cl_device_fp_config fp = 0;
    char profile[64], *ext;
    int major = 0, minor = 0;

    memset(pd, 0, sizeof *pd);
    pd->platform = plat;
    pd->id = d;
    if (clGetPlatformInfo(plat, CL_PLATFORM_NAME, sizeof info->platform - 1, info->platform, NULL) != CL_SUCCESS)
        snprintf(info->platform, sizeof info->platform, "?");
    info->platform[sizeof info->platform - 1] = '\0';
    dev_str(d, CL_DEVICE_NAME, info->name, sizeof info->name);
    dev_str(d, CL_DEVICE_OPENCL_C_VERSION, info->version, sizeof info->version);
    dev_str(d, CL_DEVICE_PROFILE, profile, sizeof profile);
    if (clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof pd->type, &pd->type, NULL) != CL_SUCCESS) pd->type = 0;
    info->type = (pd->type & CL_DEVICE_TYPE_GPU)           ? "gpu"
                 : (pd->type & CL_DEVICE_TYPE_ACCELERATOR) ? "accelerator"
                 : (pd->type & CL_DEVICE_TYPE_CPU)         ? "cpu"
                                                           : "other";
    if (clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL) != CL_SUCCESS || cu == 0) cu = 1;
    info->compute_units = cu;
    if (clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL) != CL_SUCCESS) mem = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof alloc, &alloc, NULL) != CL_SUCCESS) alloc = 0;
    info->global_mem = mem;
    info->max_alloc = alloc;
    (void)clGetDeviceInfo(d, CL_DEVICE_AVAILABLE, sizeof avail, &avail, NULL);
    (void)clGetDeviceInfo(d, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL);
    (void)clGetDeviceInfo(d, CL_DEVICE_ENDIAN_LITTLE, sizeof little, &little, NULL);
    (void)clGetDeviceInfo(d, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp, NULL);
    ext = dev_extensions(d);
    info->fp64 = ext ? has_extension(ext, "cl_khr_fp64") : 0;

    if (!avail) add_refusal(info, "device not available");
    if (!compiler) add_refusal(info, "no OpenCL C compiler");
    if (sscanf(info->version, "OpenCL C %d.%d", &major, &minor) != 2) {
        add_refusal(info, "unreadable OpenCL C version");
    } else if (major < 1 || (major == 1 && minor < 2)) {
        char why[96];
        snprintf(why, sizeof why, "OpenCL C %d.%d < 1.2", major, minor);
        add_refusal(info, why);
        if (minor < 1 && (!ext || !has_extension(ext, "cl_khr_byte_addressable_store")))
            add_refusal(info, "no cl_khr_byte_addressable_store");
    }
    if (!(fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT))
        add_refusal(info, "no CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT in CL_DEVICE_SINGLE_FP_CONFIG");
    if (!little) add_refusal(info, "big-endian device");
    if (strstr(profile, "EMBEDDED") && (!ext || !has_extension(ext, "cles_khr_int64")))
        add_refusal(info, "embedded profile without 64-bit integers (cles_khr_int64)");
    if (mem == 0 || alloc == 0) add_refusal(info, "reports no global memory");
    info->usable = info->refusal[0] == '\0';
    free(ext);
}

static int type_rank(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return 0;
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return 1;
    if (t & CL_DEVICE_TYPE_CPU) return 2;
    return 3;
}

/* Every device on every platform, GPUs first (stable within a type). */
static erg_code probe_all(erg_cl_probed **out, size_t *n_out, erg_err *err)
{
    cl_uint np = 0, i;
    cl_platform_id *plats = NULL;
    erg_cl_probed *all = NULL, *sorted = NULL;
    size_t n = 0, cap = 0, j;
    int rank;
    cl_int st;

    *out = NULL;
    *n_out = 0;
    st = clGetPlatformIDs(0, NULL, &np);
    if (st == ERG_CL_PLATFORM_NOT_FOUND_KHR || (st == CL_SUCCESS && np == 0)) return ERG_OK;
    if (st != CL_SUCCESS) return cl_fail(err, "clGetPlatformIDs", st, NULL);
    plats = calloc(np, sizeof *plats);
    if (!plats) return erg_err_set(err, ERG_ERR_NOMEM, "opencl: out of memory listing platforms");
    if ((st = clGetPlatformIDs(np, plats, NULL)) != CL_SUCCESS) {
        free(plats);
        return cl_fail(err, "clGetPlatformIDs", st, NULL);
    }
    for (i = 0; i < np; i++) {
        cl_uint nd = 0, k;
        cl_device_id *ids;
        st = clGetDeviceIDs(plats[i], CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
        if (st == CL_DEVICE_NOT_FOUND || (st == CL_SUCCESS && nd == 0)) continue;
        if (st != CL_SUCCESS) {
            erg_log_warn("opencl", "clGetDeviceIDs: %s on platform %u; skipping it", erg_cl_error_name(st), i);
            continue;
        }
        ids = calloc(nd, sizeof *ids);
        if (!ids) goto nomem;
        if ((st = clGetDeviceIDs(plats[i], CL_DEVICE_TYPE_ALL, nd, ids, NULL)) != CL_SUCCESS) {
            free(ids);
            erg_log_warn("opencl", "clGetDeviceIDs: %s on platform %u; skipping it", erg_cl_error_name(st), i);
            continue;
        }
        if (n + nd > cap) {
            size_t ncap = (n + nd) * 2;
            erg_cl_probed *grown = realloc(all, ncap * sizeof *all);
            if (!grown) {
                free(ids);
                goto nomem;
            }
            all = grown;
            cap = ncap;
        }
        for (k = 0; k < nd; k++) probe_device(plats[i], ids[k], &all[n++]);
        free(ids);
    }
    free(plats);
    plats = NULL;
    if (n == 0) {
        free(all);
        return ERG_OK;
    }
    sorted = calloc(n, sizeof *sorted);
    if (!sorted) goto nomem;
    *n_out = 0;
    for (rank = 0; rank <= 3; rank++)
        for (j = 0; j < n; j++)
            if (type_rank(all[j].type) == rank) {
                sorted[*n_out] = all[j];
                sorted[*n_out].info.index = *n_out;
                (*n_out)++;
            }
    free(all);
    *out = sorted;
    return ERG_OK;
nomem:
    free(plats);
    free(all);
    *n_out = 0;
    return erg_err_set(err, ERG_ERR_NOMEM, "opencl: out of memory listing devices");
}

erg_code erg_cl_probe(erg_cl_devinfo **out, size_t *n, erg_err *err)
{
    erg_cl_probed *all;
    size_t i, cnt;
    erg_code rc;
    *out = NULL;
    *n = 0;
    if ((rc = probe_all(&all, &cnt, err))) return rc;
    if (cnt == 0) return ERG_OK;
    *out = calloc(cnt, sizeof **out);
    if (!*out) {
        free(all);
        return erg_err_set(err, ERG_ERR_NOMEM, "opencl: out of memory listing devices");
    }
    for (i = 0; i < cnt; i++) (*out)[i] = all[i].info;
    *n = cnt;
    free(all);
    return ERG_OK;
}

/* ---- selection and creation -------------------------------------------------------------- */

static int contains_nocase(const char *hay, const char *needle)
{
    size_t i, j, n = strlen(needle);
    if (n == 0) return 0;
    for (i = 0; hay[i]; i++) {
        for (j = 0; j < n && hay[i + j]; j++)
            if (tolower((unsigned char)hay[i + j]) != tolower((unsigned char)needle[j])) break;
        if (j == n) return 1;
    }
    return 0;
}

/* Mark picked[i] for every probed device the selection names. */
static erg_code parse_selection(const char *select, const erg_cl_probed *all, size_t n, int *picked, erg_err *err)
{
    const char *p = select;
    size_t i;
    int any_token = 0;
    while (*p) {
        char tok[128];
        size_t len = strcspn(p, ",");
        size_t a = 0, b = len;
        while (a < b && isspace((unsigned char)p[a])) a++;
        while (b > a && isspace((unsigned char)p[b - 1])) b--;
        if (b - a >= sizeof tok)
            return erg_err_set(err, ERG_ERR_ARG, "%s: selection token too long", ERG_OPENCL_DEVICES_ENV);
        memcpy(tok, p + a, b - a);
        tok[b - a] = '\0';
        p += len;
        if (*p == ',') p++;
        if (tok[0] == '\0') continue;
        any_token = 1;
        if (strspn(tok, "0123456789") == strlen(tok)) {
            unsigned long idx = strtoul(tok, NULL, 10);
            if (strlen(tok) > 6 || idx >= n)
                return erg_err_set(err, ERG_ERR_NOTFOUND, "%s: no OpenCL device %s (%zu found)",
                                   ERG_OPENCL_DEVICES_ENV, tok, n);
            picked[idx] = 1;
        } else if (strcmp(tok, "none") == 0) {
            /* explicitly nothing */
        } else if (strcmp(tok, "gpu") == 0 || strcmp(tok, "cpu") == 0 || strcmp(tok, "accelerator") == 0) {
            for (i = 0; i < n; i++)
                if (strcmp(all[i].info.type, tok) == 0) picked[i] = 1;
        } else {
            for (i = 0; i < n; i++)
                if (contains_nocase(all[i].info.name, tok) || contains_nocase(all[i].info.platform, tok))
                    picked[i] = 1;
        }
    }
    if (!any_token)
        for (i = 0; i < n; i++) picked[i] = 1;
    return ERG_OK;
}

static erg_code dev_open(erg_cl_dev *d, const erg_cl_probed *pd, erg_err *err)
{
    cl_context_properties props[3];
    cl_int st;
    memset(d, 0, sizeof *d);
    d->id = pd->id;
    d->info = pd->info;
    props[0] = CL_CONTEXT_PLATFORM;
    props[1] = (cl_context_properties)pd->platform;
    props[2] = 0;
    d->ctx = clCreateContext(props, 1, &d->id, NULL, NULL, &st);
    if (!d->ctx) return cl_fail(err, "clCreateContext", st, d->info.name);
    d->queue = clCreateCommandQueue(d->ctx, d->id, 0, &st);
    if (!d->queue) {
        clReleaseContext(d->ctx);
        d->ctx = NULL;
        return cl_fail(err, "clCreateCommandQueue", st, d->info.name);
    }
    if (pthread_mutex_init(&d->lock, NULL) != 0) {
        clReleaseCommandQueue(d->queue);
        clReleaseContext(d->ctx);
        d->queue = NULL;
        d->ctx = NULL;
        return erg_err_set(err, ERG_ERR_INTERNAL, "opencl: pthread_mutex_init failed");
    }
    return ERG_OK;
}

static void dev_close(erg_cl_dev *d)
{
    erg_cl_prog *pr = d->progs, *next;
    for (; pr; pr = next) {
        next = pr->next;
        if (pr->kern) clReleaseKernel(pr->kern);
        if (pr->prog) clReleaseProgram(pr->prog);
        free(pr);
    }
    d->progs = NULL;
    if (d->queue) clReleaseCommandQueue(d->queue);
    if (d->ctx) clReleaseContext(d->ctx);
    pthread_mutex_destroy(&d->lock);
}

erg_code erg_cl_create_select(erg_cl **out, const char *select, erg_err *err)
{
    erg_cl_probed *all = NULL;
    size_t n = 0, i, nsel = 0;
    int *picked = NULL;
    erg_cl *cl = NULL;
    erg_code rc;
    char refused[ERG_REASON_MAX] = "";

    *out = NULL;
    if (!select) select = getenv(ERG_OPENCL_DEVICES_ENV);
    if (!select) select = "";
    if ((rc = probe_all(&all, &n, err))) return rc;
    if (n == 0) return erg_err_set(err, ERG_ERR_NOTFOUND, "opencl: no OpenCL platform or device found");
    picked = calloc(n, sizeof *picked);
    cl = calloc(1, sizeof *cl);
    if (cl) cl->dev = calloc(n, sizeof *cl->dev);
    if (!picked || !cl || !cl->dev) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "opencl: out of memory");
        goto fail;
    }
    cl->max_batch = ERG_CL_DEFAULT_MAX_BATCH;
    if ((rc = parse_selection(select, all, n, picked, err))) goto fail;
    for (i = 0; i < n; i++) {
        if (!picked[i]) continue;
        nsel++;
        if (!all[i].info.usable) {
            size_t used = strlen(refused);
            snprintf(refused + used, sizeof refused - used, "; device %zu (%s) refused: %s", i, all[i].info.name,
                     all[i].info.refusal);
            continue;
        }
        if ((rc = dev_open(&cl->dev[cl->n], &all[i], err))) goto fail;
        cl->n++;
    }
    if (cl->n == 0) {
        if (nsel == 0)
            rc = erg_err_set(err, ERG_ERR_NOTFOUND, "opencl: device selection '%s' selects none of the %zu devices",
                             select, n);
        else
            rc = erg_err_set(err, ERG_ERR_NOTFOUND, "opencl: no usable device%s", refused);
        goto fail;
    }
    free(all);
    free(picked);
    *out = cl;
    return ERG_OK;
fail:
    if (cl) {
        for (i = 0; i < cl->n; i++) dev_close(&cl->dev[i]);
        free(cl->dev);
        free(cl);
    }
    free(all);
    free(picked);
    return rc;
}

erg_code erg_cl_create(erg_cl **out, erg_err *err)
{
    return erg_cl_create_select(out, NULL, err);
}

void erg_cl_destroy(erg_cl *cl)
{
    size_t i;
    if (!cl) return;
    for (i = 0; i < cl->n; i++) dev_close(&cl->dev[i]);
    free(cl->dev);
    free(cl);
}

size_t erg_cl_device_count(const erg_cl *cl)
{
    return cl ? cl->n : 0;
}

const char *erg_cl_device_name(const erg_cl *cl, size_t dev)
{
    return cl && dev < cl->n ? cl->dev[dev].info.name : NULL;
}

const erg_cl_devinfo *erg_cl_device_info(const erg_cl *cl, size_t dev)
{
    return cl && dev < cl->n ? &cl->dev[dev].info : NULL;
}

void erg_cl_set_max_batch(erg_cl *cl, size_t max_batch)
{
    cl->max_batch = max_batch ? max_batch : 1;
}

/* ---- programs ---------------------------------------------------------------------------- */

int erg_cl_kernel_needs_fp64(const erg_kernel *k)
{
    return (k->cl_source && strstr(k->cl_source, "cl_khr_fp64")) ||
           (k->cl_shared && strstr(k->cl_shared, "cl_khr_fp64"));
}

erg_code erg_cl_kernel_supported(const erg_cl *cl, size_t dev, const erg_kernel *k, erg_err *err)
{
    if (!cl || dev >= cl->n) return erg_err_set(err, ERG_ERR_ARG, "opencl: no device %zu", dev);
    if (!k->cl_source || !k->cl_entry)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "%s: has no OpenCL source", k->name);
    if (erg_cl_kernel_needs_fp64(k) && !cl->dev[dev].info.fp64)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "%s: needs cl_khr_fp64, which %s lacks", k->name,
                           cl->dev[dev].info.name);
    return ERG_OK;
}

/* The first line of a build log that mentions an error (else its first line), squeezed. */
static void log_excerpt(const char *log, char *out, size_t cap)
{
    const char *line = log, *pick = NULL, *p;
    size_t o = 0;
    int space = 0;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (p = line; p + 5 <= line + len; p++)
            if (strncmp(p, "error", 5) == 0) break;
        if (p + 5 <= line + len) {
            pick = line;
            break;
        }
        if (!end) break;
        line = end + 1;
    }
    if (!pick) pick = log;
    for (p = pick; *p && *p != '\n' && o + 1 < cap; p++) {
        if (isspace((unsigned char)*p)) {
            if (!space && o) out[o++] = ' ';
            space = 1;
        } else {
            out[o++] = *p;
            space = 0;
        }
    }
    out[o] = '\0';
}

/* Build k on d (caller holds d->lock); fills pr->rc/reason on failure. */
static void build_program(erg_cl_dev *d, const erg_kernel *k, erg_cl_prog *pr)
{
    const char *parts[5];
    cl_uint nparts = 0;
    cl_int st;
    char ctx[160];

    snprintf(ctx, sizeof ctx, "%s on %s", k->name, d->info.name);
    parts[nparts++] = CL_PRELUDE;
    parts[nparts++] = erg_cl_philox_h;
    parts[nparts++] = erg_cl_detmath_h;
    if (k->cl_shared) parts[nparts++] = k->cl_shared;
    parts[nparts++] = k->cl_source;
    pr->prog = clCreateProgramWithSource(d->ctx, nparts, parts, NULL, &st);
    if (!pr->prog) {
        erg_err e;
        pr->rc = cl_fail(&e, "clCreateProgramWithSource", st, ctx);
        memcpy(pr->reason, e.reason, sizeof pr->reason);
        return;
    }
    st = clBuildProgram(pr->prog, 1, &d->id, CL_BUILD_OPTIONS, NULL, NULL);
    if (st != CL_SUCCESS) {
        size_t len = 0;
        char *log = NULL, excerpt[200] = "";
        if (clGetProgramBuildInfo(pr->prog, d->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) == CL_SUCCESS && len) {
            log = malloc(len + 1);
            if (log && clGetProgramBuildInfo(pr->prog, d->id, CL_PROGRAM_BUILD_LOG, len, log, NULL) == CL_SUCCESS) {
                log[len] = '\0';
                log_excerpt(log, excerpt, sizeof excerpt);
                erg_log_warn("opencl", "build of %s failed; log:\n%s", ctx, log);
            }
            free(log);
        }
        pr->rc = ERG_ERR_OPENCL;
        if (snprintf(pr->reason, sizeof pr->reason, "clBuildProgram: %s: %s: %s", erg_cl_error_name(st), ctx,
                     excerpt[0] ? excerpt : "(no build log)") >= (int)sizeof pr->reason)
            erg_log_debug("opencl", "build failure reason truncated (the full log is above)");
        clReleaseProgram(pr->prog);
        pr->prog = NULL;
        return;
    }
    pr->kern = clCreateKernel(pr->prog, k->cl_entry, &st);
    if (!pr->kern) {
        erg_err e;
        pr->rc = cl_fail(&e, "clCreateKernel", st, ctx);
        memcpy(pr->reason, e.reason, sizeof pr->reason);
        clReleaseProgram(pr->prog);
        pr->prog = NULL;
        return;
    }
    if (clGetKernelWorkGroupInfo(pr->kern, d->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof pr->wg_max, &pr->wg_max, NULL) !=
            CL_SUCCESS ||
        pr->wg_max == 0)
        pr->wg_max = 1;
    if (clGetKernelWorkGroupInfo(pr->kern, d->id, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                 sizeof pr->wg_multiple, &pr->wg_multiple, NULL) != CL_SUCCESS ||
        pr->wg_multiple == 0)
        pr->wg_multiple = 1;
    pr->rc = ERG_OK;
}

/* The cached program for k on d, building it on first use (caller holds d->lock). */
static erg_code get_program(erg_cl_dev *d, const erg_kernel *k, erg_cl_prog **out, erg_err *err)
{
    erg_cl_prog *pr;
    for (pr = d->progs; pr; pr = pr->next)
        if (pr->k == k && pr->source == k->cl_source && pr->shared == k->cl_shared && pr->entry == k->cl_entry) break;
    if (!pr) {
        pr = calloc(1, sizeof *pr);
        if (!pr) return erg_err_set(err, ERG_ERR_NOMEM, "opencl: out of memory");
        pr->k = k;
        pr->source = k->cl_source;
        pr->shared = k->cl_shared;
        pr->entry = k->cl_entry;
        build_program(d, k, pr);
        pr->next = d->progs;
        d->progs = pr;
    }
    if (pr->rc != ERG_OK) return erg_err_set(err, pr->rc, "%s", pr->reason);
    *out = pr;
    return ERG_OK;
}

erg_code erg_cl_prepare(erg_cl *cl, size_t dev, const erg_kernel *k, erg_err *err)
{
    erg_cl_prog *pr;
    erg_code rc;
    if ((rc = erg_cl_kernel_supported(cl, dev, k, err))) return rc;
    pthread_mutex_lock(&cl->dev[dev].lock);
    rc = get_program(&cl->dev[dev], k, &pr, err);
    pthread_mutex_unlock(&cl->dev[dev].lock);
    return rc;
}

/* ---- launches ---------------------------------------------------------------------------- */

/* Buffers of one erg_cl_run_units call, sized for `batch` units. */
typedef struct erg_cl_bufs {
    cl_mem params, derived, input, seeds, out, scratch;
} erg_cl_bufs;

static void bufs_release(erg_cl_bufs *b)
{
    cl_mem *all[] = {&b->params, &b->derived, &b->input, &b->seeds, &b->out, &b->scratch};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        if (*all[i]) {
            clReleaseMemObject(*all[i]);
            *all[i] = NULL;
        }
}

/* Units per launch: bounded by the caller's cap, by each buffer's allocation limit and by a
 * share of device memory. Returns 0 if not even one unit fits. */
static size_t batch_limit(const erg_cl_devinfo *info, size_t max_batch, size_t out_size, size_t scratch_size)
{
    uint64_t per_unit = (uint64_t)out_size + scratch_size + 32;
    uint64_t lim = max_batch;
    uint64_t budget = info->global_mem / 2;
    if (lim > UINT32_MAX / 2) lim = UINT32_MAX / 2;
    if (per_unit && budget / per_unit < lim) lim = budget / per_unit;
    if (out_size && info->max_alloc / out_size < lim) lim = info->max_alloc / out_size;
    if (scratch_size && info->max_alloc / scratch_size < lim) lim = info->max_alloc / scratch_size;
    if (info->max_alloc / 32 < lim) lim = info->max_alloc / 32;
    return (size_t)lim;
}

/* The runtime's local size: the kernel's preferred multiple, halved until there are at least
 * as many work-groups as compute units (so a small batch still fills a CPU). */
static size_t pick_local(const erg_cl_dev *d, const erg_cl_prog *pr, size_t units)
{
    size_t local = pr->wg_multiple;
    if (strcmp(d->info.type, "gpu") == 0 && local < 64) local = 64;
    while (local > pr->wg_max) local /= 2;
    while (local > 1 && (units + local - 1) / local < d->info.compute_units) local /= 2;
    return local ? local : 1;
}

static erg_code run_locked(erg_cl_dev *d, size_t max_batch, const erg_kernel *k, const erg_kparams *p,
                           const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input, size_t input_len,
                           const uint8_t (*seeds)[32], size_t n_units, size_t local_size, uint8_t *out,
                           erg_err *err)
{
    erg_cl_prog *pr;
    erg_cl_bufs b;
    size_t osz = k->output_size(p), ssz = k->scratch_size ? k->scratch_size(p, input_len) : 0;
    size_t batch, done, i;
    uint8_t pbytes[ERG_KPARAM_MAX * 4], dbytes[ERG_KDERIVED_MAX * 4];
    cl_uint in_len = (cl_uint)input_len;
    cl_int st;
    erg_code rc;
    char ctx[160];
    static const uint8_t zero = 0;

    memset(&b, 0, sizeof b);
    snprintf(ctx, sizeof ctx, "%s on %s", k->name, d->info.name);
    if ((rc = get_program(d, k, &pr, err))) return rc;
    if (local_size > pr->wg_max)
        return erg_err_set(err, ERG_ERR_ARG, "opencl: local size %zu exceeds the work-group limit %zu of %s", local_size,
                           pr->wg_max, ctx);
    batch = batch_limit(&d->info, max_batch, osz, ssz);
    if (batch == 0)
        return erg_err_set(err, ERG_ERR_RANGE, "opencl: one unit of %s needs %zu output + %zu scratch bytes, too many",
                           ctx, osz, ssz);
    if (batch > n_units) batch = n_units;

    for (i = 0; i < ERG_KPARAM_MAX; i++) erg_store_u32(pbytes + 4 * i, p->v[i]);
    for (i = 0; i < ERG_KDERIVED_MAX; i++) erg_store_u32(dbytes + 4 * i, derived[i]);

#define CREATE(field, flags, size, host, call)                                          \
    do {                                                                              \
        b.field = clCreateBuffer(d->ctx, (flags), (size), (void *)(host), &st);       \
        if (!b.field) {                                                               \
            rc = cl_fail(err, call, st, ctx);                                         \
            goto done;                                                                \
        }                                                                             \
    } while (0)
    CREATE(params, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof pbytes, pbytes, "clCreateBuffer(params)");
    CREATE(derived, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof dbytes, dbytes, "clCreateBuffer(derived)");
    CREATE(input, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, input_len ? input_len : 1, input_len ? input : &zero,
           "clCreateBuffer(input)");
    CREATE(seeds, CL_MEM_READ_ONLY, batch * 32, NULL, "clCreateBuffer(seeds)");
    CREATE(out, CL_MEM_WRITE_ONLY, osz ? batch * osz : 1, NULL, "clCreateBuffer(out)");
    CREATE(scratch, CL_MEM_READ_WRITE, ssz ? batch * ssz : 1, NULL, "clCreateBuffer(scratch)");
#undef CREATE

#define SETARG(idx, size, ptr)                                                           \
    do {                                                                               \
        if ((st = clSetKernelArg(pr->kern, (idx), (size), (ptr))) != CL_SUCCESS) {     \
            rc = cl_fail(err, "clSetKernelArg(" #idx ")", st, ctx);                    \
            goto done;                                                                 \
        }                                                                              \
    } while (0)
    SETARG(0, sizeof(cl_mem), &b.params);
    SETARG(1, sizeof(cl_mem), &b.derived);
    SETARG(2, sizeof(cl_mem), &b.input);
    SETARG(3, sizeof(cl_uint), &in_len);
    SETARG(4, sizeof(cl_mem), &b.seeds);
    SETARG(5, sizeof(cl_mem), &b.out);
    SETARG(6, sizeof(cl_mem), &b.scratch);

    for (done = 0; done < n_units;) {
        size_t count = n_units - done < batch ? n_units - done : batch;
        size_t local = local_size ? local_size : pick_local(d, pr, count);
        size_t global = (count + local - 1) / local * local;
        cl_uint ucount = (cl_uint)count;
        /* A seed's 32 bytes already are its eight little-endian words (kernel.h contract), and
         * every usable device is little-endian. */
        if ((st = clEnqueueWriteBuffer(d->queue, b.seeds, CL_TRUE, 0, count * 32, seeds[done], 0, NULL, NULL)) !=
            CL_SUCCESS) {
            rc = cl_fail(err, "clEnqueueWriteBuffer(seeds)", st, ctx);
            goto done;
        }
        if (ssz) {
            /* Scratch starts zeroed on every launch, so a unit can never see another's leftovers. */
            if ((st = clEnqueueFillBuffer(d->queue, b.scratch, &zero, 1, 0, count * ssz, 0, NULL, NULL)) != CL_SUCCESS) {
                rc = cl_fail(err, "clEnqueueFillBuffer(scratch)", st, ctx);
                goto done;
            }
        }
        SETARG(7, sizeof(cl_uint), &ucount);
        if ((st = clEnqueueNDRangeKernel(d->queue, pr->kern, 1, NULL, &global, &local, 0, NULL, NULL)) != CL_SUCCESS) {
            rc = cl_fail(err, "clEnqueueNDRangeKernel", st, ctx);
            goto done;
        }
        if (osz && (st = clEnqueueReadBuffer(d->queue, b.out, CL_TRUE, 0, count * osz, out + done * osz, 0, NULL,
                                             NULL)) != CL_SUCCESS) {
            rc = cl_fail(err, "clEnqueueReadBuffer(out)", st, ctx);
            goto done;
        }
        if ((st = clFinish(d->queue)) != CL_SUCCESS) {
            rc = cl_fail(err, "clFinish", st, ctx);
            goto done;
        }
        done += count;
    }
#undef SETARG
    rc = ERG_OK;
done:
    if (rc != ERG_OK) (void)clFinish(d->queue);
    bufs_release(&b);
    return rc;
}

erg_code erg_cl_run_units(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p,
                          const uint8_t *input, size_t input_len, const uint8_t (*seeds)[32],
                          size_t n_units, size_t local_size, uint8_t *out, erg_err *err)
{
    uint32_t derived[ERG_KDERIVED_MAX];
    erg_code rc;
    if (!cl || dev >= cl->n) return erg_err_set(err, ERG_ERR_ARG, "opencl: no device %zu", dev);
    if (!k || !p || (n_units && (!seeds || !out)) || (input_len && !input))
        return erg_err_set(err, ERG_ERR_ARG, "opencl: run_units: missing argument");
    if ((rc = erg_cl_kernel_supported(cl, dev, k, err))) return rc;
    if ((rc = erg_kparams_validate(k, p, input, input_len, err))) return rc;
    if (input_len > UINT32_MAX) return erg_err_set(err, ERG_ERR_RANGE, "%s: input too large for OpenCL", k->name);
    if (n_units && k->output_size(p) > SIZE_MAX / n_units)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "%s: %zu units overflow the output size", k->name, n_units);
    memset(derived, 0, sizeof derived);
    if (k->derive && (rc = k->derive(p, input, input_len, derived, err))) return rc;
    if (n_units == 0) return ERG_OK;
    pthread_mutex_lock(&cl->dev[dev].lock);
    rc = run_locked(&cl->dev[dev], cl->max_batch, k, p, derived, input, input_len, seeds, n_units, local_size, out,
                    err);
    pthread_mutex_unlock(&cl->dev[dev].lock);
    return rc;
}
