// Removes the vectors of some nodes; rows: {key}.  Old vectors of nodes the current run could not
// embed, and (ingest) those of re-ingested documents whose labels changed, which 'graphvec update'
// then derives again.
// params: rows
UNWIND $rows AS row
MATCH (n:{{label}} {{{key}}: row.key})
REMOVE n.embedding, n.context_embedding, n.embedding_run
