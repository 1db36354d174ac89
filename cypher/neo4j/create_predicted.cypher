// Adds PREDICTED {score, rank, run} relationships; rows: {a (document id), b (label name), score, rank, run}.
// params: rows
UNWIND $rows AS row
MATCH (d:Document {id: row.a})
MATCH (l:Label {name: row.b})
MERGE (d)-[r:PREDICTED]->(l)
SET r.score = row.score, r.rank = row.rank, r.run = row.run
