// The pipeline gate (docs/gates.md): gateSync and gate decide allow or deny
// from a policy's `gates:`, and the decision equals `slakit gate --format
// json` — as data and in key order — whichever way the inputs reach the
// addon. Errors carry the CLI's code, kind and location.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Policy } = require('..')
const { runCli } = require('./helpers')

// A blackout for every tier, a month-end blackout and a required canary for
// tier 1, and no other gate.
const POLICY_YAML = `slakit: 1
name: gate-test
timezone: America/New_York
services:
  checkout: {tier: tier1, team: payments}
  search: {tier: tier2, team: discovery}
tiers: [tier1, tier2]
slas:
  - id: lead-time
    clock: {start: merged, stop: health_validated}
    window: month
    targets: {default: {max: 1d, objective: 90%}}
gates:
  blackouts:
    - {id: freeze, reason: year-end freeze, from: "2026-12-18T17:00:00-05:00", to: "2027-01-04T09:00:00-05:00"}
    - {id: month-close, reason: month-end billing run, monthly_last_days: 1, tiers: [tier1]}
  require_canary: [tier1]
`

const RECORDS = [
  { deployment: 'D-1', event: 'merged', time: '2026-06-10T09:00:00-04:00', service: 'checkout', environment: 'production' },
  { deployment: 'D-1', event: 'canary_passed', time: '2026-06-10T11:00:00-04:00' },
  { deployment: 'D-2', event: 'merged', time: '2026-06-10T09:30:00-04:00', service: 'checkout', environment: 'production' },
  { deployment: 'D-2', event: 'canary_failed', time: '2026-06-10T11:30:00-04:00' },
  {
    kind: 'exception',
    id: 'EX-1',
    from: '2026-06-30T00:00:00-04:00',
    to: '2026-07-01T00:00:00-04:00',
    emergency: true,
    deployments: ['D-9'],
    approved_by: 'cab',
  },
]

/** [name, proposed, at, expected decision, expected reasons as gate/id]. */
const CASES = [
  ['a passed canary outside any blackout', { deployment: 'D-1', service: 'checkout', environment: 'production' }, '2026-06-10T12:00:00-04:00', 'allow', []],
  ['the year-end freeze (every tier)', { deployment: 'D-1', service: 'checkout' }, '2026-12-21T10:00:00-05:00', 'deny', ['blackout/freeze']],
  [
    'month-end blackout and a failed canary',
    { deployment: 'D-2', service: 'checkout', environment: 'production' },
    '2026-06-30T12:00:00-04:00',
    'deny',
    ['blackout/month-close', 'require_canary/tier1'],
  ],
  ['no canary at all', { deployment: 'D-3', service: 'checkout' }, '2026-06-15T12:00:00-04:00', 'deny', ['require_canary/tier1']],
  ['tier 2 on the month-end day: neither gate applies', { deployment: 'S-1', service: 'search' }, '2026-06-30T12:00:00-04:00', 'allow', []],
  [
    'an emergency override under an emergency exception',
    { deployment: 'D-9', service: 'checkout', release_type: 'emergency', team: null },
    '2026-06-30T12:00:00-04:00',
    'allow',
    [],
  ],
  ['a deployment record passed as the proposed deployment', { ...RECORDS[0], kind: 'event', id: null }, '2026-06-10T12:00:00-04:00', 'allow', []],
]

function fixture(t, policyText = POLICY_YAML, records = RECORDS) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-gate-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const policyFile = path.join(dir, 'policy.yaml')
  const recordsFile = path.join(dir, 'history.jsonl')
  fs.writeFileSync(policyFile, policyText)
  fs.writeFileSync(recordsFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  return { policyFile, recordsFile }
}

function cliGate(policyFile, recordsFile, proposed, at) {
  return JSON.parse(
    runCli(['gate', '--policy', policyFile, '--records', recordsFile, '--deployment', JSON.stringify(proposed), '--at', at, '--format', 'json']),
  )
}

function assertSameAsCli(decision, expected) {
  // Same data…
  assert.deepStrictEqual(decision, expected)
  // …and the same key order, everywhere.
  assert.equal(JSON.stringify(decision), JSON.stringify(expected))
}

