// For one label: every node that has a vector, with its key and vector only (what 'update' keeps
// of the documents it does not rewrite: half the memory of reading their context vectors too).
// params: none
MATCH (n:{{label}}) WHERE n.embedding IS NOT NULL
RETURN n.{{key}} AS key, n.embedding AS embedding
