// Adds SIMILAR {score, rank, run} relationships between nodes of one label; rows: {a, b, score, rank, run}.
// params: rows
UNWIND $rows AS row
MATCH (a:{{label}} {{{key}}: row.a})
MATCH (b:{{label}} {{{key}}: row.b})
MERGE (a)-[r:SIMILAR]->(b)
SET r.score = row.score, r.rank = row.rank, r.run = row.run
