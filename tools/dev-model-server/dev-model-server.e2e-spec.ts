import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import OpenAI, { AuthenticationError, NotFoundError } from 'openai';
import { createDevModelServer, DEV_MODEL_DEFAULT_KEY } from './dev-model-server';

/** The development model server through the real openai client: the endpoints our code does not call yet too. */
describe('the development model server', () => {
  let server: Server;
  let client: OpenAI;
  let baseURL: string;

  beforeAll(async () => {
    server = createDevModelServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    client = new OpenAI({ apiKey: DEV_MODEL_DEFAULT_KEY, baseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists its models and refuses unknown ones and other keys as OpenAI does', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small']));
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(NotFoundError);
    const stranger = new OpenAI({ apiKey: 'sk-someone-else', baseURL, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('answers the same messages with the same text, streamed or not, in several chunks', async () => {
    const messages = [{ role: 'user' as const, content: 'Summarise the quarter' }];
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } })) {
      if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(whole.choices[0].message.content);
    expect(whole.choices[0].message.content).toContain('Summarise the quarter');
    expect(usage).toEqual(whole.usage);
    const capped = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 2 });
    expect(capped.choices[0].finish_reason).toBe('length');
  });

  it('embeds deterministically: unit vectors, as floats or base64', async () => {
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    const [alpha, beta] = floats.data.map((item) => item.embedding);
    expect(alpha).toHaveLength(64);
    expect(Math.hypot(...alpha)).toBeCloseTo(1, 5);
    expect(alpha).not.toEqual(beta);
    const again = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 64 });
    // The client decodes base64 (its default) into floats.
    again.data[0].embedding.forEach((value, i) => expect(value).toBeCloseTo(alpha[i], 6));
  });

  it.each([
    ['a string', 'no vector today', 'no vector today'],
    ['undefined', undefined, 'undefined'],
  ])('answers 500 naming what its own code threw, even %s', async (_kind, thrown, named) => {
    // Math.hypot normalises every embedding: the one place a test can make the server's own code throw.
    const hypot = jest.spyOn(Math, 'hypot').mockImplementation(() => {
      throw thrown;
    });
    try {
      const response = await fetch(`${baseURL}/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_MODEL_DEFAULT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'alpha' }),
        signal: AbortSignal.timeout(5000),
      });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(`development model server error: ${named}`);
    } finally {
      hypot.mockRestore();
    }
  });
});
