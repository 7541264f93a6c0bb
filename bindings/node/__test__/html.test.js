// reportToHtml: the dashboard, byte-identical to `slakit evaluate --format html`.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { Policy, reportToHtml } = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS, runCli } = require('./helpers')

const cliHtml = runCli(['evaluate', '--policy', EXAMPLE_POLICY, '--records', EXAMPLE_RECORDS, '--format', 'html'])

test('reportToHtml of an evaluated report is the CLI page', () => {
  const report = Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS)
  const html = reportToHtml(report)
  assert.equal(html + '\n', cliHtml)
  assert.ok(html.startsWith('<!DOCTYPE html>'))
  for (const row of report.results) assert.ok(html.includes(`data-sla="${row.sla}"`), row.sla)
  // From the JSON text too, and deterministic.
  assert.equal(reportToHtml(JSON.stringify(report)), html)
  assert.equal(reportToHtml(report), html)
})

test('a service named like a script stays text', () => {
  const policy = Policy.fromYaml(
    'slakit: 1\nname: demo\nslas:\n  - id: lead-time\n    clock: {start: merged, stop: succeeded}\n' +
      '    window: month\n    group_by: [service]\n    targets: {default: {max: 1h, objective: 90%}}\n',
  )
  const evil = '<script>alert(1)</script>'
  const report = policy.evaluateSync(
    [
      { deployment: 'd1', event: 'merged', time: '2026-03-02T10:00:00Z', service: evil },
      { deployment: 'd1', event: 'succeeded', time: '2026-03-02T14:00:00Z' },
    ],
    '2026-03-04T00:00:00Z',
  )
  const html = reportToHtml(report)
  assert.ok(!html.includes('<script'))
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;') || html.includes('&lt;script&gt;'))
})

test('something that is not a report throws E303 with its path', () => {
  const report = Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS)
  const broken = { ...report, as_of: 42 }
  assert.throws(() => reportToHtml(broken), (e) => e.code === 'E303' && e.path === '/as_of' && /not a slakit report/.test(e.message))
  assert.throws(() => reportToHtml('{'), (e) => e.code === 'E303' && /not valid JSON/.test(e.message))
  assert.throws(() => reportToHtml({ results: [{ value: NaN }] }), (e) => e.code === 'E303')
  assert.throws(() => reportToHtml(42), (e) => e.code === 'E303')
})
