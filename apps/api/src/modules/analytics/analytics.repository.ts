import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';

export interface IntentCounts {
  intents: { intent: string; count: number }[];
  averageSentiment: number | null;
  languages: { language: string; count: number }[];
}

export interface DashboardCounts {
  totalContacts: number;
  inboundToday: number;
  outboundToday: number;
  activeConversations: number;
  activeFlows: number;
  volume: { date: string; inbound: number; outbound: number }[];
}

@Injectable()
export class AnalyticsRepository {
  /** One round trip; every count is limited by RLS to the transaction's tenant and served by tenant_id indexes. */
  async dashboard(tx: TenantTx): Promise<DashboardCounts> {
    const result = await tx.execute<{
      total_contacts: number;
      inbound_today: number;
      outbound_today: number;
      active_conversations: number;
      active_flows: number;
      volume: { date: string; inbound: number; outbound: number }[];
    }>(sql`
      with bounds as (select date_trunc('day', now() at time zone 'utc') at time zone 'utc' as today),
      recent as (
        select date_trunc('day', m.created_at at time zone 'utc')::date as day, m.direction, count(*)::int as n
        from messages m, bounds b
        where m.created_at >= b.today - interval '6 days' and m.is_private = false
        group by 1, 2
      ),
      days as (
        select d::date as day
        from bounds b, generate_series(b.today - interval '6 days', b.today, interval '1 day') d
      )
      select
        (select count(*)::int from contacts) as total_contacts,
        (select coalesce(sum(n), 0)::int from recent, bounds b where day = (b.today)::date and direction = 'in') as inbound_today,
        (select coalesce(sum(n), 0)::int from recent, bounds b where day = (b.today)::date and direction = 'out') as outbound_today,
        (select count(*)::int from conversations where status in ('open', 'pending')) as active_conversations,
        (select count(*)::int from flows where status = 'ACTIVE') as active_flows,
        (select json_agg(json_build_object(
            'date', to_char(days.day, 'YYYY-MM-DD'),
            'inbound', coalesce((select n from recent r where r.day = days.day and r.direction = 'in'), 0),
            'outbound', coalesce((select n from recent r where r.day = days.day and r.direction = 'out'), 0)
          ) order by days.day) from days) as volume
    `);
    const row = result.rows[0]!;
    return {
      totalContacts: row.total_contacts,
      inboundToday: row.inbound_today,
      outboundToday: row.outbound_today,
      activeConversations: row.active_conversations,
      activeFlows: row.active_flows,
      volume: row.volume,
    };
  }

  /**
   * The contact's classified messages in [from, to): counts per intent and per language, and the mean sentiment.
   * One round trip over the (tenant_id, created_at) index, RLS limiting it to the transaction's tenant.
   */
  async intents(tx: TenantTx, from: Date, to: Date): Promise<IntentCounts> {
    const result = await tx.execute<{
      intents: { intent: string; count: number }[] | null;
      average_sentiment: number | null;
      languages: { language: string; count: number }[] | null;
    }>(sql`
      with classified as (
        select intent, sentiment, language
        from messages
        where created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
          and direction = 'in' and is_private = false and intent is not null
      )
      select
        (select json_agg(json_build_object('intent', intent, 'count', n))
           from (select intent, count(*)::int as n from classified group by intent) i) as intents,
        (select avg(sentiment)::float8 from classified) as average_sentiment,
        (select json_agg(json_build_object('language', language, 'count', n) order by n desc, language)
           from (select coalesce(language, 'und') as language, count(*)::int as n from classified group by 1) l)
          as languages
    `);
    const row = result.rows[0]!;
    return {
      intents: row.intents ?? [],
      averageSentiment: row.average_sentiment,
      languages: row.languages ?? [],
    };
  }
}
