import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface DeliverOptions {
  folder?: string;
  /** When the server says the message arrived (IMAP's internal date); now when absent. */
  arrivedAt?: Date;
}

export interface Dovecot {
  host: string;
  port: number;
  /** Adds mailbox users (user → plaintext password); resolves once Dovecot can see them. */
  addUsers(users: Record<string, string>): Promise<void>;
  /** Changes a user's password, as a provider does when the mailbox owner changes it. */
  setPassword(user: string, password: string): Promise<void>;
  /** Delivers one raw message into the user's INBOX through IMAP APPEND; returns its UID. */
  deliver(user: string, password: string, raw: string | Buffer, options?: DeliverOptions): Promise<number>;
  /** Disconnects the user's IMAP sessions, as a server restart or a dropped network does (`doveadm kick`). */
  kick(user: string): void;
  /** The server's log (login failures, errors), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}): ${readLog(logFile)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port}: ${readLog(logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '(no log)';
  }
}

/**
 * A private Dovecot (Debian's dovecot-imapd) for one test file: its own base_dir, config, users and Maildirs
 * under a temp directory, IMAP on a free loopback port, plaintext logins without TLS.
 *
 * Dovecot runs as the current user. Its login processes refuse to run as root and it refuses mail access for
 * UID 0, so under root (CI) the login and internal services and the mail files use `nobody` instead.
 * The auth penalty (growing delays for an address after a failed login) is switched off: tests try wrong
 * passwords on purpose and must not slow down every login after them.
 */
export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'odt-dovecot-'));
  const port = await freePort();
  const me = userInfo();
  const asRoot = me.uid === 0;
  const serviceUser = asRoot ? 'nobody' : me.username;
  const mailUid = asRoot ? Number(execFileSync('id', ['-u', 'nobody']).toString().trim()) : me.uid;
  const mailGid = asRoot ? Number(execFileSync('id', ['-g', 'nobody']).toString().trim()) : me.gid;
  const serviceGroup = asRoot ? execFileSync('id', ['-gn', 'nobody']).toString().trim() : '';
  const mailDir = join(dir, 'mail');
  const usersFile = join(dir, 'users');
  const logFile = join(dir, 'dovecot.log');
  // mkdtemp makes the directory private to us; the mail and login processes may run as another user.
  chmodSync(dir, 0o755);
  mkdirSync(mailDir);
  if (asRoot) chownSync(mailDir, mailUid, mailGid);
  writeFileSync(usersFile, '');
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    `base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
instance_name = odt-${port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = ${logFile}
default_internal_user = ${serviceUser}
${serviceGroup ? `default_internal_group = ${serviceGroup}\n` : ''}default_login_user = ${serviceUser}
first_valid_uid = 1
mail_location = maildir:${mailDir}/%u
# An IDLE session learns of mail another session appended within a second even without inotify.
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${usersFile}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${mailDir}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`,
  );
  const child = spawn(DOVECOT_BINARY, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  try {
    await waitForPort(port, child, logFile);
  } catch (err) {
    kill();
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }

  const deliver = async (
    user: string,
    password: string,
    raw: string | Buffer,
    options: DeliverOptions = {},
  ) => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const content = typeof raw === 'string' ? Buffer.from(raw) : raw;
      const appended = await client.append(options.folder ?? 'INBOX', content, [], options.arrivedAt);
      if (!appended || appended.uid === undefined) throw new Error('APPEND gave no UID');
      return appended.uid;
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  const dovecot: Dovecot = {
    host: '127.0.0.1',
    port,
    async addUsers(users) {
      const lines = Object.entries(users).map(([user, password]) => `${user}:{PLAIN}${password}\n`);
      appendFileSync(usersFile, lines.join(''));
      // Dovecot checks the passwd-file for changes at most once a second: a login in the same second as the
      // last lookup would not find the new user yet.
      await new Promise((r) => setTimeout(r, 1_100));
    },
    async setPassword(user, password) {
      const lines = readFileSync(usersFile, 'utf8')
        .split('\n')
        .map((line) => (line.startsWith(`${user}:`) ? `${user}:{PLAIN}${password}` : line));
      writeFileSync(usersFile, lines.join('\n'));
      await new Promise((r) => setTimeout(r, 1_100));
    },
    deliver,
    kick(user) {
      execFileSync('doveadm', ['-c', config, 'kick', user], { stdio: 'ignore' });
    },
    log: () => readLog(logFile),
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  return dovecot;
}
