// Links documents to labels; rows: {doc, label}. MERGE makes a resumed write safe.
// params: rows
UNWIND $rows AS row
MATCH (d:Document {id: row.doc})
MATCH (l:Label {name: row.label})
MERGE (d)-[:HAS_LABEL]->(l)
