import { TEST_SERVICE_TOKEN } from '@suite/testing';

export interface RpcHttpResult {
  status: number;
  headers: Headers;
  body: { ok: boolean; data?: unknown; error?: { code: string; message: string; retry_after_ms?: number } };
}

/** Posts to /rpc as the Reflex backend does (JSON, bearer token), or with the given raw body and headers. */
export async function postRpc(
  baseUrl: string,
  body: unknown,
  options: { token?: string | null; raw?: string; headers?: Record<string, string> } = {},
): Promise<RpcHttpResult> {
  const token = options.token === undefined ? TEST_SERVICE_TOKEN : options.token;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/rpc`, { method: 'POST', headers, body: options.raw ?? JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as RpcHttpResult['body'] };
}
