import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { LogContext } from '@suite/logging';
import { RedisConnections, RedisModule } from '@suite/redis';
import { buildEventStreamKey } from '@suite/redis-namespaces';
import { testConfig, uniqueId, waitFor } from '@suite/testing';
import { ChannelSubscriber } from './channel-subscriber';
import { EventEnvelope } from './event-envelope';
import { EventPublisher } from './event-publisher';
import { EventReplay, InvalidEventIdError } from './event-replay';
import { EventsModule } from './events.module';

describe('events against a real Redis', () => {
  let moduleRef: TestingModule;
  let publisher: EventPublisher;
  let replay: EventReplay;
  let subscriber: ChannelSubscriber;
  let redis: RedisConnections;
  const maxlen = 25;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig({ EVENT_STREAM_MAXLEN: String(maxlen) })), RedisModule, EventsModule],
    }).compile();
    await moduleRef.init();
    redis = moduleRef.get(RedisConnections);
    await redis.connect();
    publisher = moduleRef.get(EventPublisher);
    replay = moduleRef.get(EventReplay);
    subscriber = moduleRef.get(ChannelSubscriber);
  });

  afterAll(async () => {
    await moduleRef.close();
  });

  it('delivers the SPEC envelope on the user channel with the stream id as its id', async () => {
    const uid = uniqueId('u');
    const received: EventEnvelope[] = [];
    const unsubscribe = await subscriber.subscribe(`user:${uid}`, (message) => received.push(JSON.parse(message)));

    const published = await LogContext.run({ trace_id: 'trace-42' }, () =>
      publisher.publishToUser(uid, 'task.progress_update', { task_id: 't1', progress: 50 }, { job_id: 'j1' }),
    );

    await waitFor(() => received.length === 1, 'the published event');
    expect(received[0]).toEqual(published);
    expect(received[0]).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      type: 'task.progress_update',
      uid,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      payload: { task_id: 't1', progress: 50 },
      trace_id: 'trace-42',
      job_id: 'j1',
    });
    const [[streamId]] = await redis.command.xrange(buildEventStreamKey(uid), '-', '+');
    expect(streamId).toBe(published.id);
    await unsubscribe();
  });

  it('replays exactly what a client missed while disconnected, in order', async () => {
    const uid = uniqueId('u');
    const seen: string[] = [];
    const unsubscribe = await subscriber.subscribe(`user:${uid}`, (message) => seen.push(JSON.parse(message).id));
    for (let i = 0; i < 3; i++) await publisher.publishToUser(uid, 'notif.sync', { i });
    await waitFor(() => seen.length === 3, 'three live events');
    await unsubscribe(); // the client drops off

    const missed = [];
    for (let i = 3; i < 8; i++) missed.push(await publisher.publishToUser(uid, 'notif.sync', { i }));

    const result = await replay.replay(uid, seen[2]);
    expect(result.events.map((event) => event.payload)).toEqual([3, 4, 5, 6, 7].map((i) => ({ i })));
    expect(result.events).toEqual(missed);
    expect(result.truncated).toBe(false);
    expect(result.has_more).toBe(false);

    const page = await replay.replay(uid, seen[2], 2);
    expect(page.events.map((event) => event.payload)).toEqual([{ i: 3 }, { i: 4 }]);
    expect(page.has_more).toBe(true);
  });

  it('keeps at most EVENT_STREAM_MAXLEN events and says when a replay lost some', async () => {
    const uid = uniqueId('u');
    const first = await publisher.publishToUser(uid, 'notif.sync', { i: 0 });
    for (let i = 1; i < maxlen + 10; i++) await publisher.publishToUser(uid, 'notif.sync', { i });

    expect(await redis.command.xlen(buildEventStreamKey(uid))).toBe(maxlen);
    const all = await replay.replay(uid, undefined, 1000);
    expect(all.events).toHaveLength(maxlen);
    expect(all.events[0].payload).toEqual({ i: 10 });

    const fromFirst = await replay.replay(uid, first.id, 1000);
    expect(fromFirst.truncated).toBe(true);
    const fromRecent = await replay.replay(uid, all.events[5].id, 1000);
    expect(fromRecent.truncated).toBe(false);
    expect(fromRecent.events).toHaveLength(maxlen - 6);
  });

  it('sets a TTL on the stream so idle users do not hold memory forever', async () => {
    const uid = uniqueId('u');
    await publisher.publishToUser(uid, 'notif.sync', {});
    const ttl = await redis.command.ttl(buildEventStreamKey(uid));
    expect(ttl).toBeGreaterThan(0);
  });

  it('publishes on other channels without touching the stream', async () => {
    const uid = uniqueId('u');
    const received: EventEnvelope[] = [];
    const unsubscribe = await subscriber.subscribe(`msg:${uid}`, (message) => received.push(JSON.parse(message)));
    await publisher.publishToChannel(`msg:${uid}`, uid, 'msg.new', { text: 'hi' });
    await waitFor(() => received.length === 1, 'the direct message');
    expect(received[0]).toMatchObject({ type: 'msg.new', uid, payload: { text: 'hi' } });
    expect(await redis.command.exists(buildEventStreamKey(uid))).toBe(0);
    await unsubscribe();
  });

  it('refuses a since id that is not a stream id', async () => {
    await expect(replay.replay('u', 'not-an-id')).rejects.toBeInstanceOf(InvalidEventIdError);
  });
});
