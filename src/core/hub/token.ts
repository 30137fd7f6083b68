/**
 * Hub endpoint and token, from the places huggingface_hub reads them (huggingface_hub `constants.py`):
 * HF_ENDPOINT; HF_TOKEN, else the token file (HF_TOKEN_PATH, else HF_HOME/token, else ~/.cache/huggingface/token).
 * The token is only ever put into an Authorization header; never log it or put it into an error message.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { readTextBounded } from '../models/bounds';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/**
 * The endpoint downloads use, without a trailing slash. It receives the token, so it must be https; plain
 * http only to this machine (a local mirror or a test hub on 127.0.0.1). The extension passes only the
 * user's own setting (machine scope, never a workspace's .vscode/settings.json); HF_ENDPOINT is the user's
 * environment. Throws with a message for the user otherwise.
 */
export function hubEndpoint(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = (env.HF_ENDPOINT || setting || DEFAULT_HUB_ENDPOINT).trim().replace(/\/+$/, '');
  const from = env.HF_ENDPOINT ? 'HF_ENDPOINT' : 'quantDrift.hub.endpoint';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`${from} is not a URL: ${endpoint.slice(0, 200)}`);
  }
  if (url.username || url.password) throw new Error(`${from} must not carry a user name or password`);
  if (url.protocol === 'https:') return endpoint;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return endpoint;
  throw new Error(
    `${from} must be an https:// URL (plain http only for localhost or 127.0.0.1), since it receives your Hugging Face token: ${url.origin}`,
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export function huggingFaceHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return env.HF_HOME;
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'huggingface');
}

export async function resolveHubToken(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (fromEnv?.trim()) return fromEnv.trim();
  const file = env.HF_TOKEN_PATH || path.join(huggingFaceHome(env), 'token');
  try {
    // A regular file of a few bytes; HF_TOKEN_PATH pointing at a device or pipe is no token.
    const token = (await readTextBounded(file, 64 * 1024)).trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

/** Removes a token from text before it reaches a log or an error message. */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('hf_***') : text;
}
