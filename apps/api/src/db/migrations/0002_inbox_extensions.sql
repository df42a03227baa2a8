-- Trigram search for contacts, and btree_gin so GIN indexes can lead with tenant_id. Both are trusted
-- extensions (Postgres 13+): the database owner may create them without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;
