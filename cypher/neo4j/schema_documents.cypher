// Uniqueness constraints for documents and labels, created before any write so MERGE uses them.
// params: none
CREATE CONSTRAINT graphvec_document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT graphvec_label_name IF NOT EXISTS FOR (l:Label) REQUIRE l.name IS UNIQUE;
