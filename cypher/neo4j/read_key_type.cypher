// The type(s) of one label's key property, as Neo4j's schema sampling reports them.
// params: key
CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes
WITH nodeLabels, propertyName, propertyTypes
WHERE '{{label}}' IN nodeLabels AND propertyName = $key
RETURN propertyTypes[0] AS type
