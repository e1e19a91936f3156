"""Parametric problem families; see base.py for the contract and registry.py for discovery."""
