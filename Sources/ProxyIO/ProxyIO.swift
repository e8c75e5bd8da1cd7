// ProxyIO: see DESIGN.md
