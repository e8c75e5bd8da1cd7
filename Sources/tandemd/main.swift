print("tandemd: not yet wired")
