// For one label: how many nodes carry a vector of each run.
// params: none
MATCH (v:{{vectors}}) RETURN v.run AS run, count(*) AS n
