import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Checks the caller's `Authorization: Bearer <LISTENERS_SERVICE_TOKEN>` in constant time. */
@Injectable()
export class ServiceToken {
  private readonly expected: Buffer;
  private readonly configured: boolean;

  constructor(config: AppConfig) {
    this.configured = Boolean(config.LISTENERS_SERVICE_TOKEN);
    this.expected = digest(config.LISTENERS_SERVICE_TOKEN ?? randomUUID());
  }

  /** `authorization` is the header value (`Bearer …`). */
  verifyHeader(authorization: string | undefined): boolean {
    if (!authorization || !authorization.startsWith('Bearer ')) return false;
    return this.verifyToken(authorization.slice('Bearer '.length));
  }

  verifyToken(token: string | undefined): boolean {
    if (!this.configured || !token) return false;
    // Fixed-length digests: the comparison takes the same time whatever the input's length.
    return timingSafeEqual(digest(token), this.expected);
  }
}
