"""Engines: the grant, the ledger, the rules, the gaps and what a plan moves."""
