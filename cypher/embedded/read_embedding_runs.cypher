// For one label: how many nodes carry a vector of each run.
// params: none
MATCH (n:{{label}}) WHERE n.embedding_run IS NOT NULL
RETURN n.embedding_run AS run, count(*) AS n
