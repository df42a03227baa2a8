import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChannelSendError } from '../message-channel.js';

type Transport = ReturnType<typeof createTransport>;

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * The platform's own outgoing mail (SMTP_URL, from SMTP_FROM): an agent's reply to a visitor who has left the
 * site goes to the email they gave. Absent when SMTP_URL is unset; replies then wait in the widget.
 */
@Injectable()
export class LiveChatMailer implements OnApplicationShutdown {
  private readonly transport?: Transport;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.SMTP_URL) {
      this.transport = createTransport(
        { url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
        { from: config.SMTP_FROM },
      );
    }
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  /**
   * A 5xx answer or refused credentials fail the message for good with the server's words; anything else
   * (timeouts, 4xx, a server that is down) is retried.
   */
  async send(mail: { to: string; subject: string; text: string }): Promise<void> {
    if (!this.transport) return;
    try {
      await this.transport.sendMail({ ...mail, headers: { 'Auto-Submitted': 'auto-generated' } });
    } catch (err) {
      const e = err as SmtpError;
      const reason = `Email to the visitor not sent: ${e.response ?? e.message}`.slice(0, 500);
      const permanent = e.code === 'EAUTH' || (e.responseCode !== undefined && e.responseCode >= 500);
      throw new ChannelSendError(permanent, reason);
    }
  }

  /** Connects and logs in without sending anything: what `POST /channels/:id/test` reports. */
  async verify(): Promise<{ ok: boolean; message: string }> {
    if (!this.transport) {
      return { ok: true, message: 'SMTP_URL is not set: replies to visitors who left wait in the widget' };
    }
    try {
      await this.transport.verify();
      return { ok: true, message: 'replies to visitors who left are emailed' };
    } catch (err) {
      const e = err as SmtpError;
      return { ok: false, message: `The SMTP server (SMTP_URL) refused: ${e.response ?? e.message}` };
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
