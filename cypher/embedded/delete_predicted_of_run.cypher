// Removes the PREDICTED relationships leaving the documents that carry one run's vectors ('update' rescores exactly those).
// A scan with a property filter: joining a key list against PREDICTED filled LadybugDB's 3 GiB page cache at 5M documents.
// params: run
MATCH (a:Document)-[r:PREDICTED]->(b:Label)
WHERE a.embedding_run = $run
DELETE r
