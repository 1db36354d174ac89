// The run records: one EmbeddingRun node per training and write-back.
// params: none
CREATE NODE TABLE IF NOT EXISTS EmbeddingRun(id STRING PRIMARY KEY, created_at STRING, method STRING, parameters STRING, nodes INT64, dimensions INT64, graph_fingerprint STRING, seconds DOUBLE, status STRING, labels STRING);
