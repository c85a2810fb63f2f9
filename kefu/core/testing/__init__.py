"""Test helpers shared by every app's tests (factories); never imported by run-time code."""
