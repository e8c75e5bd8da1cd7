// Crypto: see DESIGN.md
