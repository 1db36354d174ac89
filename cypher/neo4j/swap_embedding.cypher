// Neo4j keeps vectors as node properties written in place (set_embeddings), so there is no table to
// swap; kept so both dialects share file names.
// params: none
RETURN 'vectors are node properties; nothing to swap' AS note
