/*
 * Policy versions and audit freezes (SPEC §9b) through the C ABI: report rows
 * carry the version that judged their window, and a version approved inside
 * an audit freeze is refused with SLAKIT_POLICY_ERROR and code E132.
 */
#include <stdlib.h>
#include <string.h>

#include "slakit.h"
#include "check.h"

#define POLICY_HEAD                                                           \
  "slakit: 1\n"                                                               \
  "name: versioned\n"                                                         \
  "slas:\n"                                                                   \
  "  - id: lead\n"                                                            \
  "    clock: {start: merged, stop: succeeded}\n"                             \
  "    window: month\n"                                                       \
  "    targets: {default: {max: 4h, objective: 90%}}\n"                       \
  "audit_freezes:\n"                                                          \
  "  - {id: year-end-audit, from: \"2026-12-15T00:00:00Z\","                  \
  " to: \"2027-01-05T00:00:00Z\"}\n"                                          \
  "versions:\n"                                                               \
  "  - effective_from: \"2026-03-15T00:00:00Z\"\n"

#define POLICY_TAIL                                                           \
  "    slas:\n"                                                               \
  "      - id: lead\n"                                                        \
  "        clock: {start: merged, stop: succeeded}\n"                         \
  "        window: month\n"                                                   \
  "        targets: {default: {max: 2h, objective: 90%}}\n"

static const char APPROVED_BEFORE[] =
    POLICY_HEAD "    approved_at: \"2026-03-01T00:00:00Z\"\n" POLICY_TAIL;
static const char APPROVED_IN_FREEZE[] =
    POLICY_HEAD "    approved_at: \"2026-12-15T00:00:00Z\"\n" POLICY_TAIL;
static const char APPROVED_AT_FREEZE_END[] =
    POLICY_HEAD "    approved_at: \"2027-01-05T00:00:00Z\"\n" POLICY_TAIL;

/* One 3-hour deployment in March (base: 4h, met) and one in April (2h, breached). */
static const char RECORDS[] =
    "{\"deployment\":\"d3\",\"event\":\"merged\",\"time\":\"2026-03-20T10:00:00Z\","
    "\"service\":\"api\"}\n"
    "{\"deployment\":\"d3\",\"event\":\"succeeded\",\"time\":\"2026-03-20T13:00:00Z\"}\n"
    "{\"deployment\":\"d4\",\"event\":\"merged\",\"time\":\"2026-04-20T10:00:00Z\","
    "\"service\":\"api\"}\n"
    "{\"deployment\":\"d4\",\"event\":\"succeeded\",\"time\":\"2026-04-20T13:00:00Z\"}\n";

static void test_rows_carry_the_policy_version(void) {
  slakit_policy *policy = NULL;
  CHECK(slakit_policy_from_yaml(APPROVED_BEFORE, strlen(APPROVED_BEFORE), &policy) == SLAKIT_OK);
  CHECK(policy != NULL);
  if (policy == NULL) return;
  char *report = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), "2026-05-01T00:00:00Z", &report) ==
        SLAKIT_OK);
  CHECK(report != NULL);
  if (report != NULL) {
    CHECK_CONTAINS(report, "\"policy_version\": \"2026-03-15T00:00:00Z\"");
    CHECK_CONTAINS(report, "\"version\": \"2026-03-15T00:00:00Z\"");
    /* The April row (under the version) is breached against 2h = 7200000 ms. */
    const char *april = strstr(report, "\"start\": \"2026-04-01T00:00:00Z\"");
    CHECK(april != NULL);
    if (april != NULL) {
      CHECK_CONTAINS(april, "\"max_ms\": 7200000");
      CHECK_CONTAINS(april, "\"status\": \"breached\"");
    }
    /* The March row (under the base) carries no policy_version before April's
       (the rows come after the deployment entries, which carry theirs too). */
    const char *rows = strstr(report, "\"results\": [");
    CHECK(rows != NULL);
    if (rows == NULL) {
      rows = report;
    }
    const char *march = strstr(rows, "\"start\": \"2026-03-01T00:00:00Z\"");
    const char *first_version = strstr(rows, "\"policy_version\"");
    CHECK(march != NULL && first_version != NULL && april != NULL);
    if (march != NULL && first_version != NULL && april != NULL) {
      CHECK(first_version > april);
    }
  }
  slakit_string_free(report);
  slakit_policy_free(policy);
}

static void test_approval_in_a_freeze_is_refused(void) {
  slakit_policy *policy = NULL;
  slakit_status s =
      slakit_policy_from_yaml(APPROVED_IN_FREEZE, strlen(APPROVED_IN_FREEZE), &policy);
  CHECK(s == SLAKIT_POLICY_ERROR);
  CHECK(policy == NULL);
  CHECK_STR_EQ(slakit_last_error_code(), "E132");
  CHECK_CONTAINS(slakit_last_error_message(), "`year-end-audit`");
  CHECK_CONTAINS(slakit_last_error_json(), "\"path\":\"/versions/0/approved_at\"");

  /* Exactly at the freeze's end is allowed: [from, to). */
  CHECK(slakit_policy_from_yaml(APPROVED_AT_FREEZE_END, strlen(APPROVED_AT_FREEZE_END),
                                &policy) == SLAKIT_OK);
  slakit_policy_free(policy);
}

int main(void) {
  test_rows_carry_the_policy_version();
  test_approval_in_a_freeze_is_refused();
  return check_summary("test_versions");
}
