SELECT app_enable_tenant_rls('flows');
--> statement-breakpoint
SELECT app_enable_tenant_rls('flow_versions');
--> statement-breakpoint
SELECT app_enable_tenant_rls('flow_sessions');
--> statement-breakpoint
SELECT app_enable_tenant_rls('flow_session_logs');
