// Removes the vectors of one label and their vector index (before vectors of another dimension are written).
// params: none
DROP INDEX {{index_name}} IF EXISTS;
MATCH (n:{{label}}) WHERE n.embedding IS NOT NULL REMOVE n.embedding, n.context_embedding, n.embedding_run;
