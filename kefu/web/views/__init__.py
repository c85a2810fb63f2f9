"""Site-wide pages: the home page of each role, and the conversation pages."""
