import Testing

/// Every integration test runs real `tandemd` processes on fixed loopback ports (see
/// `PortSlot`), one at a time: timing-sensitive checks (timeouts, signals) stay reliable on a
/// small machine, and no two tests share a port even when slots are reused.
@Suite(.serialized) struct Integration {}
