"""Other implementations of the pack semantics, derived from the same pack model (``govrules.model``).

They exist to cross-check the core evaluator, not to replace it: see docs/trust.md.
"""
