#define _GNU_SOURCE
#include "CTandemSys.h"
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>

_Static_assert(sizeof(struct tandem_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct tandem_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int tandem_recvmmsg(int fd, struct tandem_mmsghdr *msgs, unsigned int vlen, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)msgs, vlen, flags, NULL);
}
int tandem_sendmmsg(int fd, struct tandem_mmsghdr *msgs, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)msgs, vlen, flags);
}

int tandem_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
int tandem_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev; memset(&ev, 0, sizeof ev);
    ev.events = events; ev.data.u64 = data;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
int tandem_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }
int tandem_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms) {
    return epoll_wait(epfd, events, maxevents, timeout_ms);
}
uint64_t tandem_epoll_event_data(const struct epoll_event *ev) { return ev->data.u64; }
uint32_t tandem_epoll_event_events(const struct epoll_event *ev) { return ev->events; }
size_t tandem_epoll_event_size(void) { return sizeof(struct epoll_event); }

int tandem_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
int tandem_eventfd_signal(int fd) { uint64_t one = 1; return (int)write(fd, &one, sizeof one); }
int tandem_eventfd_drain(int fd) { uint64_t v; return (int)read(fd, &v, sizeof v); }

uint64_t tandem_monotonic_ns(int coarse) {
    struct timespec ts;
    clock_gettime(coarse ? CLOCK_MONOTONIC_COARSE : CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
double tandem_wallclock(void) {
    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tandem_set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL, 0);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}
int tandem_pin_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -1;
    cpu_set_t set; CPU_ZERO(&set); CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int tandem_udp_bind(const struct sockaddr *addr, socklen_t len, int rcvbuf, int sndbuf) {
    int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    if (addr->sa_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (bind(fd, addr, len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int tandem_cmsg_rxq_ovfl(const struct msghdr *msg, uint32_t *drops) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
            memcpy(drops, CMSG_DATA(c), sizeof(uint32_t));
            return 1;
        }
    }
    return 0;
}
size_t tandem_cmsg_space_rxq_ovfl(void) { return CMSG_SPACE(sizeof(uint32_t)); }

static int cputime(int who, uint64_t *user_ns, uint64_t *sys_ns) {
    struct rusage ru;
    if (getrusage(who, &ru) < 0) return -1;
    *user_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000ull;
    *sys_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000ull;
    return 0;
}
int tandem_thread_cputime(uint64_t *user_ns, uint64_t *sys_ns) { return cputime(RUSAGE_THREAD, user_ns, sys_ns); }
int tandem_process_cputime(uint64_t *user_ns, uint64_t *sys_ns) { return cputime(RUSAGE_SELF, user_ns, sys_ns); }
int tandem_errno(void) { return errno; }
