CREATE TABLE "channel_auth_keys" (
	"tenant_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_auth_keys_tenant_id_channel_id_key_pk" PRIMARY KEY("tenant_id","channel_id","key")
);
--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "webhook_token_hash" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "state" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "channel_auth_keys" ADD CONSTRAINT "channel_auth_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_auth_keys" ADD CONSTRAINT "channel_auth_keys_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channels_type_external_id_key" ON "channels" USING btree ("type","external_id") WHERE "channels"."external_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "channels_webhook_token_hash_key" ON "channels" USING btree ("webhook_token_hash") WHERE "channels"."webhook_token_hash" is not null;