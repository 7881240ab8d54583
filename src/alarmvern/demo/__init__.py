"""The demo: a store filled with synthetic customers, to see the system alive."""
