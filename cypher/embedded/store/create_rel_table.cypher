// A staging relationship table with copied node pairs and columns (graphvec.cypher.table_definition).
// params: none
CREATE REL TABLE {{table}}({{definition}})
