// Index on the run id that wrote each node's vector, so resuming and staleness checks stay fast.
// params: none
CREATE INDEX IF NOT EXISTS FOR (n:{{label}}) ON (n.embedding_run);
