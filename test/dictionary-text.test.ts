import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFreeRadius } from '../src/dictionary/freeradius/parse.js';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;
let tenant: TestAccount;

useSuiteService((started) => ({ service, api } = started));

beforeAll(async () => {
  tenant = await createAccount(api, service.masterAccountId, 'text-dicts');
});

const ACME = `# Acme test dictionary
VENDOR		Acme				64997	format=2,1
BEGIN-VENDOR	Acme
ATTRIBUTE	Acme-Plan			1	string
ATTRIBUTE	Acme-Speed			0x2	integer	has_tag
ATTRIBUTE	Acme-Key			3	octets	encrypt=2
ATTRIBUTE	Acme-Group			4	tlv
ATTRIBUTE	Acme-Group-Member		4.1	ipaddr
VALUE	Acme-Speed			Slow			1
VALUE	Acme-Speed			Fast			2
END-VENDOR	Acme
`;

async function sendText(method: string, pathAndQuery: string, text: string) {
  const response = await fetch(service.url + pathAndQuery, {
    method,
    headers: { 'Content-Type': 'text/plain', 'X-Auth-Token': tenant.token },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('FreeRADIUS text over the API', () => {
  const base = () => `/v2/accounts/${tenant.id}/aaa/dictionary`;

  it('PUT text/plain with ?name= stores the converted document; GET with Accept: text/plain exports text that parses back to it', async () => {
    const created = await sendText('PUT', `${base()}?name=dictionary_acme`, ACME);
    expect(created.status).toBe(201);
    expect(created.body.data.value).toEqual(parseFreeRadius(ACME).entries);
    expect(created.body.data.value).toEqual(
      expect.arrayContaining([
        { vendor: { Acme: 64997 }, format: '2,1' },
        { attr: expect.objectContaining({ name: 'Acme-Group-Member', oid: '4.1' }) },
      ]),
    );
    const exported = await fetch(`${service.url}${base()}/${tenant.id}~dictionary_acme`, {
      headers: { Accept: 'text/plain', 'X-Auth-Token': tenant.token },
    });
    expect(exported.headers.get('content-type')).toContain('text/plain');
    const text = await exported.text();
    expect(text).toContain('BEGIN-VENDOR');
    expect(parseFreeRadius(text).entries).toEqual(created.body.data.value);
  });

  it('POST text/plain replaces the dictionary', async () => {
    const replaced = await sendText('POST', `${base()}/${tenant.id}~dictionary_acme?name=dictionary_acme`, ACME.replace('Slow', 'Crawl'));
    expect(replaced.status).toBe(200);
    expect(JSON.stringify(replaced.body.data.value)).toContain('Crawl');
  });

  it('bad text is a 400 naming the line and what is wrong', async () => {
    const response = await sendText('PUT', `${base()}?name=dictionary_bad`, 'VENDOR Acme 64996\nATTRIBUTE Acme-X 1 strnig\n');
    expect(response.status).toBe(400);
    expect(response.body.data.line).toBe(2);
    expect(response.body.data.message).toMatch(/line 2/);
    expect(response.body.data.message).toMatch(/strnig/);
  });

  it('an upload cannot $INCLUDE, and needs a name', async () => {
    const include = await sendText('PUT', `${base()}?name=dictionary_inc`, '$INCLUDE dictionary.rfc2865\n');
    expect(include.status).toBe(400);
    expect(include.body.data.line).toBe(1);
    const unnamed = await sendText('PUT', base(), ACME);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.data).toHaveProperty(['name', 'required']);
  });

  it('text may use a vendor defined in a dictionary the account can see', async () => {
    const response = await sendText('PUT', `${base()}?name=dictionary_cisco_extra`, 'ATTRIBUTE Cisco-Extra-Thing 250 string Cisco\n');
    expect(response.status).toBe(201);
    expect(response.body.data.value[0].attr).toMatchObject({ vid: 9, id: 250 });
  });
});

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the command line importer', () => {
  it('imports a directory, one dictionary per file, refuses existing names unless --replace', async () => {
    const account = await createAccount(api, service.masterAccountId, 'cli');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-dicts-'));
    await fs.writeFile(path.join(dir, 'dictionary'), '$INCLUDE dictionary.acme\n$INCLUDE dictionary.beta\n');
    await fs.writeFile(path.join(dir, 'dictionary.acme'), ACME);
    await fs.writeFile(path.join(dir, 'dictionary.beta'), 'BEGIN-VENDOR Acme\nATTRIBUTE Acme-Beta 9 string\nEND-VENDOR Acme\n');
    const common = ['dict', 'import', dir, '--account', account.id, '--url', service.url, '--api-key', account.apiKey];
    const first = await runCli(common);
    expect(first.output).toContain('2 imported, 0 failed');
    expect(first.code).toBe(0);
    const listed = await api.get(`/v2/accounts/${account.id}/aaa/dictionary`);
    const own = listed.body.data.filter((d: { owner: string }) => d.owner === account.id).map((d: { name: string }) => d.name);
    expect(own.sort()).toEqual(['dictionary_acme', 'dictionary_beta']);
    const again = await runCli(common);
    expect(again.code).toBe(1);
    expect(again.output).toContain('0 imported, 2 failed');
    const replaced = await runCli([...common, '--replace']);
    expect(replaced.code).toBe(0);
    expect(replaced.output).toContain('replaced');
  });

  it('imports a single file with its $INCLUDEs inlined', async () => {
    const account = await createAccount(api, service.masterAccountId, 'cli-file');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-file-'));
    await fs.writeFile(path.join(dir, 'dictionary.acme'), ACME);
    await fs.writeFile(
      path.join(dir, 'main'),
      '$INCLUDE dictionary.acme\nBEGIN-VENDOR Acme\nATTRIBUTE Acme-Main 10 string\nEND-VENDOR Acme\n',
    );
    const result = await runCli([
      'dict',
      'import',
      path.join(dir, 'main'),
      '--name',
      'dictionary_all',
      '--account',
      account.id,
      '--url',
      service.url,
      '--api-key',
      account.apiKey,
    ]);
    expect(result.code).toBe(0);
    const doc = await api.get(`/v2/accounts/${account.id}/aaa/dictionary/${account.id}~dictionary_all`);
    const names = doc.body.data.value.flatMap((entry: { attr?: { name: string } }) => (entry.attr ? [entry.attr.name] : []));
    expect(names).toEqual(expect.arrayContaining(['Acme-Plan', 'Acme-Main']));
  });

  it('prints usage and exits 2 on bad arguments', async () => {
    const result = await runCli(['dict', 'import']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('usage: circlemaker dict import');
  });
});
