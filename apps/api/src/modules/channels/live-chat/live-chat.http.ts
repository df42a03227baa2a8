import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * CORS for the widget's requests, which come from any site that embeds it (the inbox's allowedOrigins is checked
 * by the handlers, with a clear 403). No credentials: the visitor token travels in a header, never a cookie.
 */
export const WIDGET_CORS = {
  origin: '*',
  credentials: false,
  methods: 'GET,POST',
  allowedHeaders: 'content-type,x-widget-token,authorization',
  maxAge: 600,
};

/**
 * A route the widget calls. The webhook rate budget, because a site's visitors often share one address (an
 * office, a mobile carrier's NAT); forged visitor tokens still count against the address, and each visitor has
 * its own budget for messages and uploads.
 */
export const WidgetRoute = () => RouteConfig({ rateLimit: 'webhook', cors: WIDGET_CORS });
