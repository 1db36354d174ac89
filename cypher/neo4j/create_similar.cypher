// Adds SIMILAR {score, rank, run} relationships between nodes of one label; rows: {a, b, score, rank, run}.
// CREATE, not MERGE: graphvec always deletes the SIMILAR it rewrites first (delete_similar,
// delete_similar_from), so a re-run never duplicates them, and CREATE took 3.6 s for 100k where
// MERGE took 4.8 s (and deadlocked in parallel sessions).
// params: rows
UNWIND $rows AS row
MATCH (a:{{label}} {{{key}}: row.a})
MATCH (b:{{label}} {{{key}}: row.b})
CREATE (a)-[:SIMILAR {score: row.score, rank: row.rank, run: row.run}]->(b)
