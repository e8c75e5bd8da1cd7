// libsrtp2: used only as the test oracle for our own SRTP (see DESIGN.md).
#pragma once
#include <srtp2/srtp.h>
/// SRTP_MAX_TRAILER_LEN is a macro Swift cannot import.
static inline int tandem_srtp_max_trailer_len(void) { return SRTP_MAX_TRAILER_LEN; }
