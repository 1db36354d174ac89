// Creates or updates documents; rows: {id, title}.
// params: rows
LOAD FROM $rows MERGE (d:Document {id: id}) SET d.title = title