const policy = Policy.fromYaml(POLICY_YAML)

test('gateSync: allow and deny, every denying gate named', () => {
  for (const [name, proposed, at, expected, reasons] of CASES) {
    const d = policy.gateSync(RECORDS, proposed, at)
    assert.equal(d.decision, expected, name)
    assert.deepEqual(
      d.reasons.map((r) => `${r.gate}/${r.id}`),
      reasons,
      name,
    )
    assert.equal(d.deployment, proposed.deployment)
    assert.equal(d.tier, proposed.service === 'search' ? 'tier2' : 'tier1')
    assert.equal(d.at, new Date(at).toISOString().replace('.000Z', 'Z'))
    assert.equal(d.policy.name, 'gate-test')
  }
  const override = policy.gateSync(RECORDS, CASES[5][1], CASES[5][2])
  assert.deepEqual(
    override.findings.map((f) => [f.kind, f.gate, f.exception, f.justify_by]),
    [
      ['emergency_override', 'blackout', 'EX-1', '2026-07-06T04:00:00Z'],
      ['emergency_override', 'require_canary', 'EX-1', '2026-07-06T04:00:00Z'],
    ],
  )
  // The exception covers D-9 only: any other emergency is denied.
  assert.equal(policy.gateSync(RECORDS, { ...CASES[5][1], deployment: 'D-10' }, CASES[5][2]).decision, 'deny')
})

test('gate (a Promise) gives the decisions of gateSync, with a Date or a string', async () => {
  for (const [name, proposed, at] of CASES) {
    const expected = JSON.stringify(policy.gateSync(RECORDS, proposed, at))
    const promise = policy.gate(RECORDS, proposed, new Date(at))
    assert.ok(promise instanceof Promise)
    assert.equal(JSON.stringify(await promise), expected, name)
    assert.equal(JSON.stringify(await policy.gate(RECORDS, proposed, at)), expected, name)
  }
})

test('the decision equals `slakit gate --format json`, records as a path or as objects', async (t) => {
  const { policyFile, recordsFile } = fixture(t)
  const loaded = Policy.load(policyFile)
  for (const [name, proposed, at] of CASES) {
    const expected = cliGate(policyFile, recordsFile, proposed, at)
    assert.equal(typeof expected.decision, 'string', `${name}: ${JSON.stringify(expected)}`)
    assertSameAsCli(loaded.gateSync(recordsFile, proposed, at), expected)
    assertSameAsCli(policy.gateSync(RECORDS, proposed, new Date(at)), expected)
    assertSameAsCli(await loaded.gate(recordsFile, proposed, at), expected)
    assertSameAsCli(await policy.gate(RECORDS, proposed, new Date(at)), expected)
  }
})

/** The gate-test policy with breaker and budget as a plain object (what fromObject takes). */
function breakerPolicy() {
  return {
    slakit: 1,
    name: 'gate-test',
    timezone: 'America/New_York',
    services: { checkout: { tier: 'tier1', team: 'payments' }, search: { tier: 'tier2', team: 'discovery' } },
    tiers: ['tier1', 'tier2'],
    slas: [
      {
        id: 'lead-time',
        clock: { start: 'merged', stop: 'health_validated' },
        window: 'month',
        targets: { default: { max: '1d', objective: '90%' } },
      },
    ],
    gates: {
      blackouts: [
        { id: 'freeze', reason: 'year-end freeze', from: '2026-12-18T17:00:00-05:00', to: '2027-01-04T09:00:00-05:00' },
        { id: 'month-close', reason: 'month-end billing run', monthly_last_days: 1, tiers: ['tier1'] },
      ],
      circuit_breaker: { max_breached: 1, scope: 'team' },
      error_budget: 'deny_when_exhausted',
    },
  }
}

