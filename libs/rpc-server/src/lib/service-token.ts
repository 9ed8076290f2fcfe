import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { timingSafeEqual } from 'node:crypto';

/** Checks the caller's `Authorization: Bearer <LISTENERS_SERVICE_TOKEN>` in constant time. */
@Injectable()
export class ServiceToken {
  private readonly expectedHeader?: Buffer;
  private readonly expectedToken?: Buffer;

  constructor(config: AppConfig) {
    if (config.LISTENERS_SERVICE_TOKEN) {
      this.expectedHeader = Buffer.from(`Bearer ${config.LISTENERS_SERVICE_TOKEN}`);
      this.expectedToken = Buffer.from(config.LISTENERS_SERVICE_TOKEN);
    }
  }

  /** `authorization` is the header value (`Bearer …`). */
  verifyHeader(authorization: string | undefined): boolean {
    return matches(authorization, this.expectedHeader);
  }

  verifyToken(token: string | undefined): boolean {
    return matches(token, this.expectedToken);
  }
}

/** Constant time in the content; only a wrong length (which says nothing of the token) returns early. */
function matches(given: string | undefined, expected: Buffer | undefined): boolean {
  if (!given || !expected) return false;
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
