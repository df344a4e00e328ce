"""Statistics: pure functions over sufficient statistics (n, sums, sums of squares) or arrays.

No I/O, no params, no plotting: A/B comparisons (``abtest``), their checks (``abchecks``),
Bayesian view (``abbayes``), power (``abpower``), readings valid at every look (``sequential``,
``groupseq``), two-window tests (``beforeafter``) and effect
models (``effects``)."""
