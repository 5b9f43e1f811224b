"""Tests of the gate, the report, watch and publish (pipeline/host)."""
