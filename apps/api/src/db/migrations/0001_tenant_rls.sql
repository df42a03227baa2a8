-- Second wall of tenant isolation: row-level security.
-- The API runs its tenant queries as orbitdesk_app inside a transaction that sets app.tenant_id;
-- without that setting app_current_tenant() is NULL and every policy matches nothing.
DO $$ BEGIN
  CREATE ROLE orbitdesk_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
--> statement-breakpoint
-- The connecting user switches to orbitdesk_app per transaction (SET LOCAL ROLE), so it must be a member.
DO $$ BEGIN
  EXECUTE format('GRANT orbitdesk_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO orbitdesk_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
-- Every tenant-owned table calls this once in the migration that creates it.
CREATE OR REPLACE FUNCTION app_enable_tenant_rls(tbl regclass) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
    tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO orbitdesk_app', tbl);
END $$;
--> statement-breakpoint
SELECT app_enable_tenant_rls('users');
--> statement-breakpoint
SELECT app_enable_tenant_rls('api_keys');
--> statement-breakpoint
SELECT app_enable_tenant_rls('audit_logs');
--> statement-breakpoint
-- A tenant may read its own row (for /auth/me and settings) and nothing else; lifecycle changes are platform work.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_self ON tenants FOR SELECT USING (id = app_current_tenant());
--> statement-breakpoint
GRANT SELECT ON tenants TO orbitdesk_app;
