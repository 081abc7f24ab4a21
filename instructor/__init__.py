"""Instructor tooling: execute, release helpers, grading (sandbox, guard, integrity, feedback),
examples, benchmarks and the lab launcher.  Run through the Makefile; never imported by the notebooks
and never given to students (students receive only ``helpers/``)."""
