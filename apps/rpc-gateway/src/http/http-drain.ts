import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '@suite/config';
import { PresenceMirror } from '@suite/registry';
import { RpcDispatcher } from '@suite/rpc-server';
import type { Server } from 'node:http';
import { EventsWebSocket } from '../events-ws/events-websocket';

const IDLE_SWEEP_MS = 100;

/**
 * The gateway's drain, in order, before any module closes its Redis connections (Nest would close
 * the HTTP server last, and runs the libs' hooks before the app's): say goodbye to WebSocket
 * clients, stop accepting requests and answer those in flight (keep-alive connections closed as
 * soon as they are idle), then finish the `reply_to` calls and the Firestore mirror writes.
 * Handlers still running once SHUTDOWN_GRACE_MS has passed have their `RpcCallContext.signal`
 * aborted (reason: UNAVAILABLE, shutting down), so the process can answer and exit before the
 * process guard's hard stop.
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly websocket: EventsWebSocket,
    private readonly dispatcher: RpcDispatcher,
    private readonly mirror: PresenceMirror,
    private readonly config: AppConfig,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const grace = setTimeout(() => this.dispatcher.abortInFlight(), this.config.SHUTDOWN_GRACE_MS);
    try {
      await this.drainInOrder();
    } finally {
      clearTimeout(grace);
    }
  }

  private async drainInOrder(): Promise<void> {
    this.websocket.closeAll();
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    if (server.listening) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
    }
    await this.dispatcher.drain();
    await this.mirror.flush();
  }
}
