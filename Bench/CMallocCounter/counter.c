#define _GNU_SOURCE
#include "CMallocCounter.h"
#include <stddef.h>
#include <errno.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic uint64_t count;
static _Atomic int enabled;

static inline void note(void) {
    if (atomic_load_explicit(&enabled, memory_order_relaxed))
        atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
}

uint64_t tandem_malloc_count(void) { return atomic_load(&count); }
void tandem_malloc_count_enable(int on) { atomic_store(&enabled, on); }

void *malloc(size_t n) { note(); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { note(); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { note(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t al, size_t n) { note(); return __libc_memalign(al, n); }
void *memalign(size_t al, size_t n) { note(); return __libc_memalign(al, n); }
int posix_memalign(void **out, size_t al, size_t n) {
    note();
    void *p = __libc_memalign(al, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
