// OpenBLAS's C interface. Debian installs cblas.h under the openblas include folder that
// `pkg-config --cflags openblas` adds to the search path.
#include <cblas.h>
