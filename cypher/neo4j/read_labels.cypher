// Every label with its document frequency (df).
// params: none
MATCH (l:Label) RETURN l.name AS name, l.df AS df ORDER BY name
