// Creates or updates labels with their document frequency; rows: {name, df}.
// params: rows
LOAD FROM $rows MERGE (l:Label {name: name}) SET l.df = df
