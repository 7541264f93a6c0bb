// The bundled example (examples/policy.yaml + examples/records.jsonl): the
// report, explanation and warnings equal the CLI's JSON — as data and in
// key order — whichever way the inputs reach the addon.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Policy, version } = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS, runCli, exampleRecordObjects } = require('./helpers')

const cliReportText = runCli(['evaluate', '--policy', EXAMPLE_POLICY, '--records', EXAMPLE_RECORDS, '--format', 'json'])
const cliReport = JSON.parse(cliReportText)

function assertSameAsCli(report, expected = cliReport) {
  // Same data…
  assert.deepStrictEqual(report, expected)
  // …and the same key order, everywhere (JSON.stringify follows insertion order).
  assert.equal(JSON.stringify(report), JSON.stringify(expected))
}

test('the example report is not trivial', () => {
  assert.ok(cliReport.results.length > 10)
  assert.ok(cliReport.deployments.length > 100)
  assert.ok(cliReport.results.some((r) => r.status === 'breached'))
  assert.equal(cliReport.engine.version, version())
})

test('evaluateSync(path) equals `slakit evaluate --format json`', () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  assertSameAsCli(policy.evaluateSync(EXAMPLE_RECORDS))
})

test('the report carries the DORA summary', () => {
  const report = Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS)
  const all = report.dora.rows.filter((r) => r.segment.by === 'all')
  assert.deepEqual(all.map((r) => r.window.label), ['2026-01', '2026-02', '2026-03'])
  assert.equal(all[0].deployment_frequency.count, 93)
})

test('evaluate(path) equals the CLI', async () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  assertSameAsCli(await policy.evaluate(EXAMPLE_RECORDS))
})

test('records as plain objects give the same report, inputs digest included', async () => {
  const policy = Policy.fromYaml(fs.readFileSync(EXAMPLE_POLICY, 'utf8'))
  const records = exampleRecordObjects()
  assertSameAsCli(policy.evaluateSync(records))
  assertSameAsCli(await policy.evaluate(records))
})

test('a JSON array file gives the same report', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'records.json')
  fs.writeFileSync(file, JSON.stringify(exampleRecordObjects()))
  assertSameAsCli(Policy.load(EXAMPLE_POLICY).evaluateSync(file))
})

test('an explicit asOf, as a string and as a Date, equals the CLI with --as-of', async () => {
  const asOf = '2026-02-15T12:00:00-05:00'
  const expected = JSON.parse(
    runCli(['evaluate', '--policy', EXAMPLE_POLICY, '--records', EXAMPLE_RECORDS, '--as-of', asOf, '--format', 'json']),
  )
  const policy = Policy.load(EXAMPLE_POLICY)
  assertSameAsCli(policy.evaluateSync(EXAMPLE_RECORDS, asOf), expected)
  assertSameAsCli(await policy.evaluate(EXAMPLE_RECORDS, new Date(asOf)), expected)
  assert.equal(expected.as_of, '2026-02-15T17:00:00Z')
})

test('explain equals `slakit explain --format json`', async () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  // A deployment with a breach, so the timeline is not empty.
  const breach = cliReport.results.flatMap((r) => r.breaches).find((b) => b.elapsed_ms !== undefined)
  assert.ok(breach, 'the example has a duration breach')
  const expected = JSON.parse(
    runCli(['explain', '--policy', EXAMPLE_POLICY, '--records', EXAMPLE_RECORDS, '--deployment', breach.deployment, '--format', 'json']),
  )
  const explanation = policy.explain(EXAMPLE_RECORDS, breach.deployment)
  assert.deepStrictEqual(explanation, expected)
  assert.equal(JSON.stringify(explanation), JSON.stringify(expected))
  assert.ok(explanation.slas.some((s) => s.timeline.length > 0))
  const viaPromise = await policy.explainAsync(exampleRecordObjects(), breach.deployment)
  assert.equal(JSON.stringify(viaPromise), JSON.stringify(expected))
})

test('check() equals the warnings of `slakit check --format json`', () => {
  const expected = JSON.parse(runCli(['check', '--policy', EXAMPLE_POLICY, '--format', 'json']))
  assert.deepStrictEqual(Policy.load(EXAMPLE_POLICY).check(), expected.warnings)
  // A policy with a lint warning, to compare something non-empty.
  const text = [
    'slakit: 1',
    'name: lint',
    'calendars:',
    '  biz: {timezone: UTC, hours: {mon-fri: ["09:00-17:00"]}}',
    'slas:',
    '  - id: lt',
    '    clock: {start: merged, stop: succeeded, calendar: biz}',
    '    window: month',
    '    targets: {default: {max: 2d, objective: 90%}}',
    '',
  ].join('\n')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-'))
  try {
    const file = path.join(dir, 'lint.yaml')
    fs.writeFileSync(file, text)
    const cli = JSON.parse(runCli(['check', '--policy', file, '--format', 'json']))
    const warnings = Policy.fromYaml(text).check()
    assert.deepStrictEqual(warnings, cli.warnings)
    assert.equal(warnings[0]?.code, 'W002')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('the report is plain data: no instant crosses as a number', () => {
  const report = Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS)
  assert.equal(Object.getPrototypeOf(report), Object.prototype)
  const walk = (x, where) => {
    if (Array.isArray(x)) return x.forEach((y, i) => walk(y, `${where}/${i}`))
    if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (/(^|_)(at|as_of|start|end|anchor|time|from|to)$/.test(k) && v !== null) {
          assert.equal(typeof v, 'string', `${where}/${k} is an instant and must be a string`)
        }
        walk(v, `${where}/${k}`)
      }
      return
    }
    if (typeof x === 'number') assert.ok(Number.isSafeInteger(x) || !Number.isInteger(x), `${where} = ${x}`)
  }
  walk(report, '')
})
