// Bencode: see DESIGN.md
