import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { AddressPolicy } from '../../../common/http-client/ip-policy.js';

/** The mail server's host name resolves to an address tenants may not reach (loopback, private, metadata). */
export class MailHostBlockedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MailHostBlockedError';
  }
}

/**
 * IMAP and SMTP hosts are typed in by tenants, so they get the same address policy as outbound HTTP
 * (OUTBOUND_ALLOW_PRIVATE_NETWORKS): an SMTP or IMAP client pointed at 127.0.0.1:6379 would otherwise write its
 * commands into our Redis. Returns the checked address to dial; the caller keeps the host name for TLS (SNI
 * and the certificate check), so a DNS answer that changes between this check and the connection (rebinding)
 * cannot move the connection anywhere else.
 */
export async function resolveMailHost(host: string, policy: AddressPolicy): Promise<string> {
  const addresses = isIP(host)
    ? [host]
    : (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  for (const address of addresses) {
    const verdict = policy(address);
    if (!verdict.allowed) {
      throw new MailHostBlockedError(
        address === host ? verdict.reason : `${host} resolves to a blocked address: ${verdict.reason}`,
      );
    }
  }
  return addresses[0]!;
}
