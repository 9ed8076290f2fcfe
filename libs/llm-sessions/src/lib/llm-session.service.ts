import { Injectable, Logger } from '@nestjs/common';
import { ChatHistory, ChatHistoryStore, ChatSummary, ChatThreadRef } from '@suite/chat-history';
import { SessionStateStore, TypedValue } from '@suite/session-state';
import { EncodedJobs, encodeJobs, jobsDataText, metricsOfEncodedJobs } from './encoded-jobs';
import { computeJobsMetrics } from './jobs-metrics';
import { LlmSessionMetrics } from './llm-session.metrics';
import { noSession, toRpcError, unknownThread } from './llm-session-errors';
import { SessionCache } from './session-cache';
import { SessionDataLoader } from './session-data.loader';
import type { CachedContext, JobsMetrics } from './session-data.types';

export type InitializeStatus = 'created' | 'refreshed';
export type DataSource = 'cache' | 'firestore' | 'partial';

export interface InitializeResult {
  success: true;
  status: InitializeStatus;
  session_key: string;
  /** Where the profile and jobs came from: both cached, both read from Firestore, or one of each. */
  data_source: DataSource;
  jobs_count: number;
}

/** What a session is initialized with; the jobs stay in their cached text form, written to the session as is. */
interface SessionData {
  context: CachedContext;
  jobs: EncodedJobs;
  jobsMetrics: JobsMetrics;
  source: DataSource;
}

/** The seed's session key. */
export const sessionKeyOf = (userId: string, companyId: string): string => `${userId}:${companyId}`;

/**
 * The LLM manager's sessions and threads of seed 004, kept in Redis only: any instance serves any
 * user, and a session created by another instance (or before a restart) is simply read back.
 * No lock is shared between users; the only per-session serialization is on one instance, where
 * concurrent initializations of the same session share one Firestore load. Whether a call created
 * the session is decided by Redis (HSETNX of `created_at` in the write script), so two instances
 * initializing one user at once give one `created`.
 */
@Injectable()
export class LlmSessionService {
  private readonly logger = new Logger('LlmSessions');
  private readonly loadsInFlight = new Map<string, Promise<SessionData>>();

  constructor(
    private readonly states: SessionStateStore,
    private readonly chats: ChatHistoryStore,
    private readonly cache: SessionCache,
    private readonly loader: SessionDataLoader,
    private readonly metrics: LlmSessionMetrics,
  ) {}

  async initializeSession(userId: string, companyId: string, clientUuid?: string): Promise<InitializeResult> {
    const started = process.hrtime.bigint();
    const data = await this.translated(() => this.sessionData(userId, companyId, clientUuid));
    const { created } = await this.translated(() =>
      this.states.upsert(
        userId,
        companyId,
        { user_context: data.context.user_context, jobs_metrics: data.jobsMetrics as unknown as Record<string, TypedValue> },
        { jobs_data: jobsDataText(data.jobs) },
      ),
    );
    const status: InitializeStatus = created ? 'created' : 'refreshed';
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.initialized.inc({ status, source: data.source });
    this.metrics.initializeSeconds.observe({ source: data.source }, seconds);
    const jobsCount = data.jobsMetrics.total_jobs;
    this.logger.log({ event: 'llm_session_initialized', user_id: userId, company_id: companyId, status, data_source: data.source, jobs: jobsCount, duration_ms: Math.round(seconds * 1000) });
    return { success: true, status, session_key: sessionKeyOf(userId, companyId), data_source: data.source, jobs_count: jobsCount };
  }

  /** The user opens the chat page on `threadKey` (the thread is created if new). */
  async enterChat(userId: string, companyId: string, threadKey: string) {
    await this.presence(userId, companyId, true, threadKey, 'enter_chat');
    await this.translated(() => this.chats.ensureChat({ userId, companyId, threadKey }));
    return { success: true, thread_key: threadKey, is_on_chat_page: true };
  }

  async leaveChat(userId: string, companyId: string) {
    await this.presence(userId, companyId, false, null, 'leave_chat');
    return { success: true, is_on_chat_page: false };
  }

  async switchThread(userId: string, companyId: string, threadKey: string) {
    await this.presence(userId, companyId, true, threadKey, 'switch_thread');
    await this.translated(() => this.chats.ensureChat({ userId, companyId, threadKey }));
    return { success: true, thread_key: threadKey, is_on_chat_page: true };
  }

