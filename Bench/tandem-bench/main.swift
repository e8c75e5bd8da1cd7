print("tandem-bench: not yet wired")
