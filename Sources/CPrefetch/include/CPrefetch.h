#ifndef TSUNAGARI_CPREFETCH_H
#define TSUNAGARI_CPREFETCH_H

/*
 * A hint to the processor to bring the cache line at `address` in before it is read. Swift has no
 * spelling for it; a load in its place waits for the memory, a prefetch does not.
 */
static inline void tsunagari_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
