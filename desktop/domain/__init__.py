"""Plain-Python rules of the product: phones, outcomes, cadence, compliance. Imports nothing above."""
