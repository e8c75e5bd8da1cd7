import Foundation
import Testing
import CSRTP
import COpus
import CSpanDSP
import COpenSSL
import CPcap
import CSpeexDSP

// Proves the install path from day one: each system library links and answers a real call.

// srtp_init() is left to CryptoTests' oracle: libsrtp2 refuses a second init in one process.
@Test func libsrtp2Links() {
    #expect(srtp_get_version() >= 0x0200_0000, "libsrtp 2.x")
    #expect(String(cString: srtp_get_version_string()).contains("2."))
}

@Test func opusEncodesAFrame() throws {
    var err: Int32 = 0
    let enc = try #require(opus_encoder_create(8000, 1, OPUS_APPLICATION_VOIP, &err))
    #expect(err == OPUS_OK)
    defer { opus_encoder_destroy(enc) }
    let pcm = (0..<160).map { Int16(truncatingIfNeeded: Int(8000 * sin(Double($0) * 0.3))) }
    var out = [UInt8](repeating: 0, count: 400)
    let n = opus_encode(enc, pcm, 160, &out, 400)
    #expect(n > 0)
}

@Test func spandspConvertsALawToMuLaw() {
    // A-law 0xD5 is +8 (smallest positive step); its mu-law code is 0xFF-ish near zero.
    #expect(alaw_to_ulaw(0xD5) != 0)
    #expect(ulaw_to_alaw(alaw_to_ulaw(0xD5)) == 0xD5)
}

@Test func opensslCreatesADTLSContext() {
    let ctx = SSL_CTX_new(DTLS_method())
    #expect(ctx != nil)
    SSL_CTX_free(ctx)
}

@Test func libpcapOpensADeadHandle() {
    let p = pcap_open_dead(DLT_EN10MB, 65535)
    #expect(p != nil)
    pcap_close(p)
}

@Test func speexdspResamples16kTo8k() {
    var err: Int32 = 0
    let resampler = speex_resampler_init(1, 16000, 8000, 5, &err)
    #expect(resampler != nil && err == 0)
    var input = [Int16](repeating: 1000, count: 320)
    var output = [Int16](repeating: 0, count: 200)
    var inLen: UInt32 = 320
    var outLen: UInt32 = 200
    speex_resampler_process_int(resampler, 0, &input, &inLen, &output, &outLen)
    #expect(outLen > 100)
    speex_resampler_destroy(resampler)
}
