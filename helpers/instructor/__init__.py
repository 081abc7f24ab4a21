"""Instructor tooling (execute, grade). Not used by the notebooks; run through the Makefile."""
