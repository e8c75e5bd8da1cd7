import Glibc

// tandem-bench: hot-path benchmarks. Each subcommand lives in its own file.

let usage = """
usage: tandem-bench <command> [options]
  relay-mallocs [--packets N] [--calls C] [--srtp 1] [--transcode pcma-pcmu|pcmu-pcma|opus-pcmu|pcmu-opus|all]
                                            heap allocations per relayed packet (must be 0); --srtp 1
                                            also relays RTP -> SRTP and compares pps with plain;
                                            --transcode runs packets through the transcode handler
                                            (G.711 held to 0 mallocs, opus reported) with CPU ns/packet
  relay-pps [--seconds S] [--calls C]       relayed packets per second and CPU per packet
  micro [--iterations N] [--check [--mallocs-only]]
                                            control-path ns and mallocs per operation vs Bench/thresholds.json
  srtp [--packets N] [--rounds R]           ns and mallocs per SRTP protect/unprotect, ours vs libsrtp2
  codecs [--cpu N] [--seconds S]            ns per 20 ms frame of each transcoding path, mallocs per frame
"""

let arguments = CommandLine.arguments
let command = arguments.dropFirst().first
switch command {
case "relay-mallocs": exit(RelayMallocs.run(arguments.dropFirst(2)))
case "relay-pps": exit(RelayPPS.run(arguments.dropFirst(2)))
case "micro": exit(Micro.run(arguments.dropFirst(2)))
case "srtp": exit(SRTPBench.run(arguments.dropFirst(2)))
case "codecs": exit(CodecsBench.run(arguments.dropFirst(2)))
default:
    print(usage)
    exit(command == nil || command == "help" || command == "--help" ? 0 : 2)
}
