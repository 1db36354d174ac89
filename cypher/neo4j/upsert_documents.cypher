// Creates or updates documents; rows: {id, title}.
// params: rows
UNWIND $rows AS row MERGE (d:Document {id: row.id}) SET d.title = row.title
