// Adds PREDICTED {score, rank, run} relationships; rows: {a (document id), b (label name), score, rank, run} (bulk COPY).
// params: rows
COPY PREDICTED FROM $rows
