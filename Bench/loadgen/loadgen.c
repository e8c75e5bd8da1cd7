// loadgen: RTP load generator and ng command-rate driver for Tandem's side-by-side benchmark.
//
// Modes (every run is bounded in time and count; results are one JSON object on stdout,
// progress goes to stderr):
//
//   loadgen relay  (--ng HOST:PORT | --static HOST:BASEPORT) --calls N [options]
//       Sets up N calls (ng offer+answer with two local "phone" sockets per call, or the static
//       port pairs of the C reflector), sends real RTP (20 ms PCMU frames, correct seq/timestamp/
//       SSRC) at --pps per direction per call, paced in real time and spread evenly over the
//       frame interval, receives on the other phone, and reports sent/received/loss and the
//       one-way latency distribution (payload send timestamp -> kernel receive timestamp,
//       SO_TIMESTAMPNS) over a measurement window that follows a warm-up. Deletes the calls.
//
//   loadgen flood  (--ng ... | --static ...) --calls C [options]
//       Few calls, sendmmsg batches, open loop as fast as the generator core allows; counts
//       packets relayed inside the window (by arrival time).
//
//   loadgen transcode --ng HOST:PORT --codec pcma|opus --calls N [options]
//       Like relay, but phone A offers only PCMA (or only opus/48000/2) with the ng option
//       `codec: {transcode: [PCMU]}`, phone B answers PCMU only, so the daemon transcodes both
//       directions (A's PCMA/opus -> PCMU to B, B's PCMU -> PCMA/opus to A). A sends real 20 ms
//       PCMA frames (a G.711 A-law encoding of a speech-band signal) or opus frames (encoded once
//       with libopus at start-up and cycled), B real PCMU. The payload is transcoded, so a packet
//       carries no stamp through the daemon: packets are attributed to a stream by the receiving
//       socket and checked by payload type (the wrong one = the daemon did not transcode), and
//       latency is estimated as arrival minus the last send on that stream (valid below 20 ms).
//
//   loadgen srtp --ng HOST:PORT --calls N [options]
//       SDES-SRTP <-> RTP bridging: phone A offers RTP/SAVP with an AES_CM_128_HMAC_SHA1_80
//       a=crypto key and `transport-protocol: RTP/AVP`, so B gets plain RTP; A protects its
//       packets with libsrtp2 and unprotects what it receives with the key from the daemon's
//       answer; B sends and receives plain RTP. Payload stamps survive (the daemon decrypts /
//       encrypts), so loss and one-way latency are exact as in relay mode.
//
//   In every mode a daemon that does not do what the mode needs (rejects the flags, does not
//   rewrite the SDP as required, forwards the wrong codec, sends packets that do not
//   authenticate) makes loadgen print {"unsupported": "why", ...} instead of numbers.
//
//   loadgen ng --ng HOST:PORT [--window K] [--rate R]
//       offer + answer + delete per call over UDP with its own bencode; commands/s and latency
//       percentiles per command. --window K calls in flight (closed loop); --rate R calls/s
//       open-loop pacing (K still caps the calls in flight).
//
// Accounting (all modes, over exactly the measurement window):
//   --daemon-pid PID  the daemon's utime+stime from /proc/PID/stat (USER_HZ ticks) and the sum of
//                     /proc/PID/task/*/schedstat on-CPU ns (precise);
//   --daemon-cpu N / --gen-cpu M  busy time of those CPUs from /proc/stat, and the generator's own
//                     rusage, so the caller can see how much CPU other processes took ("other").
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <opus/opus.h>
#include <srtp2/srtp.h>

#define MAGIC 0x544e444dU   /* "TNDM" */
#define PKT_LEN 172           /* 12 RTP header + 160 PCMU */
#define PKT_MAX 512           /* largest packet any mode sends (opus frame + SRTP trailer) */
#define FRAME_SAMPLES 160
#define RXBATCH 32

// What the phones send and expect (by mode): plain PCMU with stamps (relay, flood, ng), PCMA or
// opus transcoded to PCMU, SDES-SRTP on phone A's leg.
enum { M_PCMU, M_PCMA_T, M_OPUS_T, M_SRTP };
static int g_media = M_PCMU;
static const char *const MEDIA_NAME[] = {"pcmu", "pcma->pcmu", "opus->pcmu", "srtp<->rtp"};
#define OPUS_PT 96

static volatile sig_atomic_t g_stop = 0;
static void on_signal(int s) { (void)s; g_stop = 1; }

static void die(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt);
    fprintf(stderr, "loadgen: "); vfprintf(stderr, fmt, ap); fprintf(stderr, "\n");
    va_end(ap); exit(1);
}
static void logf_(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt);
    fprintf(stderr, "loadgen: "); vfprintf(stderr, fmt, ap); fprintf(stderr, "\n");
    va_end(ap);
}

