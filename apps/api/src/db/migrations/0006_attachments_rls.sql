SELECT app_enable_tenant_rls('attachments');
