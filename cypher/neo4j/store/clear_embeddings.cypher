// Removes old vectors from nodes that the current run could not embed; rows: {key}.
// params: rows
UNWIND $rows AS row
MATCH (n:{{label}} {{{key}}: row.key})
REMOVE n.embedding, n.context_embedding, n.embedding_run
