// reflector: the "loopback limit" for Tandem's benchmark. A minimal C relay with no control
// plane: it binds --pairs socket pairs (ports BASE+2i and BASE+2i+1 on --addr) and forwards
// whatever arrives on one socket of a pair out of the other one, to the address that last sent
// to that other socket (endpoint latching, as a media relay does). One thread, epoll,
// recvmmsg/sendmmsg batches of --batch packets, up to 8 batches per ready socket per wake-up.
//
//   reflector --addr 127.0.0.2 --base 10000 --pairs 1500 [--batch 32] [--max-wall 3600]
//             [--ready-file PATH]
//
// Runs until SIGTERM/SIGINT or --max-wall seconds; prints one JSON line of counters on exit.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXB 64
static volatile sig_atomic_t g_stop = 0;
static void on_signal(int s) { (void)s; g_stop = 1; }

typedef struct { int fd; int latched; struct sockaddr_in peer; } sock_t;

int main(int argc, char **argv) {
    const char *addr = "127.0.0.2", *ready = NULL; int base = 10000, pairs = 100, batch = 32; double max_wall = 3600;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--addr") && i + 1 < argc) addr = argv[++i];
        else if (!strcmp(argv[i], "--base") && i + 1 < argc) base = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) pairs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--max-wall") && i + 1 < argc) max_wall = atof(argv[++i]);
        else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc) ready = argv[++i];
        else { fprintf(stderr, "usage: reflector --addr IP --base PORT --pairs N [--batch B] [--max-wall S] [--ready-file PATH]\n"); return 2; }
    }
    if (pairs < 1 || base < 1 || base + 2 * pairs > 65536 || batch < 1 || batch > MAXB) { fprintf(stderr, "reflector: bad arguments\n"); return 2; }
    signal(SIGINT, on_signal); signal(SIGTERM, on_signal);
    struct rlimit rl; if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

    int n = 2 * pairs;
    sock_t *s = calloc((size_t)n, sizeof *s);
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(base + i);
        if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) { fprintf(stderr, "reflector: bad --addr\n"); return 2; }
        s[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (s[i].fd < 0 || bind(s[i].fd, (struct sockaddr *)&a, sizeof a) < 0) {
            fprintf(stderr, "reflector: bind %s:%d: %s\n", addr, base + i, strerror(errno)); return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev);
    }
    if (ready) { FILE *f = fopen(ready, "w"); if (f) { fprintf(f, "%d\n", (int)getpid()); fclose(f); } }
    fprintf(stderr, "reflector: %d pairs on %s:%d-%d, batch %d\n", pairs, addr, base, base + n - 1, batch);

    static uint8_t buf[MAXB][2048];
    struct mmsghdr rm[MAXB], sm[MAXB]; struct iovec riov[MAXB], siov[MAXB]; struct sockaddr_in from[MAXB];
    for (int j = 0; j < MAXB; j++) {
        riov[j].iov_base = buf[j]; riov[j].iov_len = sizeof buf[j];
        memset(&rm[j], 0, sizeof rm[j]); rm[j].msg_hdr.msg_iov = &riov[j]; rm[j].msg_hdr.msg_iovlen = 1;
        rm[j].msg_hdr.msg_name = &from[j];
        memset(&sm[j], 0, sizeof sm[j]); sm[j].msg_hdr.msg_iov = &siov[j]; sm[j].msg_hdr.msg_iovlen = 1;
    }
    uint64_t rx = 0, tx = 0, dropped_unlatched = 0, rx_calls = 0, wakeups = 0, send_err = 0;
    struct timespec t0; clock_gettime(CLOCK_MONOTONIC, &t0);
    struct epoll_event evs[256];
    while (!g_stop) {
        int ne = epoll_wait(ep, evs, 256, 200);
        wakeups++;
        if (ne == 0) {
            struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) > max_wall) break;
            continue;
        }
        for (int e = 0; e < ne; e++) {
            int i = (int)evs[e].data.u32, o = i ^ 1;
            for (int round = 0; round < 8; round++) {
                for (int j = 0; j < batch; j++) rm[j].msg_hdr.msg_namelen = sizeof from[j];
                int r = recvmmsg(s[i].fd, rm, (unsigned)batch, MSG_DONTWAIT, NULL);
                if (r <= 0) break;
                rx += (uint64_t)r; rx_calls++;
                // latch the sender of this socket (the last source wins, as with media handover)
                struct sockaddr_in *src = &from[r - 1];
                if (!s[i].latched || s[i].peer.sin_port != src->sin_port || s[i].peer.sin_addr.s_addr != src->sin_addr.s_addr) {
                    s[i].peer = *src; s[i].latched = 1;
                }
                if (!s[o].latched) { dropped_unlatched += (uint64_t)r; if (r < batch) break; else continue; }
                for (int j = 0; j < r; j++) {
                    siov[j].iov_base = buf[j]; siov[j].iov_len = rm[j].msg_len;
                    sm[j].msg_hdr.msg_name = &s[o].peer; sm[j].msg_hdr.msg_namelen = sizeof s[o].peer;
                }
                int w = sendmmsg(s[o].fd, sm, (unsigned)r, MSG_DONTWAIT);
                if (w < 0) { send_err++; w = 0; }
                tx += (uint64_t)w;
                if (r < batch) break;
            }
        }
        if ((wakeups & 1023) == 0) {
            struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) > max_wall) break;
        }
    }
    printf("{\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"dropped_unlatched\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",\"recv_calls\":%" PRIu64 ",\"wakeups\":%" PRIu64 "}\n",
           rx, tx, dropped_unlatched, send_err, rx_calls, wakeups);
    for (int i = 0; i < n; i++) close(s[i].fd);
    return 0;
}