  /** The thread the user has open (enter_chat / switch_thread), or null. */
  async activeThread(userId: string, companyId: string): Promise<string | null> {
    const state = await this.translated(() => this.states.load(userId, companyId));
    return state?.current_active_thread ?? null;
  }

  isUserOnThread(userId: string, companyId: string, threadKey: string): Promise<boolean> {
    return this.translated(() => this.states.isUserOnThread(userId, companyId, threadKey));
  }

  async getChatHistory(userId: string, companyId: string, threadKey: string): Promise<ChatHistory> {
    const history = await this.translated(() => this.chats.loadChatHistory(this.thread(userId, companyId, threadKey)));
    if (!history) throw unknownThread(threadKey);
    return history;
  }

  /** Drops a thread's messages and keeps its system prompt. */
  async clearChat(userId: string, companyId: string, threadKey: string) {
    const cleared = await this.translated(() => this.chats.clearMessages(this.thread(userId, companyId, threadKey)));
    if (cleared === null) throw unknownThread(threadKey);
    return { success: true, thread_key: threadKey, cleared_messages: cleared };
  }

  /** The user's threads in the company, newest first. */
  listChats(userId: string, companyId: string): Promise<ChatSummary[]> {
    return this.translated(() => this.chats.listUserChats(userId, companyId));
  }

  /** Ends the session: its state and cached Firestore data go; the threads' histories stay (24 h). */
  async closeSession(userId: string, companyId: string) {
    return this.translated(async () => {
      const [context, state] = await Promise.all([this.cache.readContext(userId, companyId), this.states.load(userId, companyId)]);
      const departments = new Set([...(context?.departments ?? []), ...Object.keys(state?.jobs_data ?? {})]);
      const [closed] = await Promise.all([this.states.delete(userId, companyId), this.cache.drop(userId, companyId, [...departments])]);
      this.logger.log({ event: 'llm_session_closed', user_id: userId, company_id: companyId, existed: closed });
      return { success: true, closed };
    });
  }

  private async presence(userId: string, companyId: string, onChatPage: boolean, threadKey: string | null, change: string): Promise<void> {
    const updated = await this.translated(() => this.states.updatePresence(userId, companyId, onChatPage, threadKey));
    if (!updated) throw noSession(userId, companyId);
    this.metrics.presenceChanges.inc({ change });
  }

  /** Cached data when both caches hold it; otherwise what is missing, read once per session on this instance. */
  private async sessionData(userId: string, companyId: string, clientUuid: string | undefined): Promise<SessionData> {
    const context = await this.cache.readContext(userId, companyId);
    if (context && (clientUuid === undefined || context.user_context['client_uuid'] === clientUuid)) {
      const jobs = await this.cache.readJobs(userId, companyId, context.departments);
      if (jobs) return { context, jobs, jobsMetrics: metricsOfEncodedJobs(jobs), source: 'cache' };
    }
    const key = sessionKeyOf(userId, companyId);
    const inFlight = this.loadsInFlight.get(key);
    if (inFlight) return inFlight;
    const load = this.loadFromFirestore(userId, companyId, clientUuid, context).finally(() => this.loadsInFlight.delete(key));
    this.loadsInFlight.set(key, load);
    return load;
  }

  private async loadFromFirestore(userId: string, companyId: string, clientUuid: string | undefined, cached: CachedContext | null): Promise<SessionData> {
    const reuseContext = cached !== null && (clientUuid === undefined || cached.user_context['client_uuid'] === clientUuid);
    const [userContext, jobs] = await Promise.all([
      reuseContext ? Promise.resolve(cached.user_context) : this.loader.loadContext(userId, companyId, clientUuid),
      this.loader.loadJobs(userId, companyId),
    ]);
    const context: CachedContext = { user_context: userContext, departments: Object.keys(jobs), loaded_at: reuseContext ? cached.loaded_at : new Date() };
    const encoded = encodeJobs(jobs);
    await Promise.all([
      reuseContext ? this.cache.updateContextDepartments(userId, companyId, context) : this.cache.writeContext(userId, companyId, context),
      this.cache.writeJobs(userId, companyId, encoded),
    ]);
    return { context, jobs: encoded, jobsMetrics: computeJobsMetrics(jobs), source: reuseContext ? 'partial' : 'firestore' };
  }

  private thread(userId: string, companyId: string, threadKey: string): ChatThreadRef {
    return { userId, companyId, threadKey };
  }

  private async translated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toRpcError(error);
    }
  }
}
