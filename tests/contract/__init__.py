"""Contract suites: tests written once against a contract, run on every implementation."""
