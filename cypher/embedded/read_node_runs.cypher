// For one label: each vector's node key and the run that wrote it.
// params: none
MATCH (v:{{vectors}}) RETURN v.key AS key, v.run AS run
