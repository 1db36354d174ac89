// One document's title.
// params: id
MATCH (d:Document {id: $id}) RETURN d.title AS title
