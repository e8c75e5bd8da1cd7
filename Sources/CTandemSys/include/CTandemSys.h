// System calls that `import Glibc` hides (they are _GNU_SOURCE-only) or that are macros.
// The wrappers live in sys.c, compiled with _GNU_SOURCE; this header only declares them.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <time.h>

/// Layout-identical to glibc's `struct mmsghdr` (checked by _Static_assert in sys.c).
struct tandem_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int tandem_recvmmsg(int fd, struct tandem_mmsghdr *msgs, unsigned int vlen, int flags);
int tandem_sendmmsg(int fd, struct tandem_mmsghdr *msgs, unsigned int vlen, int flags);

int tandem_epoll_create(void);
int tandem_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int tandem_epoll_del(int epfd, int fd);
int tandem_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
/// epoll_event is packed on x86_64; Swift cannot read its union member directly.
uint64_t tandem_epoll_event_data(const struct epoll_event *ev);
uint32_t tandem_epoll_event_events(const struct epoll_event *ev);
size_t tandem_epoll_event_size(void);

int tandem_eventfd(void);
int tandem_eventfd_signal(int fd);
int tandem_eventfd_drain(int fd);

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC_COARSE when `coarse` is non-zero).
uint64_t tandem_monotonic_ns(int coarse);
/// Wall clock in seconds since the epoch (for `created` in ng replies).
double tandem_wallclock(void);

int tandem_set_nonblocking(int fd);
/// Pins the calling thread to `cpu` (ignored when out of range); returns 0 on success.
int tandem_pin_thread(int cpu);
