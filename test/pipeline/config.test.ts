import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../pipeline/config.ts';

function configFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shelfwatch-config-'));
  const file = join(dir, 'shelfwatch.config.json');
  writeFileSync(file, content);
  return file;
}

describe('config', () => {
  it('gives every field a default', () => {
    const c = parseConfig({});
    expect(c.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(c.clickhouse.url).toBe('http://127.0.0.1:18123');
    expect(c.clickhouse.database).toBe('shelfwatch');
    expect(c.infra.managed).toBe(true);
    expect(c.runtime.maxBatchSize).toBe(500);
  });

  it.each([
    [{ kafka: { brokerz: ['x:1'] } }, 'kafka', 'unknown key(s) brokerz'],
    [{ kafka: { brokers: ['no-port'] } }, 'kafka.brokers.0', 'host:port'],
    [{ clickhouse: { database: 'drop table;' } }, 'clickhouse.database', 'identifier'],
    [{ infra: { kafkaPort: 70000 } }, 'infra.kafkaPort', ''],
    [{ runtime: { maxBatchSize: 0 } }, 'runtime.maxBatchSize', ''],
    [{ log: { level: 'loud' } }, 'log.level', ''],
    [{ surprise: 1 }, '(root)', 'unknown key(s) surprise'],
  ])('rejects %j naming the field %s', (raw, path, text) => {
    try {
      parseConfig(raw);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(issues.map((i) => i.path)).toContain(path);
      expect((err as Error).message).toContain(path);
      if (text) expect((err as Error).message).toContain(text);
    }
  });

  it('applies environment overrides over the file, and names the variable when it is wrong', () => {
    const file = configFile(JSON.stringify({ kafka: { brokers: ['file:1'] }, log: { level: 'debug' } }));
    const c = loadConfig({ file, env: { SHELFWATCH_KAFKA_BROKERS: 'a:1, b:2', SHELFWATCH_INFRA_MANAGED: 'false' } });
    expect(c.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(c.infra.managed).toBe(false);
    expect(c.log.level).toBe('debug');
    expect(() => loadConfig({ file, env: { SHELFWATCH_INFRA_MANAGED: 'maybe' } })).toThrow(/infra\.managed[\s\S]*|SHELFWATCH_INFRA_MANAGED/);
  });

  it('reports a file that is not JSON with its path', () => {
    const file = configFile('{ kafka: ');
    expect(() => loadConfig({ file, env: {} })).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`));
  });

  it('never holds secrets: passwords come from the environment only', () => {
    expect(() => parseConfig({ clickhouse: { password: 'x' } })).toThrow(/unknown key\(s\) password/);
  });
});
