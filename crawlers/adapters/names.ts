// Names of the registered site adapters, without importing them (config validation stays light: no cheerio
// at start-up). A unit test checks this list equals the registry in ./index.ts.
export const ADAPTER_NAMES = ['bigmall', 'spa_mall', 'selfshop', 'livebuy'] as const;
