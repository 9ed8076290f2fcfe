import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ServiceToken } from '@suite/rpc-server';
import type { FastifyRequest } from 'fastify';

/** Operator endpoints need the same bearer token as `/rpc`. */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(private readonly token: ServiceToken) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.token.verifyHeader(request.headers.authorization)) throw new UnauthorizedException();
    return true;
  }
}
