"""Published claims as machine-checkable specs, evidence computed from every source that can
speak to them, and a verdict with the numbers (issue 4)."""
