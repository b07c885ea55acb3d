// The OpenBLAS kernel this process computes with, and how it was chosen (KernelChoice.c).
#ifndef ADAPT_CBLAS_KERNEL_H
#define ADAPT_CBLAS_KERNEL_H

/// Instruction-set levels of x86-64 as far as sgemm kernels care.
enum adapt_isa { ADAPT_ISA_BASELINE = 0, ADAPT_ISA_AVX = 1, ADAPT_ISA_AVX2 = 2, ADAPT_ISA_AVX512 = 3 };

/// The highest level this CPU and its operating system support (cpuid and xgetbv).
int adapt_cpu_isa(void);

/// The OPENBLAS_CORETYPE to re-load OpenBLAS with when it picked `core` on a CPU of level `isa`,
/// or NULL to keep its choice. Only OpenBLAS's generic fallback (`Prescott`, what it loads for a
/// processor it does not recognise) is replaced; every real choice of its own is kept, and so is
/// any `coretype` (the value of OPENBLAS_CORETYPE) the user or the machine set.
const char *adapt_blas_kernel_upgrade(const char *core, int isa, const char *coretype);

/// OpenBLAS's name for the kernel in use (`openblas_get_corename`).
const char *adapt_blas_kernel_core(void);

/// How that kernel was chosen: "OpenBLAS's own detection", "OPENBLAS_CORETYPE set by the user",
/// "chosen by Adapt for this CPU (OpenBLAS detected Prescott)", or a fallback after a failed check.
const char *adapt_blas_kernel_choice(void);

/// Whether the kernel's products matched a plain reference multiply at start-up (1) or not (0).
int adapt_blas_kernel_verified(void);

/// Runs that check now: several sgemm shapes and transposes against a double-precision loop, each
/// element within k·2⁻²³·Σ|a||b| (twice the worst-case float rounding of a k-term sum).
int adapt_blas_kernel_check(void);

#endif
