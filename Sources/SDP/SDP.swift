// SDP: see DESIGN.md
