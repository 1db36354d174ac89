// The run records: one EmbeddingRun node per training and write-back.
// params: none
CREATE CONSTRAINT graphvec_run_id IF NOT EXISTS FOR (r:EmbeddingRun) REQUIRE r.id IS UNIQUE;
