// Removes the vectors of some nodes; rows: {key}.  A re-ingested document whose labels changed
// loses the vector derived from its old labels here, so that 'graphvec update' derives it again
// and rewrites its SIMILAR and PREDICTED.
// params: rows
LOAD FROM $rows
MATCH (n:{{label}}) WHERE n.{{key}} = key
SET n.embedding = NULL, n.context_embedding = NULL, n.embedding_run = NULL
