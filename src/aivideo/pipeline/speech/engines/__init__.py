"""The speech engines, one module each."""
