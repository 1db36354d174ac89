// Removes the SIMILAR relationships leaving some nodes of one label (before their top-k is rewritten by 'update'); rows: {key}.
// params: rows
LOAD FROM $rows MATCH (a:{{label}} {{{key}}: key})-[r:SIMILAR]->(b:{{label}}) DELETE r
