"""The metric pages: dashboard, trends, ranking, teams, scorecards, campaign reviews,
glossary, settings, and the drill-down list behind every figure."""
