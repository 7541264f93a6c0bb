// Policy versions and audit freezes (SPEC §9b, docs/policy.md): rows carry
// the version that judged their window, the report equals the CLI's, and a
// version approved inside an audit freeze is refused with E132.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Policy } = require('..')
const { ROOT, EXAMPLE_RECORDS, runCli } = require('./helpers')

const VERSIONED = path.join(ROOT, 'examples', 'policy-versions.yaml')

const POLICY = `slakit: 1
name: versioned
slas:
  - id: lead
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
audit_freezes:
  - {id: year-end-audit, from: "2026-12-15T00:00:00Z", to: "2027-01-05T00:00:00Z"}
versions:
  - effective_from: "2026-03-15T00:00:00Z"
    approved_at: "APPROVED"
    slas:
      - id: lead
        clock: {start: merged, stop: succeeded}
        window: month
        targets: {default: {max: 2h, objective: 90%}}
`

const RECORDS = [3, 4].flatMap((m) => [
  { deployment: `d${m}`, event: 'merged', time: `2026-0${m}-20T10:00:00Z`, service: 'api' },
  { deployment: `d${m}`, event: 'succeeded', time: `2026-0${m}-20T13:00:00Z` },
])

test('rows carry the version in force at their window start', () => {
  const policy = Policy.fromYaml(POLICY.replace('APPROVED', '2026-03-01T00:00:00Z'))
  const report = policy.evaluateSync(RECORDS, '2026-05-01T00:00:00Z')
  const march = report.results.find((r) => r.window.start === '2026-03-01T00:00:00Z')
  const april = report.results.find((r) => r.window.start === '2026-04-01T00:00:00Z')
  assert.equal(march.policy_version, undefined)
  assert.equal(march.status, 'met')
  assert.equal(april.policy_version, '2026-03-15T00:00:00Z')
  assert.equal(april.status, 'breached')
  assert.equal(april.target.max_ms, 2 * 3600000)
  assert.equal(report.policy.version, '2026-03-15T00:00:00Z')
})

test('the versioned example equals `slakit evaluate --format json`', () => {
  const asOf = '2026-04-20T00:00:00Z'
  const cli = JSON.parse(
    runCli(['evaluate', '--policy', VERSIONED, '--records', EXAMPLE_RECORDS, '--as-of', asOf, '--format', 'json']),
  )
  const report = Policy.load(VERSIONED).evaluateSync(EXAMPLE_RECORDS, asOf)
  assert.deepStrictEqual(report, cli)
  assert.ok(report.results.some((r) => r.policy_version === '2026-04-01T04:00:00Z'))
  assert.ok(report.results.some((r) => r.policy_version === '2026-01-01T05:00:00Z'))
})

test('a version approved inside an audit freeze is refused with E132', () => {
  let error
  try {
    Policy.fromYaml(POLICY.replace('APPROVED', '2026-12-15T00:00:00Z'))
  } catch (e) {
    error = e
  }
  assert.ok(error, 'no error was thrown')
  assert.equal(error.code, 'E132')
  assert.equal(error.kind, 'policy')
  assert.equal(error.path, '/versions/0/approved_at')
  assert.match(error.message, /year-end-audit/)
  // Exactly at the freeze's end is allowed: [from, to).
  Policy.fromYaml(POLICY.replace('APPROVED', '2027-01-05T00:00:00Z'))
})
