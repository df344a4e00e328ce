"""Core: the error hierarchy, logging, the data contract, the results contract and the message catalog.

Everything else may import these; they import nothing else of crmreport."""
