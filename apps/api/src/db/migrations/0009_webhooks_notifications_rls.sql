SELECT app_enable_tenant_rls('webhook_endpoints');
--> statement-breakpoint
SELECT app_enable_tenant_rls('webhook_deliveries');
--> statement-breakpoint
SELECT app_enable_tenant_rls('webhook_delivery_attempts');
--> statement-breakpoint
SELECT app_enable_tenant_rls('notifications');
