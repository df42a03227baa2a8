import { describe, expect, it } from 'vitest';
import { classifyAddress, defaultAddressPolicy } from './ip-policy.js';

const BLOCKED_V4 = [
  ['0.0.0.0', '0.0.0.0/8'],
  ['0.1.2.3', '0.0.0.0/8'],
  ['10.0.0.1', '10.0.0.0/8'],
  ['10.255.255.255', '10.0.0.0/8'],
  ['100.64.0.1', '100.64.0.0/10'],
  ['100.127.255.255', '100.64.0.0/10'],
  ['127.0.0.1', '127.0.0.0/8'],
  ['127.255.255.254', '127.0.0.0/8'],
  ['169.254.0.1', '169.254.0.0/16'],
  ['169.254.169.254', 'metadata'],
  ['172.16.0.1', '172.16.0.0/12'],
  ['172.31.255.255', '172.16.0.0/12'],
  ['192.168.0.1', '192.168.0.0/16'],
  ['192.168.255.255', '192.168.0.0/16'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', '240.0.0.0/4'],
] as const;

const BLOCKED_V6 = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fe80::1', 'fe80::/10'],
  ['fe80::1%eth0', 'fe80::/10'],
  ['febf:ffff::1', 'fe80::/10'],
  ['fc00::1', 'fc00::/7'],
  ['fd12:3456:789a::1', 'fc00::/7'],
  ['fd00:ec2::254', 'metadata'],
  ['ff02::1', 'multicast'],
  ['ff0e::101', 'multicast'],
  // IPv4-mapped, in dotted and hex form: the packet goes to the IPv4 address.
  ['::ffff:127.0.0.1', '127.0.0.0/8), in IPv4-mapped'],
  ['::ffff:7f00:1', '127.0.0.0/8), in IPv4-mapped'],
  ['0:0:0:0:0:ffff:10.0.0.1', '10.0.0.0/8), in IPv4-mapped'],
  ['::ffff:a00:1', '10.0.0.0/8), in IPv4-mapped'],
  ['::ffff:172.16.0.1', '172.16.0.0/12), in IPv4-mapped'],
  ['::ffff:192.168.1.1', '192.168.0.0/16), in IPv4-mapped'],
  ['::ffff:169.254.169.254', 'metadata address 169.254.169.254, in IPv4-mapped'],
  ['::ffff:a9fe:a9fe', 'metadata address 169.254.169.254, in IPv4-mapped'],
  ['::ffff:100.64.0.1', '100.64.0.0/10), in IPv4-mapped'],
  ['::ffff:0.0.0.0', '0.0.0.0/8), in IPv4-mapped'],
  ['::ffff:224.0.0.1', 'multicast address (224.0.0.0/4), in IPv4-mapped'],
  ['::127.0.0.1', '127.0.0.0/8), in IPv4-compatible'],
  ['64:ff9b::10.0.0.1', '10.0.0.0/8), in NAT64'],
  ['2002:7f00:1::', '127.0.0.0/8), in 6to4'],
] as const;

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '11.0.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '169.253.255.255',
  '169.255.0.1',
  '172.15.255.255',
  '172.32.0.1',
  '192.167.255.255',
  '192.169.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:808:808::1',
];

describe('classifyAddress', () => {
  it.each(BLOCKED_V4)('blocks %s (%s)', (ip, why) => {
    expect(classifyAddress(ip)?.reason).toContain(why);
  });

  it.each(BLOCKED_V6)('blocks %s (%s)', (ip, why) => {
    expect(classifyAddress(ip)?.reason).toContain(why);
  });

  it.each(PUBLIC)('lets the public address %s through', (ip) => {
    expect(classifyAddress(ip)).toBeUndefined();
  });

  it('treats anything that is not an IP address as blocked', () => {
    for (const junk of ['', 'localhost', '127.1', '1.2.3.256', 'gggg::1', '1:2:3:4:5:6:7:8:9']) {
      expect(classifyAddress(junk), junk).toBeDefined();
    }
  });

  it('marks only the cloud metadata addresses as "metadata"', () => {
    expect(classifyAddress('169.254.169.254')?.kind).toBe('metadata');
    expect(classifyAddress('fd00:ec2::254')?.kind).toBe('metadata');
    expect(classifyAddress('::ffff:169.254.169.254')?.kind).toBe('metadata');
    expect(classifyAddress('169.254.169.253')?.kind).toBe('private');
  });
});

describe('defaultAddressPolicy', () => {
  it('refuses private and loopback addresses by default, naming the range', () => {
    const policy = defaultAddressPolicy(false);
    expect(policy('127.0.0.1')).toEqual({
      allowed: false,
      reason: '127.0.0.1 is a loopback address (127.0.0.0/8)',
    });
    expect(policy('8.8.8.8')).toEqual({ allowed: true });
  });

  it('with private networks allowed, still refuses the metadata addresses in every form', () => {
    const policy = defaultAddressPolicy(true);
    for (const ip of ['127.0.0.1', '10.0.0.1', '::1', 'fd12::1', '::ffff:192.168.1.1', '169.254.1.1']) {
      expect(policy(ip), ip).toEqual({ allowed: true });
    }
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe']) {
      expect(policy(ip).allowed, ip).toBe(false);
    }
  });
});