static inline uint64_t now_ns(clockid_t c) {
    struct timespec ts; clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static inline uint64_t mono(void) { return now_ns(CLOCK_MONOTONIC); }
static inline uint64_t real(void) { return now_ns(CLOCK_REALTIME); }

// ------------------------------------------------------------------ histogram (log-linear, ns)
// 64 sub-buckets per power of two: <= 1.6% relative error.
#define HB 2560
typedef struct { uint64_t b[HB]; uint64_t n, max, sum; } hist_t;
static inline int hbucket(uint64_t v) {
    if (v < 128) return (int)v;
    int lz = 63 - __builtin_clzll(v), sh = lz - 6;
    int b = (sh + 1) * 64 + (int)((v >> sh) & 63);
    return b < HB ? b : HB - 1;
}
static inline uint64_t hlow(int b) {
    if (b < 128) return (uint64_t)b;
    int sh = b / 64 - 1, sub = b % 64;
    return (uint64_t)(64 + sub) << sh;
}
static inline uint64_t hhigh(int b) { return b < 128 ? (uint64_t)b + 1 : hlow(b) + (1ull << (b / 64 - 1)); }
static inline void hadd(hist_t *h, uint64_t v) { h->b[hbucket(v)]++; h->n++; h->sum += v; if (v > h->max) h->max = v; }
static uint64_t hpct(const hist_t *h, double p) {
    if (!h->n) return 0;
    uint64_t want = (uint64_t)(p / 100.0 * (double)h->n); if (want >= h->n) want = h->n - 1;
    uint64_t c = 0;
    for (int i = 0; i < HB; i++) { c += h->b[i]; if (c > want) { uint64_t m = (hlow(i) + hhigh(i)) / 2; return m > h->max ? h->max : m; } }
    return h->max;
}
// JSON: percentiles in microseconds and a compact histogram (8 bins per octave) [[upper_us, count],...]
static void hjson(FILE *f, const char *name, const hist_t *h) {
    fprintf(f, "\"%s\":{\"n\":%" PRIu64 ",\"mean_us\":%.3f,\"p50_us\":%.3f,\"p90_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,\"hist\":[",
            name, h->n, h->n ? (double)h->sum / h->n / 1e3 : 0.0, hpct(h, 50) / 1e3, hpct(h, 90) / 1e3, hpct(h, 99) / 1e3,
            hpct(h, 99.9) / 1e3, h->max / 1e3);
    int first = 1; uint64_t acc = 0; uint64_t up = 0;
    for (int i = 0; i < HB; i++) {
        acc += h->b[i]; up = hhigh(i);
        int boundary = (i >= 128) ? ((i % 8) == 7) : ((i % 8) == 7);
        if (boundary && acc) { fprintf(f, "%s[%.3f,%" PRIu64 "]", first ? "" : ",", up / 1e3, acc); first = 0; acc = 0; }
    }
    if (acc) fprintf(f, "%s[%.3f,%" PRIu64 "]", first ? "" : ",", up / 1e3, acc);
    fprintf(f, "]}");
}

// ------------------------------------------------------------------ CPU accounting
typedef struct { uint64_t busy, total; } cpustat_t;
static int read_cpu(int cpu, cpustat_t *out) {
    FILE *f = fopen("/proc/stat", "r"); if (!f) return -1;
    char line[512], want[16]; snprintf(want, sizeof want, "cpu%d ", cpu);
    int ok = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) == 0) {
            unsigned long long v[10] = {0};
            sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
            out->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];   // user nice system irq softirq steal
            out->total = out->busy + v[3] + v[4];                  // + idle iowait
            ok = 0; break;
        }
    }
    fclose(f); return ok;
}
// utime+stime (ticks) of a whole process (all threads, /proc/PID/stat fields 14,15)
static int read_proc_ticks(int pid, uint64_t *ticks) {
    char path[64], buf[2048]; snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r"); if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f); fclose(f); buf[n] = 0;
    char *p = strrchr(buf, ')'); if (!p) return -1;
    p += 2;   // state
    unsigned long long ut = 0, st = 0; int field = 3;
    char *tok = strtok(p, " ");
    while (tok) { if (field == 14) ut = strtoull(tok, NULL, 10); if (field == 15) { st = strtoull(tok, NULL, 10); break; } field++; tok = strtok(NULL, " "); }
    *ticks = ut + st; return 0;
}
// sum of on-CPU ns over the live threads (/proc/PID/task/*/schedstat field 1): finer than ticks.
static uint64_t read_proc_sched_ns(int pid) {
    char path[96]; snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path); if (!d) return 0;
    uint64_t sum = 0; struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p2[320]; snprintf(p2, sizeof p2, "/proc/%d/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(p2, "r"); if (!f) continue;
        unsigned long long v = 0; if (fscanf(f, "%llu", &v) == 1) sum += v; fclose(f);
    }
    closedir(d); return sum;
}
typedef struct {
    uint64_t mono, dticks, dsched; int dok;
    cpustat_t dcpu, gcpu; uint64_t self_ns;
} snap_t;
static int g_dpid = 0, g_dcpu = 1, g_gcpu = 0;
static void snap(snap_t *s) {
    s->mono = mono();
    s->dok = 0;
    if (g_dpid > 0 && read_proc_ticks(g_dpid, &s->dticks) == 0) { s->dok = 1; s->dsched = read_proc_sched_ns(g_dpid); }
    read_cpu(g_dcpu, &s->dcpu); read_cpu(g_gcpu, &s->gcpu);
    struct rusage ru; getrusage(RUSAGE_SELF, &ru);
    s->self_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + ru.ru_utime.tv_usec * 1000ull + (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + ru.ru_stime.tv_usec * 1000ull;
}
// prints "cpu":{...}; returns daemon CPU seconds (ticks based) via *dsec
static void cpu_json(FILE *f, const snap_t *a, const snap_t *b, double *dsec, double *dsched_sec) {
    double hz = (double)sysconf(_SC_CLK_TCK);
    double wall = (b->mono - a->mono) / 1e9;
    double d = b->dok && a->dok ? (b->dticks - a->dticks) / hz : -1;
    double ds = b->dok && a->dok ? (double)(b->dsched - a->dsched) / 1e9 : -1;
    double c1 = (b->dcpu.busy - a->dcpu.busy) / hz, c0 = (b->gcpu.busy - a->gcpu.busy) / hz;
    double self = (b->self_ns - a->self_ns) / 1e9;
    *dsec = d; *dsched_sec = ds;
    fprintf(f, "\"cpu\":{\"wall_s\":%.4f,\"daemon_cpu_s\":%.4f,\"daemon_sched_cpu_s\":%.4f,\"daemon_core_busy_s\":%.4f,"
               "\"gen_cpu_s\":%.4f,\"gen_core_busy_s\":%.4f,\"daemon_core_other_s\":%.4f,\"gen_core_other_s\":%.4f}",
            wall, d, ds, c1, self, c0, d >= 0 ? c1 - d : -1, c0 - self);
}

// ------------------------------------------------------------------ bencode / ng client
typedef struct { char *p; size_t n, cap; } buf_t;
static void bput(buf_t *b, const void *s, size_t n) {
    if (b->n + n > b->cap) die("bencode buffer overflow");
    memcpy(b->p + b->n, s, n); b->n += n;
}
static void braw(buf_t *b, const char *s) { bput(b, s, strlen(s)); }
static void bstr(buf_t *b, const char *s, size_t n) { char h[24]; int k = snprintf(h, sizeof h, "%zu:", n); bput(b, h, k); bput(b, s, n); }
static void bcs(buf_t *b, const char *s) { bstr(b, s, strlen(s)); }

static const char *bskip(const char *p, const char *e) {
    if (p >= e) return NULL;
    if (*p == 'i') { const char *q = memchr(p, 'e', e - p); return q ? q + 1 : NULL; }
    if (*p == 'l' || *p == 'd') { p++; while (p < e && *p != 'e') { p = bskip(p, e); if (!p) return NULL; } return p < e ? p + 1 : NULL; }
    if (*p >= '0' && *p <= '9') {
        size_t n = 0; while (p < e && *p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
        if (p >= e || *p != ':') return NULL;
        p++;
        if ((size_t)(e - p) < n) return NULL;
        return p + n;
    }
    return NULL;
}
// finds a string value for key in the top-level dict starting at p
static int bget(const char *p, const char *e, const char *key, const char **v, size_t *vn) {
    if (p >= e || *p != 'd') return -1;
    p++; size_t kl = strlen(key);
    while (p < e && *p != 'e') {
        const char *ks = p; size_t n = 0;
        while (p < e && *p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
        if (p >= e || *p != ':') return -1;
        p++;
        if ((size_t)(e - p) < n) return -1;
        const char *k = p; p += n; (void)ks;
        const char *val = p; const char *nx = bskip(p, e); if (!nx) return -1;
        if (n == kl && memcmp(k, key, n) == 0) {
            if (*val >= '0' && *val <= '9') {
                size_t m = 0; const char *q = val; while (*q != ':') m = m * 10 + (*q++ - '0');
                *v = q + 1; *vn = m; return 0;
            }
            return -1;
        }
        p = nx;
    }
    return -1;
}

typedef struct { int fd; struct sockaddr_in addr; unsigned seq; } ng_t;
static void ng_open(ng_t *c, const char *hostport) {
    char h[64]; const char *colon = strrchr(hostport, ':'); if (!colon) die("bad --ng %s", hostport);
    snprintf(h, sizeof h, "%.*s", (int)(colon - hostport), hostport);
    memset(&c->addr, 0, sizeof c->addr); c->addr.sin_family = AF_INET; c->addr.sin_port = htons(atoi(colon + 1));
    if (inet_pton(AF_INET, h, &c->addr.sin_addr) != 1) die("bad --ng address %s", h);
    c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int sz = 4 << 20; setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    if (connect(c->fd, (struct sockaddr *)&c->addr, sizeof c->addr) < 0) die("connect ng: %s", strerror(errno));
}
// Synchronous request with same-cookie retransmission. Returns reply length (body pointer in *body) or -1.
static char g_rx[65536];
static int ng_call(ng_t *c, const char *body, size_t blen, const char **rbody, size_t *rlen, double timeout_s, int retries, uint64_t *lat_ns) {
    char pkt[65536], cookie[32];
    int ck = snprintf(cookie, sizeof cookie, "%x_%u", (unsigned)getpid(), ++c->seq);
    if (ck + 1 + blen > sizeof pkt) die("ng request too large");
    memcpy(pkt, cookie, ck); pkt[ck] = ' '; memcpy(pkt + ck + 1, body, blen);
    uint64_t t0 = mono();
    for (int attempt = 0; attempt <= retries && !g_stop; attempt++) {
        if (send(c->fd, pkt, ck + 1 + blen, 0) < 0 && errno != EAGAIN) return -1;
        uint64_t deadline = mono() + (uint64_t)(timeout_s * 1e9);
        while (!g_stop) {
            ssize_t n = recv(c->fd, g_rx, sizeof g_rx - 1, 0);
            if (n > 0) {
                if (n > ck && memcmp(g_rx, cookie, ck) == 0 && g_rx[ck] == ' ') {
                    if (lat_ns) *lat_ns = mono() - t0;
                    *rbody = g_rx + ck + 1; *rlen = n - ck - 1; return (int)*rlen;
                }
                continue;   // stale reply
            }
            uint64_t now = mono(); if (now >= deadline) break;
            fd_set fs; FD_ZERO(&fs); FD_SET(c->fd, &fs);
            uint64_t left = deadline - now; struct timeval tv = {(time_t)(left / 1000000000ull), (suseconds_t)((left % 1000000000ull) / 1000)};
            select(c->fd + 1, &fs, NULL, NULL, &tv);
        }
    }
    return -1;
}
static int reply_ok(const char *b, size_t n, char *err, size_t errn) {
    const char *v; size_t vn;
    if (bget(b, b + n, "result", &v, &vn) != 0) { snprintf(err, errn, "no result"); return 0; }
    if (vn == 2 && memcmp(v, "ok", 2) == 0) return 1;
    if (vn == 4 && memcmp(v, "pong", 4) == 0) return 1;
    const char *r; size_t rn;
    if (bget(b, b + n, "error-reason", &r, &rn) == 0) snprintf(err, errn, "%.*s", (int)rn, r);
    else snprintf(err, errn, "%.*s", (int)vn, v);
    return 0;
}
static int sdp_media(const char *sdp, size_t n, struct sockaddr_in *out) {
    char tmp[8192]; if (n >= sizeof tmp) n = sizeof tmp - 1; memcpy(tmp, sdp, n); tmp[n] = 0;
    char *m = strstr(tmp, "m=audio "); if (!m) return -1;
    int port = atoi(m + 8);
    char *c = strstr(m, "c=IN IP4 "); if (!c) c = strstr(tmp, "c=IN IP4 "); if (!c) return -1;
    char ip[64]; int k = 0; c += 9; while (*c && *c != '\r' && *c != '\n' && k < 63) ip[k++] = *c++; ip[k] = 0;
    memset(out, 0, sizeof *out); out->sin_family = AF_INET; out->sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &out->sin_addr) != 1) return -1;
    return 0;
}
static size_t make_sdp(char *out, size_t cap, const char *ip, int port, unsigned sess) {
    return (size_t)snprintf(out, cap,
        "v=0\r\no=- %u %u IN IP4 %s\r\ns=tandem-loadgen\r\nc=IN IP4 %s\r\nt=0 0\r\n"
        "m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n",
        sess, sess, ip, ip, port);
}
// Phone A's offer / phone B's answer for the media mode. Transcoding: A offers one codec, B
// answers PCMU only. SRTP: A offers RTP/SAVP with its SDES key, B plain RTP/AVP.
static size_t make_sdp_side(char *out, size_t cap, const char *ip, int port, unsigned sess, int side, const char *crypto_inline) {
    const char *media;
    char buf[512];
    if (g_media == M_PCMA_T && side == 0)
        media = "m=audio %d RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\na=sendrecv\r\n";
    else if (g_media == M_OPUS_T && side == 0)
        media = "m=audio %d RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=ptime:20\r\na=sendrecv\r\n";
    else if ((g_media == M_PCMA_T || g_media == M_OPUS_T) && side == 1)
        media = "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n";
    else if (g_media == M_SRTP && side == 0) {
        snprintf(buf, sizeof buf, "m=audio %%d RTP/SAVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                 "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
                 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n", crypto_inline);
        media = buf;
    } else
        return make_sdp(out, cap, ip, port, sess);
    int k = snprintf(out, cap, "v=0\r\no=- %u %u IN IP4 %s\r\ns=tandem-loadgen\r\nc=IN IP4 %s\r\nt=0 0\r\n", sess, sess, ip, ip);
    k += snprintf(out + k, cap - (size_t)k, media, port);
    return (size_t)k;
}
// ng request bodies (keys in bencode's sorted order)
static size_t body_offer(char *out, size_t cap, const char *callid, const char *ftag, const char *sdp, size_t sdpn) {
    buf_t b = {out, 0, cap};
    braw(&b, "d"); bcs(&b, "call-id"); bcs(&b, callid);
    // rtpengine's codec dictionary: add PCMU to the offer towards B and transcode to it
    if (g_media == M_PCMA_T || g_media == M_OPUS_T) { bcs(&b, "codec"); braw(&b, "d"); bcs(&b, "transcode"); braw(&b, "l"); bcs(&b, "PCMU"); braw(&b, "ee"); }
    bcs(&b, "command"); bcs(&b, "offer");
    bcs(&b, "flags"); braw(&b, "l"); bcs(&b, "trust-address"); braw(&b, "e");
    bcs(&b, "from-tag"); bcs(&b, ftag); bcs(&b, "sdp"); bstr(&b, sdp, sdpn);
    if (g_media == M_SRTP) { bcs(&b, "transport-protocol"); bcs(&b, "RTP/AVP"); }
    braw(&b, "e");
    return b.n;
}
static size_t body_answer(char *out, size_t cap, const char *callid, const char *ftag, const char *ttag, const char *sdp, size_t sdpn) {
    buf_t b = {out, 0, cap};
    braw(&b, "d"); bcs(&b, "call-id"); bcs(&b, callid); bcs(&b, "command"); bcs(&b, "answer");
    bcs(&b, "flags"); braw(&b, "l"); bcs(&b, "trust-address"); braw(&b, "e");
    bcs(&b, "from-tag"); bcs(&b, ftag); bcs(&b, "sdp"); bstr(&b, sdp, sdpn); bcs(&b, "to-tag"); bcs(&b, ttag); braw(&b, "e");
    return b.n;
}
static size_t body_delete(char *out, size_t cap, const char *callid, const char *ftag) {
    buf_t b = {out, 0, cap};
    braw(&b, "d"); bcs(&b, "call-id"); bcs(&b, callid); bcs(&b, "command"); bcs(&b, "delete");
    bcs(&b, "from-tag"); bcs(&b, ftag); braw(&b, "e");
    return b.n;
}

// ------------------------------------------------------------------ options
typedef struct {
    const char *mode, *ng, *stat, *phone_ip, *label, *codec;
    int calls, pps, pmin, pmax, batch, window, no_delete, max_calls;
    double warmup, duration, drain, rate, ng_timeout, max_wall;
} opts_t;
static opts_t O = { .phone_ip = "127.0.0.3", .calls = 10, .pps = 50, .pmin = 10000, .pmax = 15999, .batch = 32,
                    .window = 1, .warmup = 1.0, .duration = 10.0, .drain = 0.5, .ng_timeout = 1.0, .max_calls = 1000000,
                    .max_wall = 600, .label = "" };

static void usage(void) {
    fprintf(stderr,
        "usage: loadgen relay|flood|transcode|srtp|ng [options]\n"
        "  --codec pcma|opus      transcode: what phone A sends (B always PCMU)\n"
        "  --ng HOST:PORT         daemon's ng control socket (relay, flood: set up calls over ng)\n"
        "  --static HOST:BASE     no ng: call i uses relay ports BASE+2i (A side) and BASE+2i+1 (B side) (C reflector)\n"
        "  --calls N              calls (relay: default 10; flood: default 4)\n"
        "  --pps P                packets/s per direction per call (relay; default 50)\n"
        "  --phone-ip IP          phones' address (default 127.0.0.3); --phone-ports MIN-MAX (default 10000-15999)\n"
        "  --warmup S --duration S --drain S   timing of the measurement window (defaults 1, 10, 0.5)\n"
        "  --batch B              flood: packets per stream per round, one sendmmsg (default 32)\n"
        "  --window K --rate R    ng: calls in flight (default 1), calls/s pacing (default 0 = as fast as the window allows)\n"
        "  --max-calls N          ng: stop after N calls (default 1000000)\n"
        "  --daemon-pid PID --daemon-cpu N --gen-cpu M   CPU accounting (defaults: none, 1, 0)\n"
        "  --no-delete            keep the calls (relay/flood)\n"
        "  --max-wall S           hard limit on the whole run (default 600)\n"
        "  --label TEXT           copied into the JSON\n");
    exit(2);
}
static void parse_opts(int argc, char **argv) {
    if (argc < 2) usage();
    O.mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
#define NEXT() (i + 1 < argc ? argv[++i] : (usage(), ""))
        if (!strcmp(a, "--ng")) O.ng = NEXT();
        else if (!strcmp(a, "--static")) O.stat = NEXT();
        else if (!strcmp(a, "--calls")) O.calls = atoi(NEXT());
        else if (!strcmp(a, "--pps")) O.pps = atoi(NEXT());
        else if (!strcmp(a, "--phone-ip")) O.phone_ip = NEXT();
        else if (!strcmp(a, "--phone-ports")) { const char *v = NEXT(); if (sscanf(v, "%d-%d", &O.pmin, &O.pmax) != 2) usage(); }
        else if (!strcmp(a, "--warmup")) O.warmup = atof(NEXT());
        else if (!strcmp(a, "--duration")) O.duration = atof(NEXT());
        else if (!strcmp(a, "--drain")) O.drain = atof(NEXT());
        else if (!strcmp(a, "--batch")) O.batch = atoi(NEXT());
        else if (!strcmp(a, "--window")) O.window = atoi(NEXT());
        else if (!strcmp(a, "--rate")) O.rate = atof(NEXT());
        else if (!strcmp(a, "--max-calls")) O.max_calls = atoi(NEXT());
        else if (!strcmp(a, "--ng-timeout")) O.ng_timeout = atof(NEXT());
        else if (!strcmp(a, "--daemon-pid")) g_dpid = atoi(NEXT());
        else if (!strcmp(a, "--daemon-cpu")) g_dcpu = atoi(NEXT());
        else if (!strcmp(a, "--gen-cpu")) g_gcpu = atoi(NEXT());
        else if (!strcmp(a, "--no-delete")) O.no_delete = 1;
        else if (!strcmp(a, "--max-wall")) O.max_wall = atof(NEXT());
        else if (!strcmp(a, "--label")) O.label = NEXT();
        else if (!strcmp(a, "--codec")) O.codec = NEXT();
        else { fprintf(stderr, "unknown option %s\n", a); usage(); }
    }
    if (O.duration <= 0 || O.duration > 3600) die("--duration must be in (0, 3600]");
    if (O.batch < 1 || O.batch > 256) die("--batch must be 1..256");
    if (O.window < 1 || O.window > 4096) die("--window must be 1..4096");
    if (O.calls < 1 || O.calls > 8000) die("--calls must be 1..8000");
    if (!strcmp(O.mode, "transcode")) {
        if (!O.codec || (strcmp(O.codec, "pcma") && strcmp(O.codec, "opus"))) die("transcode needs --codec pcma|opus");
        g_media = !strcmp(O.codec, "pcma") ? M_PCMA_T : M_OPUS_T;
        if (!O.ng) die("transcode needs --ng (the reflector does not transcode)");
    }
    if (!strcmp(O.mode, "srtp")) { g_media = M_SRTP; if (!O.ng) die("srtp needs --ng"); }
}

// ------------------------------------------------------------------ media frames, SRTP keys
// One second of a speech-band signal (three formant-like tones under a 4 Hz syllable envelope
// plus a little noise), encoded once: 50 PCMA, PCMU and opus frames, cycled by sequence number.
#define NFRAMES 50
static uint8_t g_pcma[NFRAMES][160], g_pcmu[NFRAMES][160];
static uint8_t g_opus[NFRAMES][400]; static int g_opus_len[NFRAMES];

static double sig(double t, unsigned *rnd) {
    double env = 0.55 + 0.45 * sin(2 * M_PI * 4 * t);
    *rnd = *rnd * 1103515245u + 12345u;
    double noise = ((double)((*rnd >> 16) & 0x7fff) / 16384.0 - 1.0) * 0.03;
    return env * (0.35 * sin(2 * M_PI * 220 * t) + 0.2 * sin(2 * M_PI * 710 * t + 1) + 0.1 * sin(2 * M_PI * 1850 * t + 2)) + noise;
}
// G.711 encoders (ITU-T G.711, the classic Sun reference formulation)
static uint8_t lin2alaw(int16_t pcm) {
    static const int seg_end[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
    int v = pcm >> 3, mask;
    if (v >= 0) mask = 0xD5; else { mask = 0x55; v = -v - 1; }
    int seg = 0; while (seg < 8 && v > seg_end[seg]) seg++;
    if (seg >= 8) return (uint8_t)(0x7F ^ mask);
    int a = seg << 4;
    a |= seg < 2 ? (v >> 1) & 0xF : (v >> seg) & 0xF;
    return (uint8_t)(a ^ mask);
}
static uint8_t lin2ulaw(int16_t pcm) {
    static const int seg_end[8] = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
    int v = pcm >> 2, mask;
    if (v < 0) { v = -v; mask = 0x7F; } else mask = 0xFF;
    if (v > 8159) v = 8159;
    v += 0x21;
    int seg = 0; while (seg < 8 && v > seg_end[seg]) seg++;
    if (seg >= 8) return (uint8_t)(0x7F ^ mask);
    return (uint8_t)(((seg << 4) | ((v >> (seg + 1)) & 0xF)) ^ mask);
}
static void media_init(void) {
    unsigned rnd = 1;
    for (int f = 0; f < NFRAMES; f++)
        for (int i = 0; i < 160; i++) {
            int16_t x = (int16_t)(sig((f * 160 + i) / 8000.0, &rnd) * 20000);
            g_pcma[f][i] = lin2alaw(x); g_pcmu[f][i] = lin2ulaw(x);
        }
    if (g_media != M_OPUS_T) return;
    int err = 0;
    OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
    if (!enc || err != OPUS_OK) die("opus_encoder_create: %s", opus_strerror(err));
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
    opus_int16 pcm[960]; rnd = 1;
    for (int f = 0; f < NFRAMES; f++) {
        for (int i = 0; i < 960; i++) pcm[i] = (opus_int16)(sig((f * 960 + i) / 48000.0, &rnd) * 20000);
        g_opus_len[f] = opus_encode(enc, pcm, 960, g_opus[f], (opus_int32)sizeof g_opus[f]);
        if (g_opus_len[f] <= 0) die("opus_encode: %s", opus_strerror(g_opus_len[f]));
    }
    opus_encoder_destroy(enc);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void b64enc(const uint8_t *in, int n, char *out) {
    int k = 0;
    for (int i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[k++] = B64[v >> 18 & 63]; out[k++] = B64[v >> 12 & 63];
        out[k++] = i + 1 < n ? B64[v >> 6 & 63] : '='; out[k++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[k] = 0;
}
static int b64dec(const char *in, int n, uint8_t *out, int cap) {
    uint32_t v = 0; int bits = 0, k = 0;
    for (int i = 0; i < n && in[i] != '='; i++) {
        const char *p = strchr(B64, in[i]); if (!p || !in[i]) return -1;
        v = v << 6 | (uint32_t)(p - B64); bits += 6;
        if (bits >= 8) { bits -= 8; if (k >= cap) return -1; out[k++] = (uint8_t)(v >> bits); }
    }
    return k;
}
// libsrtp2 session for one direction, AES_CM_128_HMAC_SHA1_80, 30 bytes key+salt
static srtp_t srtp_session(const uint8_t *material, int inbound) {
    srtp_policy_t pol; memset(&pol, 0, sizeof pol);
    srtp_crypto_policy_set_rtp_default(&pol.rtp); srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
    pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    uint8_t key[64]; memset(key, 0, sizeof key); memcpy(key, material, 30);
    pol.key = key; pol.window_size = 1024; pol.allow_repeat_tx = 0;
    srtp_t s = NULL;
    if (srtp_create(&s, &pol) != srtp_err_status_ok) die("srtp_create failed");
    return s;
}
// "a=crypto:N AES_CM_128_HMAC_SHA1_80 inline:KEY[|...]" in an SDP -> 30 bytes
static int sdp_crypto(const char *sdp, size_t n, uint8_t *material) {
    char tmp[8192]; if (n >= sizeof tmp) n = sizeof tmp - 1; memcpy(tmp, sdp, n); tmp[n] = 0;
    for (char *a = strstr(tmp, "a=crypto:"); a; a = strstr(a + 1, "a=crypto:")) {
        char *suite = strchr(a, ' '); if (!suite) return -1;
        if (strncmp(suite + 1, "AES_CM_128_HMAC_SHA1_80 ", 24) != 0) continue;
        char *in = strstr(suite, "inline:"); if (!in) return -1;
        in += 7; int len = 0; while (in[len] && in[len] != '|' && in[len] != '\r' && in[len] != '\n' && in[len] != ' ') len++;
        return b64dec(in, len, material, 30) == 30 ? 0 : -1;
    }
    return -1;
}
// the formats of the first m=audio line contain `pt`; the m-line's protocol is `proto`
static int sdp_mline_has(const char *sdp, size_t n, int pt, const char *proto) {
    char tmp[8192]; if (n >= sizeof tmp) n = sizeof tmp - 1; memcpy(tmp, sdp, n); tmp[n] = 0;
    char *m = strstr(tmp, "m=audio "); if (!m) return 0;
    char *eol = strpbrk(m, "\r\n"); if (eol) *eol = 0;
    char *tok = strtok(m + 8, " "); tok = strtok(NULL, " ");   // port, protocol
    if (!tok || (proto && strcmp(tok, proto) != 0)) return 0;
    if (pt < 0) return 1;
    while ((tok = strtok(NULL, " "))) if (atoi(tok) == pt && tok[0] >= '0' && tok[0] <= '9') return 1;
    return 0;
}

// Why the daemon cannot run this mode (set during set-up or after the run); the calls are
// deleted and {"unsupported": why} is printed instead of numbers.
static char g_unsupported[512];
static void set_unsupported(const char *fmt, ...) {
    if (g_unsupported[0]) return;
    va_list ap; va_start(ap, fmt); vsnprintf(g_unsupported, sizeof g_unsupported, fmt, ap); va_end(ap);
    logf_("not supported: %s", g_unsupported);
}
static void print_unsupported(void) {
    printf("{\"mode\":\"%s\",\"media\":\"%s\",\"label\":\"%s\",\"unsupported\":\"", O.mode, MEDIA_NAME[g_media], O.label);
    for (char *p = g_unsupported; *p; p++) {
        if (*p == '\n') { putchar(' '); continue; }
        if (*p == '"' || *p == '\\') putchar('\\');
        if ((unsigned char)*p >= 0x20) putchar(*p);
    }
    printf("\"}\n"); fflush(stdout);
}

// ------------------------------------------------------------------ phones and calls
typedef struct {
    int fd[2];                      // phone A, phone B
    struct sockaddr_in local[2];
    struct sockaddr_in dest[2];     // where phone A sends (relay's A-facing port), where B sends
    char callid[64], ftag[32], ttag[32];
    int up;
    srtp_t stx, srx;                // srtp mode: phone A's outbound (its key) and inbound (the daemon's key)
} call_t;
typedef struct {                    // one direction of a call: stream s = 2*call + dir
    uint16_t seq; uint32_t ts, ssrc;
    uint64_t sent_win, recv_win, recv_total, sent_total, misdelivered;
    uint16_t seq_off; int off_known; // transcode: received seq - sent seq (0 when the daemon keeps it)
    uint64_t wrong_pt, auth_fail;   // received with a payload type the mode did not negotiate; SRTP failures
    int last_pt;
} stream_t;

static int g_next_port;
static int bind_phone(struct sockaddr_in *out) {
    for (; g_next_port <= O.pmax; g_next_port++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0); if (fd < 0) die("socket: %s", strerror(errno));
        struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(g_next_port);
        inet_pton(AF_INET, O.phone_ip, &a.sin_addr);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            int one = 1; setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
            int sz = 1 << 20; setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
            *out = a; g_next_port++; return fd;
        }
        close(fd);
    }
    die("ran out of phone ports in %d-%d", O.pmin, O.pmax); return -1;
}
static hist_t g_setup_lat;
static call_t *setup_calls(int n, ng_t *ng, int *nup) {
    call_t *c = calloc(n, sizeof *c); if (!c) die("oom");
    g_next_port = O.pmin;
    struct sockaddr_in sbase = {0};
    if (O.stat) {
        char h[64]; const char *colon = strrchr(O.stat, ':'); if (!colon) die("bad --static");
        snprintf(h, sizeof h, "%.*s", (int)(colon - O.stat), O.stat);
        sbase.sin_family = AF_INET; sbase.sin_port = htons(atoi(colon + 1));
        if (inet_pton(AF_INET, h, &sbase.sin_addr) != 1) die("bad --static address");
    }
    uint64_t t0 = mono(); int up = 0;
    for (int i = 0; i < n && !g_stop; i++) {
        c[i].fd[0] = bind_phone(&c[i].local[0]);
        c[i].fd[1] = bind_phone(&c[i].local[1]);
        if (O.stat) {
            c[i].dest[0] = sbase; c[i].dest[0].sin_port = htons(ntohs(sbase.sin_port) + 2 * i);
            c[i].dest[1] = sbase; c[i].dest[1].sin_port = htons(ntohs(sbase.sin_port) + 2 * i + 1);
            c[i].up = 1; up++; continue;
        }
        snprintf(c[i].callid, sizeof c[i].callid, "lg-%d-%" PRIu64 "-%d", (int)getpid(), t0 % 100000, i);
        snprintf(c[i].ftag, sizeof c[i].ftag, "A%d", i); snprintf(c[i].ttag, sizeof c[i].ttag, "B%d", i);
        char sdp[1024], body[4096]; const char *r; size_t rn; char err[256]; uint64_t lat;
        uint8_t keyA[30]; char keyA64[48] = "";
        if (g_media == M_SRTP) {
            for (int k = 0; k < 30; k++) keyA[k] = (uint8_t)(i * 131 + k * 17 + 7);
            b64enc(keyA, 30, keyA64);
        }
        size_t sn = make_sdp_side(sdp, sizeof sdp, O.phone_ip, ntohs(c[i].local[0].sin_port), 1000 + i, 0, keyA64);
        size_t bn = body_offer(body, sizeof body, c[i].callid, c[i].ftag, sdp, sn);
        if (ng_call(ng, body, bn, &r, &rn, O.ng_timeout, 3, &lat) < 0) { logf_("offer %d: no reply", i); continue; }
        hadd(&g_setup_lat, lat);
        if (!reply_ok(r, rn, err, sizeof err)) {
            if (i == 0 && g_media != M_PCMU) { set_unsupported("offer rejected: %s", err); break; }
            logf_("offer %d: %s", i, err); continue;
        }
        const char *s; size_t sl;
        if (bget(r, r + rn, "sdp", &s, &sl) != 0 || sdp_media(s, sl, &c[i].dest[1]) != 0) { logf_("offer %d: no usable SDP", i); continue; }
        // the offer towards B must carry what the mode needs, or B would answer something else
        if ((g_media == M_PCMA_T || g_media == M_OPUS_T) && !sdp_mline_has(s, sl, 0, NULL)) {
            set_unsupported("the offer towards B does not add PCMU (codec transcode ignored): %.*s", (int)(sl > 300 ? 300 : sl), s); break;
        }
        if (g_media == M_SRTP && (!sdp_mline_has(s, sl, -1, "RTP/AVP") || memmem(s, sl, "a=crypto:", 9))) {
            set_unsupported("the offer towards B is not plain RTP/AVP (transport-protocol ignored)"); break;
        }
        sn = make_sdp_side(sdp, sizeof sdp, O.phone_ip, ntohs(c[i].local[1].sin_port), 2000 + i, 1, NULL);
        bn = body_answer(body, sizeof body, c[i].callid, c[i].ftag, c[i].ttag, sdp, sn);
        if (ng_call(ng, body, bn, &r, &rn, O.ng_timeout, 3, &lat) < 0) { logf_("answer %d: no reply", i); continue; }
        hadd(&g_setup_lat, lat);
        if (!reply_ok(r, rn, err, sizeof err)) {
            if (i == 0 && g_media != M_PCMU) { set_unsupported("answer rejected: %s", err); break; }
            logf_("answer %d: %s", i, err); continue;
        }
        if (bget(r, r + rn, "sdp", &s, &sl) != 0 || sdp_media(s, sl, &c[i].dest[0]) != 0) { logf_("answer %d: no usable SDP", i); continue; }
        if ((g_media == M_PCMA_T && !sdp_mline_has(s, sl, 8, NULL)) || (g_media == M_OPUS_T && !sdp_mline_has(s, sl, OPUS_PT, NULL))) {
            set_unsupported("the answer towards A does not keep A's codec: %.*s", (int)(sl > 300 ? 300 : sl), s); break;
        }
        if (g_media == M_SRTP) {
            uint8_t keyD[30];
            if (!sdp_mline_has(s, sl, -1, "RTP/SAVP") || sdp_crypto(s, sl, keyD) != 0) {
                set_unsupported("the answer towards A has no RTP/SAVP AES_CM_128_HMAC_SHA1_80 a=crypto"); break;
            }
            c[i].stx = srtp_session(keyA, 0); c[i].srx = srtp_session(keyD, 1);
        }
        c[i].up = 1; up++;
    }
    logf_("set up %d/%d calls in %.2f s", up, n, (mono() - t0) / 1e9);
    *nup = up; return c;
}
static void delete_calls(call_t *c, int n, ng_t *ng) {
    if (!ng || O.no_delete) return;
    int fails = 0; uint64_t t0 = mono();
    for (int i = 0; i < n; i++) {
        if (!c[i].callid[0]) continue;
        char body[512]; const char *r; size_t rn; char err[256];
        size_t bn = body_delete(body, sizeof body, c[i].callid, c[i].ftag);
        if (ng_call(ng, body, bn, &r, &rn, O.ng_timeout, 3, NULL) < 0 || !reply_ok(r, rn, err, sizeof err)) fails++;
    }
    logf_("deleted calls in %.2f s (%d failures)", (mono() - t0) / 1e9, fails);
}

static void fill_packet(uint8_t *p, stream_t *st, uint32_t sid, uint64_t sent_real) {
    p[0] = 0x80; p[1] = 0;   // V=2, PT 0 (PCMU)
    p[2] = st->seq >> 8; p[3] = st->seq & 0xff;
    p[4] = st->ts >> 24; p[5] = st->ts >> 16; p[6] = st->ts >> 8; p[7] = st->ts;
    p[8] = st->ssrc >> 24; p[9] = st->ssrc >> 16; p[10] = st->ssrc >> 8; p[11] = st->ssrc;
    uint32_t magic = MAGIC;
    memcpy(p + 12, &magic, 4); memcpy(p + 16, &sid, 4); memcpy(p + 20, &sent_real, 8);
    st->seq++; st->ts += FRAME_SAMPLES;
}

// transcode: the send time of each stream's last RING packets, by sequence number
#define RING 256
static uint64_t *g_ring_t; static uint16_t *g_ring_seq;

// One packet of stream sid (= 2*call + dir) in the current media mode; returns its length.
// dir 0 = phone A (PCMA, opus or SRTP in the modes that change A's leg), dir 1 = phone B.
static int build_packet(uint8_t *p, stream_t *st, uint32_t sid, uint64_t sent_real, call_t *call) {
    int dir = (int)(sid % 2);
    if (g_media == M_PCMU || (g_media == M_SRTP && dir == 1)) { fill_packet(p, st, sid, sent_real); return PKT_LEN; }
    if (g_media == M_SRTP) {
        fill_packet(p, st, sid, sent_real);
        int len = PKT_LEN;
        if (srtp_protect(call->stx, p, &len) != srtp_err_status_ok) return -1;
        return len;
    }
    int f = st->seq % NFRAMES, pt, len, step;
    const uint8_t *payload;
    if (dir == 1) { pt = 0; payload = g_pcmu[f]; len = 160; step = FRAME_SAMPLES; }
    else if (g_media == M_PCMA_T) { pt = 8; payload = g_pcma[f]; len = 160; step = FRAME_SAMPLES; }
    else { pt = OPUS_PT; payload = g_opus[f]; len = g_opus_len[f]; step = 960; }   // opus: 48 kHz RTP clock
    p[0] = 0x80; p[1] = (uint8_t)pt;
    p[2] = st->seq >> 8; p[3] = st->seq & 0xff;
    p[4] = st->ts >> 24; p[5] = st->ts >> 16; p[6] = st->ts >> 8; p[7] = st->ts;
    p[8] = st->ssrc >> 24; p[9] = st->ssrc >> 16; p[10] = st->ssrc >> 8; p[11] = st->ssrc;
    memcpy(p + 12, payload, (size_t)len);
    g_ring_t[sid * RING + (st->seq & (RING - 1))] = sent_real;   // send time by sequence number
    g_ring_seq[sid * RING + (st->seq & (RING - 1))] = st->seq;
    st->seq++; st->ts += (uint32_t)step;
    return 12 + len;
}

// receive state shared by relay and flood
typedef struct {
    struct mmsghdr m[RXBATCH]; struct iovec iov[RXBATCH];
    uint8_t buf[RXBATCH][2048]; char ctrl[RXBATCH][64];
} rx_t;
static rx_t g_rx_state;
static void rx_init(rx_t *r) {
    for (int i = 0; i < RXBATCH; i++) {
        r->iov[i].iov_base = r->buf[i]; r->iov[i].iov_len = sizeof r->buf[i];
        memset(&r->m[i].msg_hdr, 0, sizeof r->m[i].msg_hdr);
        r->m[i].msg_hdr.msg_iov = &r->iov[i]; r->m[i].msg_hdr.msg_iovlen = 1;
    }
}
static inline void rx_reset_ctrl(rx_t *r) {
    for (int i = 0; i < RXBATCH; i++) { r->m[i].msg_hdr.msg_control = r->ctrl[i]; r->m[i].msg_hdr.msg_controllen = sizeof r->ctrl[i]; }
}
static inline uint64_t rx_ts(struct msghdr *h) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts; memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
        }
    return real();
}

// ------------------------------------------------------------------ relay mode
static int run_relay(int flood) {
    ng_t ng; ng_t *ngp = NULL;
    if (!O.ng && !O.stat) die("need --ng or --static");
    if (O.ng) { ng_open(&ng, O.ng); ngp = &ng; }
    int n = O.calls, nup = 0;
    uint64_t hard_end = mono() + (uint64_t)(O.max_wall * 1e9);
    call_t *c = setup_calls(n, ngp, &nup);
    int S = 2 * n;
    stream_t *st = calloc((size_t)(unsigned)S, sizeof *st); if (!st) die("oom");
    for (int s = 0; s < S; s++) { st[s].ssrc = 0x10000000u + (uint32_t)s * 7919u; st[s].seq = (uint16_t)(s * 31); st[s].ts = (uint32_t)s * 1000u; }
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) for (int d = 0; d < 2; d++) {
        if (!c[i].up) continue;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)(2 * i + d)};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd[d], &ev);
    }
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    { struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX}; epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev); }
    rx_t *rx = &g_rx_state; rx_init(rx);
    hist_t *lat = calloc(1, sizeof *lat), *late = calloc(1, sizeof *late);
    uint64_t period = 1000000000ull / (O.pps > 0 ? O.pps : 50);
    uint64_t t0 = mono() + 20000000ull;    // start in 20 ms
    uint64_t r0 = real() + 20000000ull;    // matching realtime origin (for the window on payload timestamps)
    uint64_t win_a = t0 + (uint64_t)(O.warmup * 1e9), win_b = win_a + (uint64_t)(O.duration * 1e9);
    uint64_t rwin_a = r0 + (win_a - t0), rwin_b = r0 + (win_b - t0);
    // relay modes keep sending through the drain (outside the window, not counted) so packets a
    // daemon holds in a codec pipeline come out; flood stops at the window end
    uint64_t end = win_b + (uint64_t)(O.drain * 1e9), stop_send = flood ? win_b : end;
    snap_t sa = {0}, sb = {0}; int have_a = 0, have_b = 0;
    uint64_t unknown = 0, send_err = 0, wakeups = 0, rx_calls = 0, rx_pkts = 0, flood_win_rx = 0;
    // relay pacing: stream s (only those of calls that are up) is due at t0 + k*period + s*period/S
    uint64_t k = 0; int sidx = 0;
    uint8_t pkt[PKT_MAX]; memset(pkt, 0xff, sizeof pkt);
    int transcoding = g_media == M_PCMA_T || g_media == M_OPUS_T;
    uint64_t rtcp_rx = 0, renumbered = 0, unmatched = 0;
    if (transcoding) {
        g_ring_t = calloc((size_t)S * RING, sizeof *g_ring_t); g_ring_seq = calloc((size_t)S * RING, sizeof *g_ring_seq);
        if (!g_ring_t || !g_ring_seq) die("oom");
        for (size_t i = 0; i < (size_t)S * RING; i++) g_ring_seq[i] = (uint16_t)(i % RING + 1);   // matches no seq yet
    }
    // flood: per-stream batch buffers
    int B = O.batch;
    uint8_t (*fb)[PKT_LEN] = NULL; struct mmsghdr *fm = NULL; struct iovec *fiov = NULL;
    if (flood) {
        fb = malloc((size_t)B * PKT_LEN); fm = calloc(B, sizeof *fm); fiov = calloc(B, sizeof *fiov);
        memset(fb, 0xff, (size_t)B * PKT_LEN);
        for (int j = 0; j < B; j++) { fiov[j].iov_base = fb[j]; fiov[j].iov_len = PKT_LEN; fm[j].msg_hdr.msg_iov = &fiov[j]; fm[j].msg_hdr.msg_iovlen = 1; }
    }
    uint64_t sent_total = 0, rounds = 0, round_left = 0, round_start = 0, round_timeouts = 0, written_off = 0; int flood_sent_now = 0;
    if (nup == 0) logf_("no call is up");
    while (!g_stop && nup > 0 && !g_unsupported[0]) {
        uint64_t now = mono();
        if (now >= hard_end) { logf_("--max-wall reached"); break; }
        if (!have_a && now >= win_a) { snap(&sa); have_a = 1; }
        if (!have_b && now >= win_b) { snap(&sb); have_b = 1; }
        if (now >= end) break;
        int sending = now >= t0 && now < stop_send;
        if (sending && !flood) {
            // send everything due up to now + 100 us
            uint64_t horizon = now + 100000ull;
            for (;;) {
                uint64_t due = t0 + k * period + (uint64_t)sidx * period / S;
                if (due > horizon || due >= stop_send) break;
                int ci = sidx / 2, d = sidx % 2;
                if (c[ci].up) {
                    uint64_t rn = real();
                    int len = build_packet(pkt, &st[sidx], (uint32_t)sidx, rn, &c[ci]);
                    ssize_t w = len < 0 ? -1 : sendto(c[ci].fd[d], pkt, (size_t)len, 0, (struct sockaddr *)&c[ci].dest[d], sizeof c[ci].dest[d]);
                    if (w < 0) send_err++;
                    else { st[sidx].sent_total++; sent_total++; if (rn >= rwin_a && rn < rwin_b) { st[sidx].sent_win++; uint64_t m = mono(); hadd(late, m > due ? m - due : 0); } }
                }
                if (++sidx == S) { sidx = 0; k++; }
            }
        } else if (sending && flood) {
            // Rounds: one sendmmsg batch of B packets on every stream (starting at a rotating
            // stream), then wait until the whole round came back (or 20 ms passed: the rest is
            // written off as lost) before the next round. A daemon's socket therefore never holds
            // more than B packets and is not refilled while the daemon is still draining it:
            // rtpengine gives up on a socket for good after reading more than 50 packets from it
            // in one go five times (MAX_RECV_ITERS / MAX_RECV_LOOP_STRIKES), which a free-running
            // closed loop on two CPUs triggers although no real RTP stream ever would.
            flood_sent_now = 0;
            if (round_left == 0 || now - round_start > 20000000ull) {
                if (round_left > 0) { round_timeouts++; written_off += round_left; }
                round_left = 0; rounds++;
                int rot = (int)(rounds % (uint64_t)S);
                uint64_t rn = real();
                for (int k2 = 0; k2 < S; k2++) {
                    int s = (k2 + rot) % S, ci = s / 2, d = s % 2;
                    if (!c[ci].up) continue;
                    for (int j = 0; j < B; j++) { fill_packet(fb[j], &st[s], (uint32_t)s, rn); fm[j].msg_hdr.msg_name = &c[ci].dest[d]; fm[j].msg_hdr.msg_namelen = sizeof c[ci].dest[d]; }
                    int w = sendmmsg(c[ci].fd[d], fm, B, MSG_DONTWAIT);
                    if (w < 0) { send_err++; w = 0; }
                    if (w < B) { st[s].seq -= (B - w); st[s].ts -= (B - w) * FRAME_SAMPLES; }
                    st[s].sent_total += w; sent_total += w; round_left += (uint64_t)w;
                    if (rn >= rwin_a && rn < rwin_b) st[s].sent_win += w;
                }
                round_start = mono(); flood_sent_now = 1;
            }
        }
        // wait: relay sleeps until the next due send (timerfd), flood only polls
        int timeout = 0;
        if (!flood) {
            uint64_t next = sending ? t0 + k * period + (uint64_t)sidx * period / S : (now < t0 ? t0 : end);
            if (!have_a && win_a < next) next = win_a;
            if (!have_b && win_b < next) next = win_b;
            if (next > end) next = end;
            struct itimerspec its = {0}; its.it_value.tv_sec = next / 1000000000ull; its.it_value.tv_nsec = next % 1000000000ull;
            if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
            timeout = 1000;
        }
        if (flood && !sending) timeout = 10;
        if (flood && sending && !flood_sent_now) timeout = 1;
        struct epoll_event evs[256];
        int ne = epoll_wait(ep, evs, 256, timeout); wakeups++;
        for (int e = 0; e < ne; e++) {
            uint64_t tag = evs[e].data.u64;
            if (tag == UINT64_MAX) { uint64_t x; (void)!read(tfd, &x, sizeof x); continue; }
            int ci = (int)(tag / 2), d = (int)(tag % 2);
            for (int rounds = 0; rounds < 8; rounds++) {
                rx_reset_ctrl(rx);
                int r = recvmmsg(c[ci].fd[d], rx->m, RXBATCH, MSG_DONTWAIT, NULL);
                if (r <= 0) break;
                rx_calls++; rx_pkts += r;
                uint64_t mnow = flood ? mono() : 0;
                for (int j = 0; j < r; j++) {
                    uint8_t *p = rx->buf[j]; uint32_t magic, sid; uint64_t sent;
                    if (g_media != M_PCMU) {
                        int len = (int)rx->m[j].msg_len;
                        if (len < 12 || (p[0] & 0xc0) != 0x80) { unknown++; continue; }
                        if (p[1] >= 200 && p[1] <= 206) { rtcp_rx++; continue; }   // RTCP the daemon generates
                        stream_t *s = &st[2 * ci + (1 - d)];                       // the stream this phone receives
                        int pt = p[1] & 0x7f;
                        if (transcoding) {
                            int want = d == 1 ? 0 : (g_media == M_PCMA_T ? 8 : OPUS_PT);
                            if (pt != want) { s->wrong_pt++; s->last_pt = pt; continue; }
                            // the payload was transcoded, so the stamp is gone: the sequence number
                            // names the packet (rtpengine keeps the sender's; a daemon that renumbers
                            // gets its offset learned from the first arrival: then estimated)
                            uint16_t sq = (uint16_t)(p[2] << 8 | p[3]);
                            int sid2 = 2 * ci + (1 - d);
                            if (!s->off_known) {
                                uint16_t back = (uint16_t)(s->seq - sq);   // how many sends ago, if unchanged
                                s->off_known = 1;
                                if (back == 0 || back > RING || g_ring_seq[sid2 * RING + (sq & (RING - 1))] != sq) { s->seq_off = (uint16_t)(sq - (uint16_t)(s->seq - 1)); renumbered++; }
                            }
                            uint16_t k2 = (uint16_t)(sq - s->seq_off);
                            s->recv_total++;
                            if (g_ring_seq[sid2 * RING + (k2 & (RING - 1))] != k2) { unmatched++; continue; }
                            uint64_t sent_at = g_ring_t[sid2 * RING + (k2 & (RING - 1))];
                            if (sent_at >= rwin_a && sent_at < rwin_b) {
                                s->recv_win++;
                                uint64_t ts = rx_ts(&rx->m[j].msg_hdr);
                                hadd(lat, ts > sent_at ? ts - sent_at : 0);
                            }
                            continue;
                        }
                        if (d == 0) {   // srtp: phone A receives SRTP from the daemon
                            if (srtp_unprotect(c[ci].srx, p, &len) != srtp_err_status_ok) { s->auth_fail++; continue; }
                            rx->m[j].msg_len = (unsigned)len;
                        }
                    }
                    if (rx->m[j].msg_len < 28) { unknown++; continue; }
                    memcpy(&magic, p + 12, 4); memcpy(&sid, p + 16, 4); memcpy(&sent, p + 20, 8);
                    if (magic != MAGIC || sid >= (uint32_t)S) { unknown++; continue; }
                    stream_t *s = &st[sid];
                    // stream sid = 2*call + dir is received by the *other* phone of the same call
                    if ((int)(sid / 2) != ci || (int)(sid % 2) == d) s->misdelivered++;
                    s->recv_total++;
                    if (flood && round_left) round_left--;
                    if (flood) { if (mnow >= win_a && mnow < win_b) flood_win_rx++; }
                    if (sent >= rwin_a && sent < rwin_b) {
                        s->recv_win++;
                        uint64_t ts = rx_ts(&rx->m[j].msg_hdr);
                        if (!flood || (j == 0)) hadd(lat, ts > sent ? ts - sent : 0);
                    }
                }
                if (r < RXBATCH) break;
            }
        }
    }
    if (!have_b) snap(&sb);
    if (!have_a) sa = sb;
    // aggregate
    uint64_t sent_win = 0, recv_win = 0, recv_total = 0, mis = 0; int dead = 0, lossy = 0, active = 0;
    for (int s = 0; s < S; s++) {
        if (!c[s / 2].up) continue;
        active++;
        sent_win += st[s].sent_win; recv_win += st[s].recv_win; recv_total += st[s].recv_total; mis += st[s].misdelivered;
        if (st[s].sent_win > 0 && st[s].recv_win == 0) dead++;
        else if (st[s].sent_win > 0 && (double)(st[s].sent_win - st[s].recv_win) > 0.01 * st[s].sent_win) lossy++;
    }
    uint64_t wrong_pt = 0, auth_fail = 0; int wrong_pt_last = -1;
    char wrong_pt_phone = '?';
    for (int s = 0; s < S; s++) {
        wrong_pt += st[s].wrong_pt; auth_fail += st[s].auth_fail;
        if (st[s].wrong_pt) { wrong_pt_last = st[s].last_pt; wrong_pt_phone = s % 2 == 0 ? 'B' : 'A'; }   // stream 2c+0 is received by B
    }
    delete_calls(c, n, ngp);
    for (int i = 0; i < n; i++) { if (c[i].stx) srtp_dealloc(c[i].stx); if (c[i].srx) srtp_dealloc(c[i].srx); }
    // a daemon that relays the offered codec unchanged or sends SRTP we cannot authenticate gets
    // no numbers: what it did is not the benchmark's operation
    if (transcoding && wrong_pt > recv_total)
        set_unsupported("the daemon relays without transcoding: %" PRIu64 " packets arrived with a payload type the phone did not negotiate (e.g. PT %d at phone %c), %" PRIu64 " transcoded",
                        wrong_pt, wrong_pt_last, wrong_pt_phone, recv_total);
    if (g_media == M_SRTP && auth_fail > recv_total / 2)
        set_unsupported("%" PRIu64 " SRTP packets from the daemon failed to authenticate (%" PRIu64 " received fine)", auth_fail, recv_total);
    if (g_unsupported[0]) { print_unsupported(); return 0; }
    double loss = sent_win ? 100.0 * (double)(sent_win - (recv_win > sent_win ? sent_win : recv_win)) / sent_win : 100.0;
    double dsec, dsched;
    FILE *f = stdout;
    fprintf(f, "{\"mode\":\"%s\",\"media\":\"%s\",\"label\":\"%s\",\"calls\":%d,\"calls_up\":%d,\"streams\":%d,", flood ? "flood" : O.mode, MEDIA_NAME[g_media], O.label, n, nup, active);
    fprintf(f, "\"wrong_pt\":%" PRIu64 ",\"auth_failures\":%" PRIu64 ",\"rtcp_received\":%" PRIu64 ",\"streams_renumbered\":%" PRIu64 ",\"unmatched\":%" PRIu64 ",\"latency_estimated\":%s,", wrong_pt, auth_fail, rtcp_rx, renumbered, unmatched, renumbered ? "true" : "false");
    fprintf(f, "\"pps_per_direction\":%d,\"offered_pps\":%.1f,\"window_s\":%.3f,", flood ? 0 : O.pps, flood ? 0.0 : (double)nup * 2 * O.pps, O.duration);
    fprintf(f, "\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"sent_total\":%" PRIu64 ",\"received_total\":%" PRIu64 ",", sent_win, recv_win, sent_total, recv_total);
    fprintf(f, "\"loss_pct\":%.4f,\"streams_dead\":%d,\"streams_lossy\":%d,\"misdelivered\":%" PRIu64 ",\"unknown\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",",
            loss, dead, lossy, mis, unknown, send_err);
    double wall = (sb.mono - sa.mono) / 1e9;
    double relayed = flood ? (double)flood_win_rx : (double)recv_win;
    fprintf(f, "\"relayed_in_window\":%.0f,\"relayed_pps\":%.1f,", relayed, wall > 0 ? relayed / wall : 0);
    if (flood) fprintf(f, "\"flood_batch\":%d,\"flood_rounds\":%" PRIu64 ",\"flood_round_timeouts\":%" PRIu64 ",\"flood_written_off\":%" PRIu64 ",", B, rounds, round_timeouts, written_off);
    fprintf(f, "\"rx_pkts_per_recv_call\":%.2f,\"gen_wakeups\":%" PRIu64 ",", rx_calls ? (double)rx_pkts / rx_calls : 0.0, wakeups);
    cpu_json(f, &sa, &sb, &dsec, &dsched); fprintf(f, ",");
    double cpu_for_pkt = dsched > 0 ? dsched : dsec;
    fprintf(f, "\"daemon_cpu_pct\":%.3f,\"daemon_us_per_pkt\":%.4f,\"daemon_ticks_us_per_pkt\":%.4f,\"relayed_per_cpu_s\":%.1f,\"daemon_cpu_pct_per_call\":%.5f,",
            wall > 0 && dsec >= 0 ? 100.0 * dsec / wall : -1,
            relayed > 0 && dsched >= 0 ? 1e6 * dsched / relayed : -1,
            relayed > 0 && dsec >= 0 ? 1e6 * dsec / relayed : -1,
            cpu_for_pkt > 0 ? relayed / cpu_for_pkt : -1,
            wall > 0 && dsec >= 0 && nup > 0 ? 100.0 * dsec / wall / nup : -1);
    hjson(f, "latency", lat); fprintf(f, ",");
    hjson(f, "gen_send_lateness", late); fprintf(f, ",");
    hjson(f, "setup_latency", &g_setup_lat);
    fprintf(f, "}\n"); fflush(f);
    return 0;
}

