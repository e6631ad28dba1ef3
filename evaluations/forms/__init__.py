"""Forms, one module per topic (the same names as views/ and templates/evaluations/)."""
