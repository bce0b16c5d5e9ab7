// Debian's reference LAPACK through its C interface, and the CBLAS that ships in libblas. Installing OpenBLAS
// (libopenblas0) switches both shared libraries to it through Debian's alternatives, with no rebuild.
#include <lapacke.h>
#include <cblas.h>
