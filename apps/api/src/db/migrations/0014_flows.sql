CREATE TABLE "flow_session_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"node_id" text NOT NULL,
	"node_type" text NOT NULL,
	"input" jsonb,
	"output" jsonb,
	"error" text,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flow_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"version_id" uuid,
	"contact_id" uuid,
	"conversation_id" uuid,
	"current_node_id" text,
	"variables" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"context" jsonb NOT NULL,
	"status" text NOT NULL,
	"waiting_kind" text,
	"waiting_until" timestamp with time zone,
	"timeout_port" text,
	"steps" integer DEFAULT 0 NOT NULL,
	"error" text,
	"handed_off" boolean DEFAULT false NOT NULL,
	"test_mode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "flow_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"graph" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'DRAFT' NOT NULL,
	"trigger_type" text NOT NULL,
	"trigger_settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"graph" jsonb NOT NULL,
	"webhook_token" uuid,
	"webhook_secret" text,
	"published_version_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_session_logs" ADD CONSTRAINT "flow_session_logs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_session_logs" ADD CONSTRAINT "flow_session_logs_session_id_flow_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."flow_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_sessions" ADD CONSTRAINT "flow_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_sessions" ADD CONSTRAINT "flow_sessions_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_sessions" ADD CONSTRAINT "flow_sessions_version_id_flow_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."flow_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_sessions" ADD CONSTRAINT "flow_sessions_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_sessions" ADD CONSTRAINT "flow_sessions_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flow_session_logs_tenant_session_step_idx" ON "flow_session_logs" USING btree ("tenant_id","session_id","step");--> statement-breakpoint
CREATE INDEX "flow_sessions_tenant_flow_started_idx" ON "flow_sessions" USING btree ("tenant_id","flow_id","created_at","id");--> statement-breakpoint
CREATE INDEX "flow_sessions_tenant_contact_status_idx" ON "flow_sessions" USING btree ("tenant_id","contact_id","status");--> statement-breakpoint
CREATE INDEX "flow_sessions_tenant_conversation_idx" ON "flow_sessions" USING btree ("tenant_id","conversation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "flow_sessions_tenant_flow_contact_live_key" ON "flow_sessions" USING btree ("tenant_id","flow_id","contact_id") WHERE "flow_sessions"."status" in ('running', 'waiting') and not "flow_sessions"."test_mode" and "flow_sessions"."contact_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_versions_tenant_flow_version_key" ON "flow_versions" USING btree ("tenant_id","flow_id","version");--> statement-breakpoint
CREATE INDEX "flows_tenant_created_idx" ON "flows" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "flows_tenant_status_trigger_idx" ON "flows" USING btree ("tenant_id","status","trigger_type");--> statement-breakpoint
CREATE UNIQUE INDEX "flows_webhook_token_key" ON "flows" USING btree ("webhook_token") WHERE "flows"."webhook_token" is not null;