// Adds SIMILAR {score, rank, run} relationships between nodes of one label; rows: {a, b, score, rank, run} (bulk COPY).
// params: rows
COPY SIMILAR FROM $rows (from='{{label}}', to='{{label}}')
