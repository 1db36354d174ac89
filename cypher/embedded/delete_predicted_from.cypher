// Removes the PREDICTED relationships leaving some documents (before 'update' rewrites their recommendations); rows: {key}.
// params: rows
LOAD FROM $rows MATCH (a:Document {id: key})-[r:PREDICTED]->(b:Label) DELETE r