// ------------------------------------------------------------------ ng command-rate mode
typedef struct { int step; int call; uint64_t sent_at, first_sent; int retries; int len; char cookie[24]; char pkt[2048]; int busy; } slot_t;
static int run_ng(void) {
    if (!O.ng) die("ng mode needs --ng");
    ng_t ng; ng_open(&ng, O.ng);
    // ping first
    { const char *r; size_t rn; char err[128];
      static const char ping[] = "d7:command4:pinge";
      if (ng_call(&ng, ping, sizeof ping - 1, &r, &rn, 1.0, 2, NULL) < 0) die("daemon does not answer ping on %s", O.ng);
      if (!reply_ok(r, rn, err, sizeof err)) die("ping on %s: %s", O.ng, err); }
    int K = O.window;
    slot_t *sl = calloc(K, sizeof *sl);
    hist_t *h = calloc(3, sizeof *h), *hall = calloc(1, sizeof *hall);
    uint64_t ok[3] = {0}, errs[3] = {0}, timeouts = 0, retrans = 0, calls_done = 0, calls_started = 0;
    char lasterr[256] = "";
    char sdpA[1024], sdpB[1024];
    size_t snA = make_sdp(sdpA, sizeof sdpA, O.phone_ip, 10000, 1), snB = make_sdp(sdpB, sizeof sdpB, O.phone_ip, 10002, 2);
    uint64_t t0 = mono(), win_a = t0 + (uint64_t)(O.warmup * 1e9), win_b = win_a + (uint64_t)(O.duration * 1e9);
    uint64_t hard_end = t0 + (uint64_t)(O.max_wall * 1e9);
    snap_t sa = {0}, sb = {0}; int have_a = 0, have_b = 0;
    uint64_t cmds_win = 0, calls_win = 0;
    unsigned gen = 0; int tag = (int)(getpid() & 0xffff);
    uint64_t next_start = t0, rate_period = O.rate > 0 ? (uint64_t)(1e9 / O.rate) : 0;
    int inflight = 0;
    for (;;) {
        uint64_t now = mono();
        if (!have_a && now >= win_a) { snap(&sa); have_a = 1; }
        if (!have_b && now >= win_b) { snap(&sb); have_b = 1; }
        int starting = now < win_b && !g_stop && calls_started < (uint64_t)O.max_calls && now < hard_end;
        if (!starting && inflight == 0) break;
        if (now >= hard_end + 3000000000ull) break;
        // start new calls in free slots
        for (int i = 0; i < K && starting; i++) {
            if (sl[i].busy) continue;
            if (rate_period) { if (now < next_start) break; next_start += rate_period; if (next_start < now - 100 * rate_period) next_start = now; }
            sl[i].busy = 1; sl[i].step = 0; sl[i].call = (int)calls_started++; inflight++;
            sl[i].len = -1;
        }
        // (re)build and send what is pending
        for (int i = 0; i < K; i++) {
            slot_t *s = &sl[i];
            if (!s->busy || s->len >= 0) continue;
            char callid[64], body[2048]; size_t bn;
            snprintf(callid, sizeof callid, "ngb-%x-%d", tag, s->call);
            if (s->step == 0) bn = body_offer(body, sizeof body, callid, "A", sdpA, snA);
            else if (s->step == 1) bn = body_answer(body, sizeof body, callid, "A", "B", sdpB, snB);
            else bn = body_delete(body, sizeof body, callid, "A");
            int ck = snprintf(s->cookie, sizeof s->cookie, "%x%x_%u", tag, i, ++gen);
            memcpy(s->pkt, s->cookie, ck); s->pkt[ck] = ' '; memcpy(s->pkt + ck + 1, body, bn); s->len = ck + 1 + (int)bn;
            s->sent_at = s->first_sent = mono(); s->retries = 0;
            send(ng.fd, s->pkt, s->len, 0);
        }
        // retransmit / time out
        now = mono();
        for (int i = 0; i < K; i++) {
            slot_t *s = &sl[i];
            if (!s->busy || s->len < 0) continue;
            if (now - s->sent_at > (uint64_t)(O.ng_timeout * 1e9)) {
                if (s->retries >= 3) { timeouts++; s->busy = 0; inflight--; continue; }
                s->retries++; retrans++; s->sent_at = now; send(ng.fd, s->pkt, s->len, 0);
            }
        }
        // receive replies
        fd_set fs; FD_ZERO(&fs); FD_SET(ng.fd, &fs);
        struct timeval tv = {0, 1000};
        if (rate_period && inflight == 0) { uint64_t w = next_start > now ? next_start - now : 0; if (w > 1000000) w = 1000000; tv.tv_usec = (suseconds_t)(w / 1000); }
        if (select(ng.fd + 1, &fs, NULL, NULL, &tv) <= 0) continue;
        for (;;) {
            ssize_t n = recv(ng.fd, g_rx, sizeof g_rx - 1, MSG_DONTWAIT);
            if (n <= 0) break;
            uint64_t t = mono();
            char *sp = memchr(g_rx, ' ', n); if (!sp) continue;
            int ck = (int)(sp - g_rx);
            for (int i = 0; i < K; i++) {
                slot_t *s = &sl[i];
                if (!s->busy || s->len < 0 || (int)strlen(s->cookie) != ck || memcmp(s->cookie, g_rx, ck) != 0) continue;
                uint64_t l = t - s->first_sent; char err[256];
                int good = reply_ok(sp + 1, n - ck - 1, err, sizeof err);
                int in_win = s->first_sent >= win_a && s->first_sent < win_b;
                if (in_win) { hadd(&h[s->step], l); hadd(hall, l); cmds_win++; }
                if (good) ok[s->step]++; else { errs[s->step]++; snprintf(lasterr, sizeof lasterr, "%s", err); }
                if (!good && s->step < 2) s->step = 2;   // try to clean up
                else if (s->step < 2) s->step++;
                else { s->busy = 0; inflight--; calls_done++; if (in_win) calls_win++; }
                s->len = -1;
                break;
            }
        }
    }
    if (!have_b) snap(&sb);
    if (!have_a) sa = sb;
    double wall = (sb.mono - sa.mono) / 1e9, dsec, dsched;
    FILE *f = stdout;
    fprintf(f, "{\"mode\":\"ng\",\"label\":\"%s\",\"window\":%d,\"rate_calls_per_s\":%.1f,\"window_s\":%.3f,", O.label, K, O.rate, O.duration);
    fprintf(f, "\"calls_started\":%" PRIu64 ",\"calls_completed\":%" PRIu64 ",\"commands_in_window\":%" PRIu64 ",\"commands_per_s\":%.1f,\"calls_per_s\":%.1f,",
            calls_started, calls_done, cmds_win, wall > 0 ? cmds_win / wall : 0, wall > 0 ? calls_win / wall : 0);
    fprintf(f, "\"ok\":{\"offer\":%" PRIu64 ",\"answer\":%" PRIu64 ",\"delete\":%" PRIu64 "},\"errors\":{\"offer\":%" PRIu64 ",\"answer\":%" PRIu64 ",\"delete\":%" PRIu64 "},\"timeouts\":%" PRIu64 ",\"retransmits\":%" PRIu64 ",",
            ok[0], ok[1], ok[2], errs[0], errs[1], errs[2], timeouts, retrans);
    fprintf(f, "\"last_error\":\"");
    for (char *p = lasterr; *p; p++) { if (*p == '"' || *p == '\\') fputc('\\', f); if ((unsigned char)*p >= 0x20) fputc(*p, f); }
    fprintf(f, "\",");
    cpu_json(f, &sa, &sb, &dsec, &dsched); fprintf(f, ",");
    double cpu = dsched > 0 ? dsched : dsec;
    fprintf(f, "\"daemon_cpu_pct\":%.3f,\"daemon_us_per_cmd\":%.3f,", wall > 0 && dsec >= 0 ? 100 * dsec / wall : -1, cmds_win && cpu >= 0 ? 1e6 * cpu / cmds_win : -1);
    hjson(f, "latency_all", hall); fprintf(f, ",");
    hjson(f, "latency_offer", &h[0]); fprintf(f, ",");
    hjson(f, "latency_answer", &h[1]); fprintf(f, ",");
    hjson(f, "latency_delete", &h[2]);
    fprintf(f, "}\n"); fflush(f);
    return 0;
}

int main(int argc, char **argv) {
    parse_opts(argc, argv);
    signal(SIGINT, on_signal); signal(SIGTERM, on_signal); signal(SIGPIPE, SIG_IGN);
    struct rlimit rl; if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    if (!strcmp(O.mode, "relay")) return run_relay(0);
    if (!strcmp(O.mode, "flood")) return run_relay(1);
    if (!strcmp(O.mode, "transcode") || !strcmp(O.mode, "srtp")) {
        media_init();
        if (g_media == M_SRTP && srtp_init() != srtp_err_status_ok) die("srtp_init failed");
        return run_relay(0);
    }
    if (!strcmp(O.mode, "ng")) return run_ng();
    usage(); return 2;
}
