import CBLASKernel
import Foundation
import Testing
@testable import Autodiff

/// The OpenBLAS kernel choice (CBLASKernel): the decision, and the process these tests run in.
struct BLASKernelTests {
    func upgrade(_ core: String, _ isa: adapt_isa, coretype: String? = nil) -> String? {
        let chosen = coretype.map { c in c.withCString { adapt_blas_kernel_upgrade(core, Int32(isa.rawValue), $0) } }
            ?? adapt_blas_kernel_upgrade(core, Int32(isa.rawValue), nil)
        return chosen.map { String(cString: $0) }
    }

    @Test func genericFallbackIsReplacedByTheBestKernelTheCPUSupports() {
        #expect(upgrade("Prescott", ADAPT_ISA_AVX512) == "SKYLAKEX")
        #expect(upgrade("Prescott", ADAPT_ISA_AVX2) == "HASWELL")
        #expect(upgrade("Prescott", ADAPT_ISA_AVX) == "SANDYBRIDGE")
        #expect(upgrade("Prescott", ADAPT_ISA_BASELINE) == nil)
    }

    @Test func openBLASsOwnChoicesAndTheUsersAreKept() {
        for core in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "Sandybridge", "Nehalem"] {
            #expect(upgrade(core, ADAPT_ISA_AVX512) == nil, "\(core)")
        }
        #expect(upgrade("Prescott", ADAPT_ISA_AVX512, coretype: "PRESCOTT") == nil)
        #expect(upgrade("Prescott", ADAPT_ISA_AVX512, coretype: "") == nil)
    }

    @Test func thisProcessRunsAVerifiedKernelNotTheGenericFallback() {
        #expect(adapt_blas_kernel_check() == 1)
        #expect(BLAS.kernelVerified, "\(BLAS.kernelDescription)")
        if getenv("OPENBLAS_CORETYPE") == nil || getenv("ADAPT_BLAS_KERNEL_CHOICE") != nil,
           adapt_cpu_isa() >= Int32(ADAPT_ISA_AVX.rawValue) {
            #expect(BLAS.kernel != "Prescott", "\(BLAS.kernelDescription)")
        }
    }
}
