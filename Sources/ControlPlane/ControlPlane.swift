// ControlPlane: see DESIGN.md
