// SIP: see DESIGN.md
