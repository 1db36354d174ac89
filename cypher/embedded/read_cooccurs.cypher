// Every co-occurring label pair, stored once per unordered pair, with count and NPMI.
// params: none
MATCH (a:Label)-[r:CO_OCCURS]->(b:Label) RETURN a.name AS a, b.name AS b, r.count AS count, r.npmi AS npmi
