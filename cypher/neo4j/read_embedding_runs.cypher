// For one label: how many nodes carry vectors of each run (null: no vector).
// params: none
MATCH (n:{{label}}) RETURN n.embedding_run AS run, count(*) AS n
