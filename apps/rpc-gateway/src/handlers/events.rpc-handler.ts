import { Injectable } from '@nestjs/common';
import { EventReplay, InvalidEventIdError, MAX_REPLAY_LIMIT, ReplayResult } from '@suite/events';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ID_LENGTH } from './param-limits';

export class ReplayParams {
  @IsString() @Length(...ID_LENGTH)
  user_id!: string;

  @IsOptional() @IsString() @Length(1, 64)
  since_id?: string;

  @IsOptional() @IsInt() @Min(1) @Max(MAX_REPLAY_LIMIT)
  limit?: number;
}

/** What a client missed while disconnected (SPEC §5). */
@RpcNamespace('EVENTS')
@Injectable()
export class EventsRpcHandler {
  constructor(private readonly replay: EventReplay) {}

  @RpcMethod('replay', { params: ['user_id', 'since_id', 'limit'], dto: ReplayParams, description: 'Events after since_id, oldest first', returns: '{"events": [{"id": str, "type": str, "uid": str, "timestamp": str, "payload": dict, "trace_id"?: str, "job_id"?: str}], "has_more": bool, "truncated": bool}' })
  async replayEvents(params: ReplayParams): Promise<ReplayResult> {
    try {
      return await this.replay.replay(params.user_id, params.since_id, params.limit ?? 100);
    } catch (error) {
      if (error instanceof InvalidEventIdError) throw RpcError.invalidArgs(error.message);
      throw error;
    }
  }
}
