// graphvec's own state: every key and value.
// params: none
MATCH (m:GraphvecMeta) RETURN m.key AS key, m.value AS value ORDER BY key
