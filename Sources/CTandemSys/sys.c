#define _GNU_SOURCE
#include "CTandemSys.h"
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

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
