// SHA-256 from nettle as Debian's nettle-dev installs it (/usr/include/nettle/sha2.h).
// Only the EventLedger module imports this; everything above it sees Swift types.
#ifndef CLEDGERNETTLE_SHIM_H
#define CLEDGERNETTLE_SHIM_H
#include <nettle/sha2.h>
#endif
