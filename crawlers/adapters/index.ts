// Registry of site adapters: one line per platform. adapterFor(url) picks the adapter whose host (and path
// prefix, when set) matches; pages no adapter knows go to the generic schema.org extractor.
// An unknown adapter name in config is a validation error (see adapterNames).
import { bigmall } from './bigmall.ts';
import { livebuy } from './livebuy.ts';
import { selfshop } from './selfshop.ts';
import { spaMall } from './spa-mall.ts';
import type { AdapterDefinition, SiteAdapter } from './types.ts';

export const ADAPTERS: readonly AdapterDefinition[] = [
  bigmall as AdapterDefinition,
  spaMall as AdapterDefinition,
  selfshop as AdapterDefinition,
  livebuy as AdapterDefinition,
];

export const adapterNames: readonly string[] = ADAPTERS.map((a) => a.name);

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host === pattern.slice(2) || host.endsWith(pattern.slice(1));
  return host === pattern;
}

/** The adapter definition for a URL, or null. `hostsOverride` maps a platform to the hosts it runs on (config). */
export function adapterDefinitionFor(url: string, hostsOverride: Readonly<Record<string, readonly string[]>> = {}): AdapterDefinition | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.host.toLowerCase();
  const hostname = u.hostname.toLowerCase();
  for (const def of ADAPTERS) {
    const hosts = hostsOverride[def.name] ?? def.hosts;
    if (!hosts.some((h) => hostMatches(h.toLowerCase(), host) || hostMatches(h.toLowerCase(), hostname))) continue;
    if (def.pathPrefix && !u.pathname.startsWith(def.pathPrefix)) continue;
    return def;
  }
  return null;
}

const instances = new Map<string, SiteAdapter>();

/** A created adapter (default config) for a platform name, cached. */
export function adapterByName(name: string): SiteAdapter | null {
  const def = ADAPTERS.find((a) => a.name === name);
  if (!def) return null;
  let a = instances.get(name);
  if (!a) {
    a = def.create(def.configSchema.parse({}));
    instances.set(name, a);
  }
  return a;
}
