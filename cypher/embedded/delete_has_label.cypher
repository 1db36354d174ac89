// Removes document–label links a re-ingested document no longer has; rows: {doc, label}.
// params: rows
LOAD FROM $rows MATCH (d:Document {id: doc})-[r:HAS_LABEL]->(l:Label {name: label}) DELETE r
