// A staging node table with a copied column list (graphvec.cypher.table_definition).
// params: none
CREATE NODE TABLE {{table}}({{definition}})
