// Creates or updates generic nodes; rows: {id, classes}.
// params: rows
UNWIND $rows AS row MERGE (n:Node {id: row.id}) SET n.classes = row.classes
