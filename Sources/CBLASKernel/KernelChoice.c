// Chooses the OpenBLAS kernel before any Swift code runs.
//
// Debian's OpenBLAS 0.3.21 detects the processor when it loads and, for one it does not know (a
// newer Xeon, say), falls back to its generic `Prescott` SSE3 kernels: sgemm at a fifth of the
// speed, silently. It reads OPENBLAS_CORETYPE only when it loads, so a better choice has to be
// made before that: this constructor runs when the process starts (after OpenBLAS's own, which
// has already detected), and if OpenBLAS fell back on a CPU with AVX or better it re-executes the
// process once with OPENBLAS_CORETYPE set to the best kernel the CPU supports. A value the user or
// the machine set is never touched. The kernel's products are then checked against a plain
// multiply; if they differ, the process is re-executed once more with OpenBLAS's own choice.
// ADAPT_BLAS_KERNEL_CHOICE carries what was done across the re-execution (and into children,
// which inherit the choice).
#define _GNU_SOURCE
#include "CBLASKernel.h"
#include <cpuid.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

// OpenBLAS's C interface, declared here so this target needs no include path (cblas.h).
extern char *openblas_get_corename(void);
extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

static const char *const marker = "ADAPT_BLAS_KERNEL_CHOICE";
static char choice[160] = "OpenBLAS's own detection";
static int verified = 0;

// MARK: - What the CPU supports

static unsigned long long xgetbv0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

int adapt_cpu_isa(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return ADAPT_ISA_BASELINE;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return ADAPT_ISA_BASELINE;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return ADAPT_ISA_BASELINE;  // the OS saves SSE and AVX state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return ADAPT_ISA_AVX;
    int avx2 = (b >> 5) & 1;
    int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 28) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (!avx2 || !fma) return ADAPT_ISA_AVX;
    if (!avx512 || (xcr0 & 0xe0) != 0xe0) return ADAPT_ISA_AVX2;  // F, DQ, CD, BW, VL and the OS's opmask/ZMM state
    return ADAPT_ISA_AVX512;
}

// MARK: - The decision

const char *adapt_blas_kernel_upgrade(const char *core, int isa, const char *coretype) {
    if (coretype != NULL || core == NULL || strcasecmp(core, "Prescott") != 0) return NULL;
    switch (isa) {
    case ADAPT_ISA_AVX512: return "SKYLAKEX";
    case ADAPT_ISA_AVX2: return "HASWELL";
    case ADAPT_ISA_AVX: return "SANDYBRIDGE";
    default: return NULL;
    }
}

const char *adapt_blas_kernel_core(void) { return openblas_get_corename(); }
const char *adapt_blas_kernel_choice(void) { return choice; }
int adapt_blas_kernel_verified(void) { return verified; }

// MARK: - The check

static unsigned int lcg = 12345;
static float next_value(void) {
    lcg = lcg * 1664525u + 1013904223u;
    return (float)((lcg >> 8) & 0xffff) / 32768.0f - 1.0f;
}

// C = op(A)·op(B) for row-major m×k (or k×m) A and k×n (or n×k) B, checked element by element.
static int check_shape(int m, int n, int k, int transA, int transB) {
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    if (!a || !b || !c) { free(a); free(b); free(c); return 1; }
    for (int i = 0; i < m * k; i++) a[i] = next_value();
    for (int i = 0; i < k * n; i++) b[i] = next_value();
    for (int i = 0; i < m * n; i++) c[i] = NAN;  // beta = 0 must overwrite, not read
    cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1.0f,
                a, transA ? m : k, b, transB ? k : n, 0.0f, c, n);
    int ok = 1;
    for (int i = 0; i < m && ok; i++)
        for (int j = 0; j < n && ok; j++) {
            double sum = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
                double x = transA ? a[p * m + i] : a[i * k + p];
                double y = transB ? b[j * k + p] : b[p * n + j];
                sum += x * y;
                magnitude += fabs(x * y);
            }
            ok = fabs((double)c[i * n + j] - sum) <= k * ldexp(1.0, -23) * magnitude;
        }
    free(a); free(b); free(c);
    return ok;
}

int adapt_blas_kernel_check(void) {
    // Shapes around the kernels' register tiles (edge tiles and full ones) and a policy-sized one.
    static const int shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {16, 32, 17}, {37, 19, 23}, {100, 100, 64}, {129, 6, 100}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++)
            if (!check_shape(shapes[s][0], shapes[s][1], shapes[s][2], t & 1, t >> 1)) return 0;
    return 1;
}

// MARK: - At start-up

static void reexecute(char **argv, const char *coretype, const char *note) {
    setenv("OPENBLAS_CORETYPE", coretype, 1);
    setenv(marker, note, 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    // exec failed: carry on with the kernel already loaded.
    unsetenv(marker);
}

__attribute__((constructor)) static void adapt_choose_blas_kernel(int argc, char **argv, char **envp) {
    (void)argc; (void)envp;
    const char *core = openblas_get_corename();
    const char *note = getenv(marker);
    const char *user = getenv("OPENBLAS_CORETYPE");
    char message[160];

    if (note == NULL && user != NULL) {
        snprintf(choice, sizeof choice, "OPENBLAS_CORETYPE=%s set by the user", user);
    } else if (note == NULL) {
        const char *better = adapt_blas_kernel_upgrade(core, adapt_cpu_isa(), user);
        if (better != NULL && argv != NULL) {
            snprintf(message, sizeof message, "upgrade:%s", core);
            reexecute(argv, better, message);
            snprintf(choice, sizeof choice, "OpenBLAS's own detection (%s; re-executing with %s failed)", core, better);
        }
    } else if (strncmp(note, "upgrade:", 8) == 0) {
        snprintf(choice, sizeof choice, "chosen by Adapt for this CPU (OpenBLAS detected %s)", note + 8);
    } else if (strncmp(note, "fallback:", 9) == 0) {
        snprintf(choice, sizeof choice, "OpenBLAS's own detection (the %s kernel failed the start-up check)", note + 9);
    }

    verified = adapt_blas_kernel_check();
    if (verified) return;
    if (note != NULL && strncmp(note, "upgrade:", 8) == 0 && argv != NULL) {
        fprintf(stderr, "warning: OpenBLAS's %s kernel disagrees with a reference multiply; using %s\n", core, note + 8);
        snprintf(message, sizeof message, "fallback:%s", core);
        reexecute(argv, note + 8, message);
    }
    fprintf(stderr, "warning: OpenBLAS's %s kernel disagrees with a reference multiply beyond float rounding\n", core);
}
