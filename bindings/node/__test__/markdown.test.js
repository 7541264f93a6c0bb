// reportToMarkdown: the leadership report, byte-identical to `slakit evaluate --format markdown`.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { Policy, reportToMarkdown } = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS, runCli } = require('./helpers')

const cliMarkdown = runCli(['evaluate', '--policy', EXAMPLE_POLICY, '--records', EXAMPLE_RECORDS, '--format', 'markdown'])

test('reportToMarkdown of an evaluated report is the CLI report', () => {
  const report = Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS)
  const md = reportToMarkdown(report)
  // The CLI adds a final newline when the text has none.
  assert.equal(md.endsWith('\n') ? md : md + '\n', cliMarkdown)
  assert.ok(md.startsWith('# SLA report: acme-release-sla'))
  assert.ok(md.includes('edgecdn'))
  // From the JSON text too, and deterministic.
  assert.equal(reportToMarkdown(JSON.stringify(report)), md)
  assert.equal(reportToMarkdown(report), md)
})

test('reportToMarkdown refuses what is not a report', () => {
  assert.throws(() => reportToMarkdown('{'), (e) => e.code === 'E303')
  assert.throws(() => reportToMarkdown(42), (e) => e.code === 'E303')
})
