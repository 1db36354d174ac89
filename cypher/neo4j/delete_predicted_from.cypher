// Removes the PREDICTED relationships leaving some documents (before 'update' rewrites their recommendations); rows: {key}.
// params: rows
UNWIND $rows AS row
MATCH (a:Document {id: row.key})-[r:PREDICTED]->(b:Label)
DELETE r
