// Creates or updates labels with their document frequency; rows: {name, df}.
// params: rows
UNWIND $rows AS row MERGE (l:Label {name: row.name}) SET l.df = row.df
