"""Page-level assembly of the metric pages: every figure comes from the metric engine
(``kefu.metrics.engine``); these modules only choose the spans, groups and keys to ask
for, and arrange the answers (cells with their drill-down links, chart series)."""
