"""The year end: declarations, evidence, recognition evaluation, review, notice, results."""
