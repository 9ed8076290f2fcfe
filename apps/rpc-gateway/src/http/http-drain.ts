import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly websocket: EventsWebSocket,
    private readonly dispatcher: RpcDispatcher,
    private readonly mirror: PresenceMirror,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
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
