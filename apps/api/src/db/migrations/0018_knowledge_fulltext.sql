-- Knowledge full-text search through the GIN index.
-- Under row-level security Postgres will not evaluate the non-leakproof @@ operator inside an index scan before the
-- policy check, so a search as orbitdesk_app would read every chunk of the listed bases. Like contact_search_ids
-- (0007), this function runs as its owner, filters by the caller's tenant itself (app_current_tenant(); NULL
-- without a tenant, so it returns nothing) and lets the planner use knowledge_chunks_tsv_idx.
CREATE OR REPLACE FUNCTION knowledge_fulltext_keys(p_bases uuid[], p_query text, p_limit integer)
  RETURNS TABLE(vector_key bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_query tsquery := websearch_to_tsquery('english', p_query);
BEGIN
  RETURN QUERY
    SELECT c.vector_key FROM knowledge_chunks c
    WHERE c.tenant_id = app_current_tenant() AND c.knowledge_base_id = ANY(p_bases) AND c.tsv @@ v_query
    ORDER BY ts_rank_cd(c.tsv, v_query) DESC, c.vector_key
    LIMIT p_limit;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION knowledge_fulltext_keys(uuid[], text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION knowledge_fulltext_keys(uuid[], text, integer) TO orbitdesk_app;
