/**
 * What a request pays to verify its bearer token: jsonwebtoken's HS256 verify (TokenIssuer) vs a
 * hit in the per-token memo (src/http/verified-tokens.ts). Interleaved rounds, medians.
 *
 *   npx tsx bench/api/token-verify.ts
 *
 * Environment: BENCH_ITERATIONS (50,000 per measurement), BENCH_ROUNDS (5).
 */
import { performance } from 'node:perf_hooks';
import { TokenIssuer } from '../../src/accounts/tokens.js';
import { VerifiedTokens } from '../../src/http/verified-tokens.js';
import { median } from '../support/median.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS || 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const issuer = new TokenIssuer('k'.repeat(64), 3600);
const token = issuer.issue('a'.repeat(32), false, 1);
const memo = new VerifiedTokens(issuer);

function microsPerCall(verify: (token: string) => unknown): number {
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) verify(token);
  return ((performance.now() - started) * 1000) / ITERATIONS;
}

const direct: number[] = [];
const memoised: number[] = [];
microsPerCall((t) => issuer.verify(t));
microsPerCall((t) => memo.verify(t));
for (let round = 0; round < ROUNDS; round += 1) {
  direct.push(microsPerCall((t) => issuer.verify(t)));
  memoised.push(microsPerCall((t) => memo.verify(t)));
}
const fmt = (values: number[]) => `${median(values).toFixed(2)} µs (rounds ${values.map((v) => v.toFixed(2)).join(' / ')})`;
console.log(`token verification, ${ITERATIONS} calls × ${ROUNDS} rounds, Node ${process.version}`);
console.log(`| jsonwebtoken HS256 verify (TokenIssuer.verify) | ${fmt(direct)} |`);
console.log(`| memo hit (VerifiedTokens.verify) | ${fmt(memoised)} |`);
