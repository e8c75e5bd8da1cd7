// STUN: see DESIGN.md
