// Codecs: see DESIGN.md
