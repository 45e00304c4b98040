"""Analytics: the official India–Russia trade series and the corridor's own figures (value by
direction, month and HS chapter, balance, currency share, progress to the USD 100 bn target,
release times, lanes and refusals), computed with Polars over a read-only extract of the node's
database."""
