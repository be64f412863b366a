// The processor's prefetch hint, which Swift does not expose: a fold asks for the memory of
// the dossiers its next events touch while it applies the current ones.
#ifndef CLEDGERPREFETCH_SHIM_H
#define CLEDGERPREFETCH_SHIM_H

/// Starts loading the cache line holding `address` for reading; never faults.
static inline void ledger_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
