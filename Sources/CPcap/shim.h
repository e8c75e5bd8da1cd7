#pragma once
#include <pcap/pcap.h>
/// pcap_dump takes the dumper as `u_char *`; this keeps the cast out of Swift.
static inline void tandem_pcap_dump(pcap_dumper_t *d, const struct pcap_pkthdr *h, const u_char *bytes) { pcap_dump((u_char *)d, h, bytes); }
