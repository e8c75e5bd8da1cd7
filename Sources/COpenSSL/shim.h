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
