// LMDB's C API, for the raw baseline of the benchmarks.
#include <lmdb.h>
