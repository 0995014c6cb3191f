import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { Config } from '../../config.ts';

/** The one place an Elasticsearch client is built from config: basic auth or API key, and a CA bundle. */
export function createElasticsearch(config: Config['elasticsearch']): Client {
  const options: ClientOptions = { node: config.url };
  const auth = config.auth;
  if (auth)
    options.auth =
      'apiKey' in auth ? { apiKey: auth.apiKey } : { username: auth.username, password: auth.password };
  if (config.caFile) options.tls = { ca: readFileSync(config.caFile, 'utf8') };
  return new Client(options);
}
