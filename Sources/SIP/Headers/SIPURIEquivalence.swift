extension SIPURI {
    /// RFC 3261 §19.1.4 URI comparison: user and password case-sensitive, host and parameter
    /// names case-insensitive, an absent port differs from an explicit one, `user`, `ttl`,
    /// `method`, `maddr` and `transport` must match when either side has them, other
    /// parameters only when both have them, and header sets must match exactly.
    public func isEquivalent(to other: SIPURI) -> Bool {
        guard scheme == other.scheme, user == other.user, password == other.password,
              SIPText.equalsIgnoringCase(host, other.host), port == other.port else { return false }
        for name in ["user", "ttl", "method", "maddr", "transport"] {
            guard sameValue(parameters[name], other.parameters[name]) else { return false }
        }
        for p in parameters.list {
            if let theirs = other.parameters[p.name], !sameValue(.some(p.value), theirs) { return false }
        }
        return Set(headerPairs) == Set(other.headerPairs)
    }

    private func sameValue(_ a: String??, _ b: String??) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (.some(let x), .some(let y)): x.map(SIPText.lower) == y.map(SIPText.lower)
        default: false
        }
    }

    private var headerPairs: [String] {
        guard let headers else { return [] }
        return headers.split(separator: "&").map { pair in
            guard let eq = pair.firstIndex(of: "=") else { return SIPText.lower(pair) }
            return SIPText.lower(pair[..<eq]) + "=" + pair[pair.index(after: eq)...]
        }
    }
}
