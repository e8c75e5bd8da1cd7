print("tandem-proxy: not yet wired")
