import { Injectable } from '@nestjs/common';
import { HeartbeatResult, LegacyUserRecord, PresenceRegistry } from '@suite/registry';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { WorkflowControlClient } from '@suite/workflow-watch';
import { IsOptional, IsString, Length } from 'class-validator';
import { UserParams } from './common-params';
import { ID_LENGTH } from './param-limits';

export class RegisterUserParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) session_id!: string;
  @IsOptional() @IsString() @Length(0, 1024) backend_route?: string;
}

export class SessionParams {
  @IsString() @Length(...ID_LENGTH) session_id!: string;
}

export class HeartbeatParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsOptional() @IsString() @Length(...ID_LENGTH) session_id?: string;
}

export class ListOnlineParams {
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
}

/** The legacy user record (register_user, get_user). */
const LEGACY_USER_RETURNS = '{"user_id": str, "session_id": str, "backend_route": str, "last_seen_at": str}';

/** `REGISTRY.*`: the registry the Reflex app already calls, unchanged. */
@RpcNamespace('REGISTRY', { description: 'Sessions and presence (legacy registry)' })
@Injectable()
export class RegistryRpcHandler {
  constructor(
    private readonly presence: PresenceRegistry,
    /** Presence changes become "watch"/"unwatch" messages to the workflow-listener fleet. */
    private readonly workflowControl: WorkflowControlClient,
  ) {}

  @RpcMethod('register_user', { params: ['user_id', 'session_id', 'backend_route'], dto: RegisterUserParams, returns: LEGACY_USER_RETURNS })
  async registerUser(params: RegisterUserParams): Promise<LegacyUserRecord> {
    const record = await this.presence.registerUser(params.user_id, params.session_id, params.backend_route ?? '');
    this.workflowControl.watch(params.user_id);
    return record;
  }

  @RpcMethod('unregister_session', { params: ['session_id'], dto: SessionParams, returns: '{"success": bool, "user_id": str | None}' })
  async unregisterSession(params: SessionParams) {
    const outcome = await this.presence.unregisterSession(params.session_id);
    if (outcome.success && outcome.user_id && !(await this.presence.isOnline(outcome.user_id))) this.workflowControl.unwatch(outcome.user_id);
    return outcome;
  }

  @RpcMethod('heartbeat', { params: ['user_id', 'session_id'], dto: HeartbeatParams, returns: '{"success": bool, "user_id": str, "last_seen_at": str | None}' })
  async heartbeat(params: HeartbeatParams): Promise<HeartbeatResult> {
    const result = await this.presence.heartbeat(params.user_id, params.session_id);
    if (result.success) this.workflowControl.heartbeat(params.user_id);
    return result;
  }

  @RpcMethod('get_user', { params: ['user_id'], dto: UserParams, returns: LEGACY_USER_RETURNS })
  async getUser(params: UserParams): Promise<LegacyUserRecord> {
    const user = await this.presence.getUser(params.user_id);
    if (!user) throw RpcError.notFound(`user ${params.user_id}`);
    return user;
  }

  @RpcMethod('is_online', { params: ['user_id'], dto: UserParams, description: 'true while a heartbeat came within 90 s', returns: 'bool' })
  isOnline(params: UserParams): Promise<boolean> {
    return this.presence.isOnline(params.user_id);
  }

  @RpcMethod('list_online_users', { params: ['company_id'], dto: ListOnlineParams, returns: '[str] (user ids)' })
  listOnlineUsers(params: ListOnlineParams): Promise<string[]> {
    return this.presence.listOnlineUsers(params.company_id);
  }
}
