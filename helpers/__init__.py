"""Neural Network Foundations course helpers."""
