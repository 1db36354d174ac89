// Creates or updates generic nodes; rows: {id, classes}.
// params: rows
LOAD FROM $rows MERGE (n:Node {id: id}) SET n.classes = classes
