// MediaIO: see DESIGN.md
