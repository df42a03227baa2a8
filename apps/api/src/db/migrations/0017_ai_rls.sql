-- AI: row-level security for the new tenant tables; conversations point at the agent that answers them.
SELECT app_enable_tenant_rls('ai_settings');
--> statement-breakpoint
SELECT app_enable_tenant_rls('knowledge_bases');
--> statement-breakpoint
SELECT app_enable_tenant_rls('knowledge_sources');
--> statement-breakpoint
SELECT app_enable_tenant_rls('knowledge_chunks');
--> statement-breakpoint
SELECT app_enable_tenant_rls('chat_agents');
--> statement-breakpoint
SELECT app_enable_tenant_rls('chat_agent_knowledge_bases');
--> statement-breakpoint
SELECT app_enable_tenant_rls('chat_agent_inboxes');
--> statement-breakpoint
SELECT app_enable_tenant_rls('ai_agent_runs');
--> statement-breakpoint
SELECT app_enable_tenant_rls('appointments');
--> statement-breakpoint
-- Chunk inserts draw their vector key from this sequence inside the tenant's transaction.
GRANT USAGE, SELECT ON SEQUENCE knowledge_chunks_vector_key_seq TO orbitdesk_app;
--> statement-breakpoint
-- Declared here, not in the Drizzle schema, so schema/conversations.ts need not import schema/ai.ts (a cycle).
ALTER TABLE conversations ADD CONSTRAINT conversations_chat_agent_id_fk
  FOREIGN KEY (chat_agent_id) REFERENCES chat_agents(id) ON DELETE SET NULL;
--> statement-breakpoint
CREATE INDEX conversations_tenant_chat_agent_idx ON conversations (tenant_id, chat_agent_id) WHERE chat_agent_id IS NOT NULL;
