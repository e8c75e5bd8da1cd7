// Proxy: see DESIGN.md
