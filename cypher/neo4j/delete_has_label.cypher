// Removes document–label links a re-ingested document no longer has; rows: {doc, label}.
// params: rows
UNWIND $rows AS row
MATCH (:Document {id: row.doc})-[r:HAS_LABEL]->(:Label {name: row.label})
DELETE r
