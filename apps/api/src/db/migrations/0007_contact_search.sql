-- Contact search through the trigram index.
-- Under row-level security Postgres will not evaluate a non-leakproof operator such as ILIKE inside an index
-- scan before the policy check, so a search as orbitdesk_app scans every row of the tenant. This function runs
-- as its owner (which RLS does not restrict when it is a superuser or has BYPASSRLS), filters by the caller's
-- tenant itself, and plans with the actual pattern so the (tenant_id, text gin_trgm_ops) index is used.
-- Without a tenant in the transaction app_current_tenant() is NULL and it returns nothing.
CREATE OR REPLACE FUNCTION contact_search_ids(term text) RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY EXECUTE format(
    'SELECT id FROM contacts WHERE tenant_id = %L AND '
    || '(coalesce(name, '''') || '' '' || coalesce(email, '''') || '' '' || coalesce(phone, '''')) ILIKE %L',
    app_current_tenant(), term);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION contact_search_ids(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION contact_search_ids(text) TO orbitdesk_app;
