// NGProtocol: see DESIGN.md
