// Counts heap allocations made by this process: the bench executable links this target, whose
// malloc/calloc/realloc/posix_memalign/aligned_alloc definitions interpose glibc's and forward
// to __libc_* after counting. Used to prove "no heap allocation per relayed packet".
#pragma once
#include <stdint.h>
uint64_t tandem_malloc_count(void);
/// Enable/disable counting (counting starts disabled so start-up noise is excluded).
void tandem_malloc_count_enable(int on);
