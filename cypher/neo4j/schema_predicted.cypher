// Index on PREDICTED's rank so "top 5 of the stored top-k" reads few relationships.
// params: none
CREATE INDEX IF NOT EXISTS FOR ()-[r:PREDICTED]-() ON (r.rank);
