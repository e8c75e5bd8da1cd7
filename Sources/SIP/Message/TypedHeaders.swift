/// Typed views of the headers a proxy works with. Getters return nil (or an empty list) when the
/// header is absent or does not parse; setters replace the header with the printed value.
extension SIPHeaders {
    /// All Via values, top first; nil when any of them is malformed.
    public var vias: [Via]? { parseAll("Via", Via.init) }

    /// The topmost Via (the previous hop of a request, us on a response we sent).
    public var topVia: Via? { first("Via").flatMap(Via.init) }

    /// Pushes a Via above all others (§16.6 step 8).
    public mutating func pushVia(_ via: Via) { insertFirst("Via", via.description) }

    /// Removes the topmost Via value and returns it parsed (nil if absent or malformed; the
    /// value is removed either way).
    @discardableResult
    public mutating func popVia() -> Via? { removeFirstValue("Via").flatMap(Via.init) }

    public var from: NameAddr? {
        get { first("From").flatMap(NameAddr.init) }
        set { self["From"] = newValue?.description }
    }

    public var to: NameAddr? {
        get { first("To").flatMap(NameAddr.init) }
        set { self["To"] = newValue?.description }
    }

    public var callID: String? {
        get { first("Call-ID") }
        set { self["Call-ID"] = newValue }
    }

    public var cseq: CSeq? {
        get { first("CSeq").flatMap(CSeq.init) }
        set { self["CSeq"] = newValue?.description }
    }

    public var maxForwards: MaxForwards? {
        get { first("Max-Forwards").flatMap(MaxForwards.init) }
        set { self["Max-Forwards"] = newValue?.description }
    }

    public var contentLength: ContentLength? { first("Content-Length").flatMap(ContentLength.init) }

    public var contentType: String? { first("Content-Type") }

    /// Route values in order (the first is the next hop for loose routing); nil if malformed.
    public var routes: [NameAddr]? { parseAll("Route", NameAddr.init) }

    public var recordRoutes: [NameAddr]? { parseAll("Record-Route", NameAddr.init) }

    /// Contact values; nil if malformed (including `Contact: *`, see `isContactWildcard`).
    public var contacts: [NameAddr]? { parseAll("Contact", NameAddr.init) }

    /// `Contact: *` (REGISTER removing all bindings, §10.2.2).
    public var isContactWildcard: Bool { values("Contact") == ["*"] }

    private func parseAll<T>(_ name: String, _ parse: (String) -> T?) -> [T]? {
        var out: [T] = []
        for value in values(name) {
            guard let v = parse(value) else { return nil }
            out.append(v)
        }
        return out
    }
}