test('the circuit breaker and the error budget: evidence, as the CLI gives it', async (t) => {
  const text = POLICY_YAML.replace('  require_canary: [tier1]\n', '  circuit_breaker: {max_breached: 1, scope: team}\n  error_budget: deny_when_exhausted\n')
  const records = [
    { deployment: 'D-0', event: 'merged', time: '2026-06-01T09:00:00-04:00', service: 'checkout', environment: 'production' },
    { deployment: 'D-0', event: 'health_validated', time: '2026-06-03T09:00:00-04:00' },
    ...RECORDS,
  ]
  const { policyFile, recordsFile } = fixture(t, text, records)
  const proposed = { deployment: 'D-1', service: 'checkout' }
  const at = '2026-06-10T12:00:00-04:00'
  const expected = cliGate(policyFile, recordsFile, proposed, at)
  // fromObject reads the same document: the same decision, digest included.
  const fromObject = Policy.fromObject(breakerPolicy())
  const d = fromObject.gateSync(records, proposed, at)
  assertSameAsCli(d, expected)
  assertSameAsCli(await Policy.load(policyFile).gate(recordsFile, proposed, new Date(at)), expected)
  assert.equal(d.decision, 'deny')
  assert.deepEqual(
    d.reasons.map((r) => [r.gate, r.id, r.evidence]),
    [
      ['circuit_breaker', 'team', ['lead-time/D-0']],
      ['error_budget', 'lead-time', ['lead-time/2026-06-01T04:00:00Z/tier=tier1', 'lead-time/D-0']],
    ],
  )
  // Search is in another team, and its row has no breach.
  assert.equal(fromObject.gateSync(records, { deployment: 'S-1', service: 'search' }, at).decision, 'allow')
})

test('8 concurrent gate() calls on one policy: identical decisions', async () => {
  const [, proposed, at] = CASES[2]
  const expected = JSON.stringify(policy.gateSync(RECORDS, proposed, at))
  const decisions = await Promise.all(Array.from({ length: 8 }, () => policy.gate(RECORDS, proposed, at)))
  for (const d of decisions) assert.equal(JSON.stringify(d), expected)
})

/** The error `f` throws. */
function thrown(f) {
  try {
    f()
  } catch (e) {
    assert.ok(e instanceof Error, `not an Error: ${e}`)
    return e
  }
  assert.fail('no error was thrown')
}

/** Only the own properties that carry the error contract. */
function contract(e) {
  const out = { code: e.code, kind: e.kind }
  for (const k of ['file', 'line', 'column', 'recordIndex', 'path']) if (e[k] !== undefined) out[k] = e[k]
  return out
}

const AT = '2026-06-10T12:00:00-04:00'

test('the proposed deployment: E201 without `deployment`, E202 for a typo or a non-object, E200 for what JSON cannot hold', () => {
  const missing = thrown(() => policy.gateSync(RECORDS, { service: 'checkout' }, AT))
  assert.deepEqual(contract(missing), { code: 'E201', kind: 'input', path: '/deployment' })
  assert.match(missing.message, /needs a `deployment` id/)
  assert.deepEqual(contract(thrown(() => policy.gateSync(RECORDS, { deployment: '' }, AT))), { code: 'E201', kind: 'input', path: '/deployment' })
  const typo = thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1', servce: 'checkout' }, AT))
  assert.deepEqual(contract(typo), { code: 'E202', kind: 'input', path: '/servce' })
  assert.deepEqual(contract(thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1', service: 5 }, AT))), {
    code: 'E202',
    kind: 'input',
    path: '/service',
  })
  for (const notObject of ['D-1', ['D-1'], undefined, null, 42]) {
    assert.deepEqual(contract(thrown(() => policy.gateSync(RECORDS, notObject, AT))), { code: 'E202', kind: 'input' }, String(notObject))
  }
  assert.deepEqual(contract(thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1', service: NaN }, AT))), {
    code: 'E200',
    kind: 'input',
    path: '/service',
  })
  // A Date, a toJSON and an undefined field mean what JSON.stringify makes of them.
  const viaJson = policy.gateSync(RECORDS, { deployment: 'D-1', service: { toJSON: () => 'checkout' }, time: new Date(AT), team: undefined }, AT)
  assert.equal(viaJson.decision, 'allow')
  assert.equal(viaJson.tier, 'tier1')
})

