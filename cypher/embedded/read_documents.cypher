// Every document: id and title.
// params: none
MATCH (d:Document) RETURN d.id AS id, d.title AS title
