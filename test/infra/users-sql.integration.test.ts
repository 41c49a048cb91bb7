// infra/clickhouse/users.sql (the users for current ClickHouse) goes through current ClickHouse's own parser
// (chdb's formatQuery): every statement, with the password-hash placeholders filled as the compose init
// script fills them. chdb has no access management, so the statements are parsed here, not executed; the
// 18.16 equivalent (users.xml) is executed by the read-only user tests.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../pipeline/clickhouse/escape.ts';
import { ChdbError, runOnChdb } from '../support/chdb.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function statements(): string[] {
  const sql = readFileSync(resolve(import.meta.dirname, '../../infra/clickhouse/users.sql'), 'utf8')
    .replace(/--[^\n]*/g, '')
    .replace(/__READER_PASSWORD_SHA256__/g, sha256('reader-secret'))
    .replace(/__WRITER_PASSWORD_SHA256__/g, sha256('writer-secret'));
  return sql.split(';').map((s) => s.trim()).filter(Boolean);
}

const formatted = (stmts: string[]) => runOnChdb(stmts.map((s) => `SELECT formatQuery(${sqlString(s)}) AS f`));

describe('users.sql on current ClickHouse', () => {
  it('every statement parses, with the placeholders filled', async () => {
    const stmts = statements();
    expect(stmts.length).toBeGreaterThanOrEqual(7);
    const { results } = await formatted(stmts);
    const out = results.map((r) => String(r[0]?.f));
    expect(out).toHaveLength(stmts.length);
    const reader = out.find((s) => s.startsWith('CREATE SETTINGS PROFILE') && s.includes('shelfwatch_reader_profile'));
    expect(reader).toMatch(/readonly = 1/);
    expect(reader).toMatch(/max_execution_time = 300 MIN 1 MAX 600 CHANGEABLE_IN_READONLY/);
    expect(out.filter((s) => s.startsWith('GRANT') && s.includes('shelfwatch_reader'))).toEqual(['GRANT SELECT ON shelfwatch.* TO shelfwatch_reader']);
    expect(out.filter((s) => s.startsWith('CREATE USER'))).toHaveLength(2);
    for (const s of out.filter((s) => s.startsWith('CREATE USER'))) expect(s).toContain('sha256_hash');
  });

  it('the check can fail: a misspelt statement is refused by the parser', async () => {
    await expect(formatted(['CREATE USR shelfwatch_reader'])).rejects.toBeInstanceOf(ChdbError);
  });
});
