import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Duration, durationToProto, formatDurationMs, parseDurationMs, re2Error } from '../../src/api/common';

test('parseDurationMs reads Gateway API durations', () => {
  assert.equal(parseDurationMs('1s'), 1000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('1h2m'), 3_720_000);
  assert.equal(parseDurationMs('1m30s500ms'), 90_500);
  assert.equal(parseDurationMs('0s'), 0);
  assert.equal(parseDurationMs('99999h'), 99999 * 3_600_000);
  assert.equal(parseDurationMs('1h1m1s1ms'), 3_661_001);
});

test('parseDurationMs rejects what the pattern rejects, naming the input', () => {
  for (const bad of ['', '1', '1d', '1.5s', '-1s', '100000s', '1h1m1s1ms1ms', ' 1s', 's', '1S']) {
    assert.throws(() => parseDurationMs(bad), new RegExp(`invalid duration ${JSON.stringify(JSON.stringify(bad)).slice(1, -1)}`), bad);
    assert.equal(Duration.safeParse(bad).success, false, bad);
  }
});

test('formatDurationMs is the inverse of parseDurationMs', () => {
  for (const ms of [0, 1, 999, 1000, 1500, 60_000, 3_661_001, 7_200_000]) {
    const d = formatDurationMs(ms);
    assert.equal(Duration.safeParse(d).success, true, d);
    assert.equal(parseDurationMs(d), ms);
  }
  assert.equal(formatDurationMs(3_720_000), '1h2m');
  assert.throws(() => formatDurationMs(-1), /non-negative/);
  assert.throws(() => formatDurationMs(1.5), /non-negative integer/);
});

test('durationToProto gives google.protobuf.Duration fields', () => {
  assert.deepEqual(durationToProto('1s250ms'), { seconds: 1, nanos: 250_000_000 });
  assert.deepEqual(durationToProto('2m'), { seconds: 120, nanos: 0 });
});

test('re2Error accepts RE2 and explains what is not RE2', () => {
  assert.equal(re2Error('^/api/v[0-9]+/.*$'), undefined);
  assert.match(re2Error('(a)\\1')!, /escape/);
  assert.match(re2Error('(?=x)y')!, /perl operator/);
  assert.match(re2Error('(?<!x)y')!, /perl operator|invalid/);
  assert.match(re2Error('[a-')!, /missing \]/);
  assert.match(re2Error('a'.repeat(1025))!, /at most 1024/);
});

test('re2Error frees what it compiles: many distinct regexes do not exhaust the 16 MB WASM heap', () => {
  // The package's RE2 class leaks each compiled regex and aborts after a few thousand.
  for (let i = 0; i < 6000; i++) {
    assert.equal(re2Error(`^/api/v${i}/(orders|users)/[a-z]+$`), undefined);
    assert.match(re2Error(`(?=x${i})`)!, /perl operator/);
  }
});

test('re2Error takes RE2 syntax as Envoy does (named groups (?P<n>...), \\d, classes)', () => {
  assert.equal(re2Error('^/users/(?P<id>\\d+)$'), undefined);
  assert.equal(re2Error('^[[:alpha:]]+$'), undefined);
  assert.match(re2Error('\\')!, /trailing \\/);
});
