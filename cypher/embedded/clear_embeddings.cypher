// Removes old vectors from nodes that the current run could not embed; rows: {key}.
// params: rows
LOAD FROM $rows
MATCH (n:{{label}} {{{key}}: key})
SET n.embedding = NULL, n.context_embedding = NULL, n.embedding_run = NULL
