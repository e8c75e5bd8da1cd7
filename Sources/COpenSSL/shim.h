#pragma once
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/sha.h>
// Function-like macros and variadic functions are not importable; wrapped here.
static inline void tandem_openssl_free(void *p) { OPENSSL_free(p); }
static inline long tandem_dtls_set_link_mtu(SSL *s, long mtu) { return DTLS_set_link_mtu(s, mtu); }
static inline long tandem_ssl_ctx_set_read_ahead(SSL_CTX *c, long on) { return SSL_CTX_set_read_ahead(c, on); }
static inline long tandem_bio_set_mem_eof_return(BIO *b, long v) { return BIO_set_mem_eof_return(b, v); }
static inline size_t tandem_bio_ctrl_pending(BIO *b) { return BIO_ctrl_pending(b); }
static inline uint64_t tandem_ssl_op_no_query_mtu(void) { return SSL_OP_NO_QUERY_MTU; }
static inline EVP_PKEY *tandem_evp_ec_gen_p256(void) { return EVP_EC_gen("P-256"); }

// ---- SRTP (Sources/Crypto/SRTP): HMAC-SHA1 from precomputed inner/outer SHA-1 states. ----
// The low-level SHA1_* API is deprecated in OpenSSL 3 but it is the one that neither
// allocates nor takes locks: EVP_MAC/HMAC_Init_ex re-initialisation allocates. The key is
// hashed into two SHA_CTX states once; each tag copies them (two 96-byte struct copies).
#include <string.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
typedef struct tandem_hmac_sha1_key {
    SHA_CTX inner;
    SHA_CTX outer;
} tandem_hmac_sha1_key;

/// Precomputes the ipad/opad states for `key` (any length; > 64 bytes is hashed first).
static inline void tandem_hmac_sha1_key_init(tandem_hmac_sha1_key *k, const unsigned char *key, size_t len) {
    unsigned char block[64] = {0};
    if (len > 64) { SHA1(key, len, block); } else if (len > 0) { memcpy(block, key, len); }
    unsigned char pad[64];
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&k->inner); SHA1_Update(&k->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&k->outer); SHA1_Update(&k->outer, pad, 64);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
}

/// HMAC-SHA1(key, a || b) into out[20]. `b` may be NULL when blen is 0.
static inline void tandem_hmac_sha1(const tandem_hmac_sha1_key *k,
                                    const void *a, size_t alen, const void *b, size_t blen,
                                    unsigned char out[20]) {
    SHA_CTX c = k->inner;
    SHA1_Update(&c, a, alen);
    if (blen) SHA1_Update(&c, b, blen);
    unsigned char inner[20];
    SHA1_Final(inner, &c);
    c = k->outer;
    SHA1_Update(&c, inner, 20);
    SHA1_Final(out, &c);
}
#pragma GCC diagnostic pop

/* ---- BEGIN DTLS endpoint wrappers (Sources/Crypto/DTLS) ---- */
#include <openssl/pem.h>
#include <openssl/srtp.h>
static inline long tandem_dtlsv1_get_timeout(SSL *s, long *sec, long *usec) {
    struct timeval tv = {0, 0};
    long r = DTLSv1_get_timeout(s, &tv);
    *sec = (long)tv.tv_sec; *usec = (long)tv.tv_usec;
    return r;
}
static inline long tandem_dtlsv1_handle_timeout(SSL *s) { return DTLSv1_handle_timeout(s); }
static inline long tandem_ssl_ctx_set_min_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_min_proto_version(c, v); }
static inline long tandem_ssl_ctx_set_max_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_max_proto_version(c, v); }
static inline uint64_t tandem_ssl_op_no_ticket(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t tandem_ssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline int tandem_ssl_set_app_data(SSL *s, void *p) { return SSL_set_app_data(s, p); }
static inline void *tandem_ssl_get_app_data(const SSL *s) { return SSL_get_app_data(s); }
/* ---- END DTLS endpoint wrappers ---- */
