/// `a=rtcp-mux` (RFC 5761): RTP and RTCP share one port. A flag attribute.
public enum RTCPMux {
    public static let attributeName = "rtcp-mux"
}

extension SDPLineContainer {
    /// Whether `a=rtcp-mux` is present; setting true appends it if missing, false removes it.
    public var rtcpMux: Bool {
        get { hasAttribute(RTCPMux.attributeName) }
        set {
            if newValue {
                if !rtcpMux { appendAttribute(RTCPMux.attributeName) }
            } else {
                removeAttributes(RTCPMux.attributeName)
            }
        }
    }
}
