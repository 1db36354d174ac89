// Removes the SIMILAR relationships leaving some nodes of one label (before their top-k is rewritten by 'update'); rows: {key}.
// params: rows
UNWIND $rows AS row
MATCH (a:{{label}} {{{key}}: row.key})-[r:SIMILAR]->(b:{{label}})
DELETE r
