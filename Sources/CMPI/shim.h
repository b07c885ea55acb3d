// The few MPI calls Adapt needs, as functions Swift can call: OpenMPI's handles (MPI_COMM_WORLD,
// MPI_BYTE) are macros over addresses of globals, which Swift does not import. Every call works
// on MPI_COMM_WORLD, whose default error handler aborts the whole job on a failed call (no hang).
// `pkg-config --cflags ompi-c` adds OpenMPI's include folder (Debian: libopenmpi-dev).
#include <mpi.h>

/// MPI_Init_thread at MPI_THREAD_SERIALIZED: one thread at a time calls MPI, possibly not the main one.
static inline int adapt_mpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
}

static inline int adapt_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int adapt_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/// Every rank's `count` (one each) into `counts`, in rank order.
static inline int adapt_mpi_allgather_count(int count, int *counts) {
    return MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
}

/// Every rank's bytes, concatenated in rank order (rank r's at displacements[r]), on every rank.
static inline int adapt_mpi_allgatherv_bytes(const void *send, int sendCount, void *receive,
                                             const int *counts, const int *displacements) {
    return MPI_Allgatherv(send, sendCount, MPI_BYTE, receive, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

/// `count` bytes of `root`'s buffer into every rank's.
static inline int adapt_mpi_broadcast_bytes(void *buffer, int count, int root) {
    return MPI_Bcast(buffer, count, MPI_BYTE, root, MPI_COMM_WORLD);
}

/// Ends every rank of the job (mpirun exits with `code`).
static inline void adapt_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

static inline int adapt_mpi_finalize(void) { return MPI_Finalize(); }
