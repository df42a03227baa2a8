import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane. (2 = Algorithm.Argon2id, a const enum.)
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordService {
  /** A real hash to verify against when the account does not exist, so both paths take the same time. */
  private readonly dummyHash = hash('not-a-real-password-0000', OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  async verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    const target = passwordHash ?? (await this.dummyHash);
    try {
      const ok = await verify(target, password);
      return ok && Boolean(passwordHash);
    } catch {
      return false;
    }
  }
}
