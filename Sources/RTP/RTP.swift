// RTP: see DESIGN.md
