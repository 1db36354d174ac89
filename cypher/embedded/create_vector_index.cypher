// The embedded store answers vector queries exactly (array_cosine_similarity and SIMILAR); its
// vector-index extension needs a download, so no index is built. Kept so both dialects share names.
// params: none
RETURN 'exact search, no vector index' AS note
