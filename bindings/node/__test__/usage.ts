// Type-checked (never run) by `npm run typecheck` (tsc --noEmit): the
// declarations type the API and the report precisely — no `any` leaks, and
// misuse is a compile error (each @ts-expect-error must be one).
import {
  Policy,
  version,
  type Baseline,
  type Decision,
  type DeploymentEntry,
  type Explanation,
  type GateReason,
  type Millis,
  type Proposed,
  type RecordInput,
  type Report,
  type ResultRow,
  type SlakitError,
  type Warning,
} from '..'

const policy: Policy = Policy.load('examples/policy.yaml')
Policy.fromYaml('slakit: 1\nname: x\n')
Policy.fromJson('{"slakit": 1, "name": "x"}')
Policy.fromObject({ slakit: 1, name: 'x', slas: [] })

const records: RecordInput[] = [
  { deployment: 'd1', event: 'merged', time: '2026-03-02T10:00:00Z', service: 'checkout' },
  { deployment: 'd1', event: 'succeeded', time: new Date('2026-03-02T12:00:00Z'), attrs: { pipeline: 42 } },
  { kind: 'outage', service: 'checkout', from: '2026-03-02T10:00:00Z', to: null },
  { kind: 'exception', id: 'EX-1', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', services: ['checkout'] },
]

async function main(): Promise<void> {
  const report: Report = policy.evaluateSync(records)
  const fromFile: Report = await policy.evaluate('examples/records.jsonl', new Date())
  const atText: Report = await policy.evaluate(records, '2026-03-31T00:00:00Z')
  policy.evaluateSync(records, null)
  policy.evaluateSync(records, undefined)

  // The report is typed all the way down.
  const asOf: string = report.as_of
  const count: number = report.inputs.records
  const row: ResultRow | undefined = fromFile.results[0]
  if (row) {
    const status: 'met' | 'breached' | 'at_risk' | 'no_data' = row.status
    const value: number | null = row.value
    const start: string = row.window.start
    const segment: string | null | undefined = row.segment['service']
    const max: Millis | undefined = row.target.max_ms
    const budget: number | undefined = row.error_budget?.remaining
    const evidence: string[] = row.breaches.flatMap((b) => b.records.map((r) => r.role))
    console.log(status, value, start, segment, max, budget, evidence)
    // @ts-expect-error -- not a property of a result row
    console.log(row.nonexistent)
    // @ts-expect-error -- a status is one of four strings
    const wrong: 'green' = row.status
    console.log(wrong)
  }
  const entries: DeploymentEntry[] = atText.deployments
  const breachAt: string | null | undefined = entries[0]?.breach_at
  const warnings: Warning[] = policy.check()
  const explanation: Explanation = policy.explain('examples/records.jsonl', 'D-1001')
  const later: Explanation = await policy.explainAsync(records, 'd1', '2026-03-31T00:00:00Z')
  const steps: number = explanation.slas.reduce((n, s) => n + s.timeline.length, 0)
  console.log(asOf, count, breachAt, warnings, later.deployment, steps, version())

  // Gates: the proposed deployment is typed, `at` is required, the decision typed.
  const proposed: Proposed = { deployment: 'd2', service: 'checkout', environment: 'production', release_type: null }
  const decision: Decision = policy.gateSync(records, proposed, '2026-03-31T12:00:00Z')
  const later2: Decision = await policy.gate('examples/records.jsonl', { deployment: 'd3' }, new Date())
  const verdict: 'allow' | 'deny' = decision.decision
  const reasons: GateReason[] = later2.reasons
  const gates: string[] = reasons.map((r) => `${r.gate}/${r.id ?? '-'}: ${r.message} ${(r.evidence ?? []).join(',')}`)
  const override: unknown = decision.findings[0]?.['exception']
  console.log(verdict, gates, override, decision.at, decision.tier, decision.policy.digest)
  // A lifecycle event record is a proposed deployment as it is.
  policy.gateSync(records, { deployment: 'd1', event: 'started', time: new Date(), service: 'checkout' }, new Date())
  // @ts-expect-error -- `at` is required: the gate reads no clock
  policy.gateSync(records, proposed)
  // @ts-expect-error -- a proposed deployment needs its `deployment` id
  policy.gateSync(records, { service: 'checkout' }, new Date())
  // @ts-expect-error -- an unknown field of the proposed deployment
  policy.gateSync(records, { deployment: 'd2', servce: 'checkout' }, new Date())
  // @ts-expect-error -- `at` is a Date or a string, not a number
  void policy.gate(records, proposed, 1767225600000)
  // @ts-expect-error -- a decision is `allow` or `deny`
  const maybe: 'maybe' = decision.decision
  console.log(maybe)

  try {
    policy.evaluateSync([{ deployment: 'd', event: 'merged', time: 'yesterday' }])
  } catch (e) {
    const err = e as SlakitError
    const kind: 'policy' | 'input' | 'usage' = err.kind
    const where: number | undefined = err.recordIndex
    console.log(err.code, kind, where, err.path, err.line, err.column, err.file, err.message)
  }

  // @ts-expect-error -- records are objects or a path, not a number
  policy.evaluateSync(42)
  // @ts-expect-error -- asOf is a Date or a string, not a number
  policy.evaluateSync(records, 1767225600000)
  // @ts-expect-error -- the report is not `any`
  const notAString: string = report.inputs
  console.log(notAString)
  // @ts-expect-error -- a policy document needs `slakit`
  Policy.fromObject({ name: 'x' })
}

void main()

// Baseline: the JSON document and the YAML snippet of `slakit baseline`.
const baseline: Baseline = policy.baselineSync(records, '2026-03-31T00:00:00Z')
const suggested: string | number | undefined = baseline.slas[0]?.tiers[0]?.suggestion?.target['max']
const snippet: string = Policy.defaultBaseline().baselineYaml(records)
void baseline.method, suggested, snippet
void policy.baseline(records).then((b: Baseline) => b.slas.length)
// @ts-expect-error the YAML snippet is a string, not a Baseline
const wrong: Baseline = policy.baselineYaml(records)
void wrong