test('the proposed-deployment errors equal the CLI JSON error document', (t) => {
  const { policyFile, recordsFile } = fixture(t)
  for (const proposed of [{ service: 'checkout' }, { deployment: 'D-1', servce: 'checkout' }, 'D-1']) {
    const e = thrown(() => policy.gateSync(recordsFile, proposed, AT))
    const cli = cliGate(policyFile, recordsFile, proposed, AT)
    assert.ok(cli.error, `the CLI reports an error for ${JSON.stringify(proposed)}`)
    assert.equal(e.code, cli.error.code)
    assert.equal(e.kind, cli.error.kind)
    assert.equal(e.message, cli.error.message)
    assert.equal(e.path, cli.error.location?.path)
  }
})

test('`at` is required: a Date or RFC 3339 text, anything else is E300 (there is no clock and no "now")', () => {
  const bad = ['yesterday', '2026-06-10T12:00:00', 'now', new Date(NaN), 1781107200000, undefined, null, {}, new Date('+100000-01-01T00:00:00Z')]
  for (const at of bad) {
    const e = thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1' }, at))
    assert.deepEqual(contract(e), { code: 'E300', kind: 'usage' }, String(at))
    assert.match(e.message, /^invalid at: /)
  }
  assert.deepEqual(contract(thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1' }))), { code: 'E300', kind: 'usage' })
  assert.match(thrown(() => policy.gateSync(RECORDS, { deployment: 'D-1' })).message, /needs the instant/)
  // Offsets are honoured; sub-millisecond digits are truncated, as by the CLI.
  assert.equal(policy.gateSync(RECORDS, { deployment: 'D-1', service: 'checkout' }, '2026-06-10T12:00:00.1239-04:00').at, '2026-06-10T16:00:00.123Z')
})

test('records: the history errors of evaluateSync, the file named', (t) => {
  const { recordsFile } = fixture(t, POLICY_YAML, [{ deployment: 'D-1', event: 'merged', time: 'soon' }])
  assert.deepEqual(contract(thrown(() => policy.gateSync(recordsFile, { deployment: 'D-1' }, AT))), {
    code: 'E203',
    kind: 'input',
    file: recordsFile,
    line: 1,
    recordIndex: 0,
    path: '/time',
  })
  assert.deepEqual(contract(thrown(() => policy.gateSync([{ event: 'merged' }], { deployment: 'D-1' }, AT))), {
    code: 'E201',
    kind: 'input',
    recordIndex: 0,
    path: '/deployment',
  })
  assert.deepEqual(contract(thrown(() => policy.gateSync(42, { deployment: 'D-1' }, AT))), { code: 'E303', kind: 'usage' })
  assert.equal(thrown(() => policy.gateSync('/nonexistent/history.jsonl', { deployment: 'D-1' }, AT)).code, 'E302')
  // An empty history is fine: nothing to deny on but the calendar gates.
  assert.equal(policy.gateSync([], { deployment: 'S-1', service: 'search' }, AT).decision, 'allow')
})

test('gate rejects (never throws) with the same errors', async () => {
  const cases = [
    [() => policy.gate(RECORDS, { service: 'checkout' }, AT), { code: 'E201', kind: 'input', path: '/deployment' }],
    [() => policy.gate(RECORDS, { deployment: 'D-1', servce: 'x' }, AT), { code: 'E202', kind: 'input', path: '/servce' }],
    [() => policy.gate(RECORDS, { deployment: 'D-1', service: Infinity }, AT), { code: 'E200', kind: 'input', path: '/service' }],
    [() => policy.gate(RECORDS, { deployment: 'D-1' }, 'yesterday'), { code: 'E300', kind: 'usage' }],
    [() => policy.gate(RECORDS, { deployment: 'D-1' }), { code: 'E300', kind: 'usage' }],
    [() => policy.gate(42, { deployment: 'D-1' }, AT), { code: 'E303', kind: 'usage' }],
    [() => policy.gate('/nonexistent/history.jsonl', { deployment: 'D-1' }, AT), { code: 'E302', kind: 'usage', file: '/nonexistent/history.jsonl' }],
  ]
  for (const [call, expected] of cases) {
    let promise
    assert.doesNotThrow(() => {
      promise = call()
    })
    const e = await promise.then(
      () => assert.fail(`resolved: ${call}`),
      (err) => err,
    )
    assert.ok(e instanceof Error)
    assert.deepEqual(contract(e), expected, String(call))
  }
})
