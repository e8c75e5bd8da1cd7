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

/// Creates a non-blocking, close-on-exec UDP socket bound to `addr` (IPV6_V6ONLY for IPv6,
/// SO_REUSEADDR off, SO_RXQ_OVFL on, SO_RCVBUF/SO_SNDBUF requested when > 0: the kernel caps
/// them at rmem_max/wmem_max). Returns the fd, or -errno (e.g. -EADDRINUSE).
int tandem_udp_bind(const struct sockaddr *addr, socklen_t len, int rcvbuf, int sndbuf);
/// The SO_RXQ_OVFL counter (packets the kernel dropped on this socket since it was created) in a
/// received message's control data. Returns 1 and sets *drops when present, else 0.
int tandem_cmsg_rxq_ovfl(const struct msghdr *msg, uint32_t *drops);
/// Bytes of control buffer one received message needs for the SO_RXQ_OVFL cmsg.
size_t tandem_cmsg_space_rxq_ovfl(void);
/// CPU time used by the calling thread (RUSAGE_THREAD), in nanoseconds. Returns 0 on success.
int tandem_thread_cputime(uint64_t *user_ns, uint64_t *sys_ns);
/// CPU time used by the whole process (RUSAGE_SELF), in nanoseconds. Returns 0 on success.
int tandem_process_cputime(uint64_t *user_ns, uint64_t *sys_ns);
/// The calling thread's errno (Swift's `errno` works too; this keeps C callers symmetric).
int tandem_errno(void);
