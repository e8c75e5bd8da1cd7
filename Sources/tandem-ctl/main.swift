print("tandem-ctl: not yet wired")
