// Adds PREDICTED {score, rank, run} relationships; rows: {a (document id), b (label name), score, rank, run}.
// CREATE, not MERGE: every PREDICTED is deleted before a rebuild (delete_predicted), as for SIMILAR.
// params: rows
UNWIND $rows AS row
MATCH (d:Document {id: row.a})
MATCH (l:Label {name: row.b})
CREATE (d)-[:PREDICTED {score: row.score, rank: row.rank, run: row.run}]->(l)
