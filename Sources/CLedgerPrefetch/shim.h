// The processor's prefetch hint, which Swift does not expose: a forward scan of the log asks
// for the record it reads next, an append for its stream's slot in the stream tail, and a fold
// for the memory of the dossiers its next events touch, while they do other work.
#ifndef CLEDGERPREFETCH_SHIM_H
#define CLEDGERPREFETCH_SHIM_H

/// Starts loading the cache line holding `address` for reading; never faults.
static inline void ledger_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
