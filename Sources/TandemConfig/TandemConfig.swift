// TandemConfig: see DESIGN.md
