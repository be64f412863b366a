// The C face of LMDB as Debian's liblmdb-dev installs it (/usr/include/lmdb.h).
// Only the LedgerLMDB module imports this; everything above it sees Swift types.
#ifndef CLEDGERLMDB_SHIM_H
#define CLEDGERLMDB_SHIM_H
#include <lmdb.h>
#endif
