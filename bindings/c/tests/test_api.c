/*
 * The C API, call by call: success paths, every error status, NULL for every
 * pointer argument, invalid UTF-8 and embedded NUL, deep nesting, the panic
 * boundary, and the last-error contract. Run under valgrind by `make test`,
 * linked once against libslakit.so and once against libslakit.a.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slakit.h"
#include "check.h"

/* Not in slakit.h: the test-only hook that panics inside the C boundary. */
extern slakit_status slakit__test_panic(void);

static const char POLICY_YAML[] =
    "slakit: 1\n"
    "name: demo\n"
    "slas:\n"
    "  - id: lead-time\n"
    "    clock: {start: merged, stop: succeeded}\n"
    "    window: month\n"
    "    targets: {default: {max: 4h, objective: 90%}}\n";

static const char POLICY_JSON[] =
    "{\"slakit\": 1, \"name\": \"demo-json\", \"slas\": [{\"id\": \"lead-time\","
    " \"clock\": {\"start\": \"merged\", \"stop\": \"succeeded\"},"
    " \"window\": \"month\","
    " \"targets\": {\"default\": {\"max\": \"4h\", \"objective\": \"90%\"}}}]}";

static const char RECORDS[] =
    "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
    "\"service\":\"checkout\"}\n"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T12:00:00Z\"}\n";

static const char RECORDS_ARRAY[] =
    "[{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
    "\"service\":\"checkout\"},"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T12:00:00Z\"}]";

#define AS_OF "2026-03-31T00:00:00Z"

/* A pointer value slakit never returns: outputs must keep it on failure. */
static char sentinel_byte;
#define SENTINEL_STR ((char *)&sentinel_byte)
#define SENTINEL_POLICY ((slakit_policy *)(void *)&sentinel_byte)

/* The call failed with `status` and `code`; its message mentions `mention`;
 * the JSON error document carries the same code. */
#define EXPECT_FAILURE(call, status, code, mention)                     \
  do {                                                                  \
    slakit_status got_ = (call);                                        \
    CHECK(got_ == (status));                                            \
    if (got_ != (status))                                               \
      fprintf(stderr, "  got status %d (%s: %s)\n", (int)got_,          \
              slakit_last_error_code(), slakit_last_error_message());   \
    CHECK_STR_EQ(slakit_last_error_code(), (code));                     \
    CHECK_CONTAINS(slakit_last_error_message(), (mention));             \
    CHECK_CONTAINS(slakit_last_error_json(), "\"code\":\"" code "\"");  \
  } while (0)

static void expect_no_last_error(void) {
  CHECK_STR_EQ(slakit_last_error_code(), "");
  CHECK_STR_EQ(slakit_last_error_message(), "");
  CHECK_STR_EQ(slakit_last_error_json(), "");
}

static slakit_policy *demo_policy(void) {
  slakit_policy *policy = NULL;
  slakit_status s = slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &policy);
  CHECK(s == SLAKIT_OK);
  CHECK(policy != NULL);
  return policy;
}

static void test_version(void) {
  const char *v = slakit_version();
  CHECK(v != NULL);
  CHECK(strlen(v) >= 5);
  CHECK(strchr(v, '.') != NULL);
  CHECK(slakit_version() == v); /* static */
}

static void test_status_numbers(void) {
  /* The numbers are ABI: they must never change. */
  CHECK(SLAKIT_OK == 0);
  CHECK(SLAKIT_POLICY_ERROR == 1);
  CHECK(SLAKIT_INPUT_ERROR == 2);
  CHECK(SLAKIT_USAGE_ERROR == 3);
  CHECK(SLAKIT_NULL_ARGUMENT == 4);
  CHECK(SLAKIT_INVALID_UTF8 == 5);
  CHECK(SLAKIT_PANIC == 6);
}

static void test_policies(void) {
  slakit_policy *yaml = NULL, *json = NULL;
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &yaml) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(slakit_policy_from_json(POLICY_JSON, strlen(POLICY_JSON), &json) == SLAKIT_OK);
  CHECK(yaml != NULL && json != NULL && yaml != json);

  /* The text needs no NUL terminator: only `len` bytes are read. */
  char *copy = malloc(sizeof POLICY_YAML - 1);
  CHECK(copy != NULL);
  if (copy != NULL) {
    memcpy(copy, POLICY_YAML, sizeof POLICY_YAML - 1);
    slakit_policy *unterminated = NULL;
    CHECK(slakit_policy_from_yaml(copy, sizeof POLICY_YAML - 1, &unterminated) == SLAKIT_OK);
    slakit_policy_free(unterminated);
    free(copy);
  }

  char *checked = SENTINEL_STR;
  CHECK(slakit_check(yaml, &checked) == SLAKIT_OK);
  CHECK(checked != SENTINEL_STR);
  CHECK_CONTAINS(checked, "\"ok\": true");
  CHECK_CONTAINS(checked, "\"name\": \"demo\"");
  CHECK_CONTAINS(checked, "\"lead-time\"");
  CHECK_CONTAINS(checked, "\"warnings\"");
  slakit_string_free(checked);

  slakit_policy_free(yaml);
  slakit_policy_free(json);
}

static void test_policy_errors(void) {
  slakit_policy *out = SENTINEL_POLICY;
  const char *misspelt =
      "slakit: 1\nname: x\nslas:\n  - id: a\n    clock: {start: merged, stop: succeeded}\n"
      "    window: month\n    targets: {default: {max: 4h, objectve: 90%}}\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(misspelt, strlen(misspelt), &out),
                 SLAKIT_POLICY_ERROR, "E101", "`objectve`");
  CHECK(out == SENTINEL_POLICY);
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"policy\"");
  CHECK_CONTAINS(slakit_last_error_json(), "\"path\":\"/slas/0/targets/default/objectve\"");

  EXPECT_FAILURE(slakit_policy_from_yaml("", 0, &out), SLAKIT_POLICY_ERROR, "E116", "empty");
  EXPECT_FAILURE(slakit_policy_from_json("  \n", 3, &out), SLAKIT_POLICY_ERROR, "E116", "empty");
  EXPECT_FAILURE(slakit_policy_from_yaml("name: \"x\n", 9, &out), SLAKIT_POLICY_ERROR, "E100",
                 "quote");
  EXPECT_FAILURE(slakit_policy_from_json("{\"slakit\": ", 11, &out), SLAKIT_POLICY_ERROR,
                 "E100", "");
  const char *zone = "slakit: 1\nname: x\ntimezone: America/New_Yrok\nslas: []\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(zone, strlen(zone), &out), SLAKIT_POLICY_ERROR, "E107",
                 "America/New_Yrok");
  CHECK(out == SENTINEL_POLICY);
}

static void test_evaluate(void) {
  slakit_policy *policy = demo_policy();

  char *report = SENTINEL_STR;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(report != SENTINEL_STR && report != NULL);
  CHECK_CONTAINS(report, "\"as_of\": \"2026-03-31T00:00:00Z\"");
  CHECK_CONTAINS(report, "\"status\": \"met\"");
  CHECK(report[strlen(report) - 1] == '}'); /* no trailing newline */

  /* A JSON array gives the same report. */
  char *from_array = NULL;
  CHECK(slakit_evaluate(policy, RECORDS_ARRAY, strlen(RECORDS_ARRAY), AS_OF, &from_array) ==
        SLAKIT_OK);
  CHECK(from_array != NULL && strcmp(report, from_array) == 0);
  slakit_string_free(from_array);

  /* as_of NULL: the latest event time. */
  char *latest = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), NULL, &latest) == SLAKIT_OK);
  CHECK(latest != NULL);
  if (latest != NULL) CHECK_CONTAINS(latest, "\"as_of\": \"2026-03-02T12:00:00Z\"");
  slakit_string_free(latest);

  /* Empty records with an as_of: an empty report. */
  char *empty = NULL;
  CHECK(slakit_evaluate(policy, "", 0, AS_OF, &empty) == SLAKIT_OK);
  CHECK(empty != NULL);
  slakit_string_free(empty);

  /* Deterministic: the same inputs give byte-identical reports. */
  char *again = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &again) == SLAKIT_OK);
  CHECK(again != NULL && strcmp(report, again) == 0);
  slakit_string_free(again);
  slakit_string_free(report);

  /* Explain one deployment. */
  char *explained = SENTINEL_STR;
  CHECK(slakit_explain(policy, RECORDS, strlen(RECORDS), "d1", AS_OF, &explained) == SLAKIT_OK);
  CHECK(explained != SENTINEL_STR && explained != NULL);
  CHECK_CONTAINS(explained, "\"deployment\": \"d1\"");
  slakit_string_free(explained);
  explained = NULL;
  CHECK(slakit_explain(policy, RECORDS, strlen(RECORDS), "d1", NULL, &explained) == SLAKIT_OK);
  slakit_string_free(explained);

  slakit_policy_free(policy);
}

static void test_evaluate_errors(void) {
  slakit_policy *policy = demo_policy();
  char *out = SENTINEL_STR;
  size_t n = strlen(RECORDS);

  const char *bad_json = "{\"deployment\": \"d1\",\n";
  EXPECT_FAILURE(slakit_evaluate(policy, bad_json, strlen(bad_json), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E200", "");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  const char *no_time = "{\"deployment\":\"d1\",\"event\":\"merged\",\"service\":\"s\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, no_time, strlen(no_time), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E201", "time");
  const char *no_offset =
      "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00\","
      "\"service\":\"s\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, no_offset, strlen(no_offset), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E203", "");

  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, "yesterday", &out), SLAKIT_USAGE_ERROR,
                 "E300", "yesterday");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, "2016-12-31T23:59:60Z", &out),
                 SLAKIT_USAGE_ERROR, "E300", "");
  EXPECT_FAILURE(slakit_evaluate(policy, "\n\n", 2, NULL, &out), SLAKIT_USAGE_ERROR, "E301",
                 "as_of");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, "nope", AS_OF, &out), SLAKIT_USAGE_ERROR,
                 "E304", "nope");
  /* A length no buffer can have is refused before anything is read. */
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, SIZE_MAX, AS_OF, &out), SLAKIT_USAGE_ERROR,
                 "E303", "length");
  slakit_policy *p = SENTINEL_POLICY;
  EXPECT_FAILURE(slakit_policy_from_yaml(POLICY_YAML, SIZE_MAX, &p), SLAKIT_USAGE_ERROR, "E303",
                 "length");
  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);

  slakit_policy_free(policy);
}

/* ADVERSARIAL 35: invalid UTF-8 or an embedded NUL in any text input. */
static void test_invalid_text(void) {
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;

  const char bad_yaml[] = "slakit: 1\nname: \xff\xfe\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(bad_yaml, sizeof bad_yaml - 1, &p), SLAKIT_INVALID_UTF8,
                 "E100", "UTF-8");
  CHECK_CONTAINS(slakit_last_error_json(), "\"line\":2");
  EXPECT_FAILURE(slakit_policy_from_json("{\"a\": \"\xc3\"}", 10, &p), SLAKIT_INVALID_UTF8,
                 "E100", "UTF-8");
  /* Overlong encoding of '/' and a UTF-16 surrogate are invalid too. */
  EXPECT_FAILURE(slakit_policy_from_yaml("a: \xc0\xaf", 5, &p), SLAKIT_INVALID_UTF8, "E100", "");
  EXPECT_FAILURE(slakit_policy_from_yaml("a: \xed\xa0\x80", 6, &p), SLAKIT_INVALID_UTF8, "E100",
                 "");

  const char bad_records[] = "{\"deployment\":\"d\xff\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, bad_records, sizeof bad_records - 1, AS_OF, &out),
                 SLAKIT_INVALID_UTF8, "E200", "records");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, strlen(RECORDS), "2026-03-31T00:00:00\xff", &out),
                 SLAKIT_INVALID_UTF8, "E300", "as_of");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, strlen(RECORDS), "d\xff", AS_OF, &out),
                 SLAKIT_INVALID_UTF8, "E303", "deployment");

  /* An embedded NUL inside `len`: refused by the core as a syntax error. */
  const char nul_policy[] = "slakit: 1\nname: a\0b\nslas: []\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(nul_policy, sizeof nul_policy - 1, &p),
                 SLAKIT_POLICY_ERROR, "E100", "NUL");
  EXPECT_FAILURE(slakit_policy_from_json("{\"a\":\0}", 7, &p), SLAKIT_POLICY_ERROR, "E100",
                 "NUL");
  const char nul_records[] =
      "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
      "\"service\":\"check\0out\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, nul_records, sizeof nul_records - 1, AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E200", "NUL");

  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);
  slakit_policy_free(policy);
}

/* ADVERSARIAL 37: every pointer argument NULL, outputs untouched. */
static void test_null_arguments(void) {
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;
  size_t n = strlen(RECORDS);

  EXPECT_FAILURE(slakit_policy_from_yaml(NULL, 0, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_yaml(NULL, 10, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), NULL),
                 SLAKIT_NULL_ARGUMENT, "E303", "`out`");
  EXPECT_FAILURE(slakit_policy_from_json(NULL, 0, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_json(POLICY_JSON, strlen(POLICY_JSON), NULL),
                 SLAKIT_NULL_ARGUMENT, "E303", "`out`");

  EXPECT_FAILURE(slakit_check(NULL, &out), SLAKIT_NULL_ARGUMENT, "E303", "`policy`");
  EXPECT_FAILURE(slakit_check(policy, NULL), SLAKIT_NULL_ARGUMENT, "E303", "`out_json`");

  EXPECT_FAILURE(slakit_evaluate(NULL, RECORDS, n, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`policy`");
  EXPECT_FAILURE(slakit_evaluate(policy, NULL, n, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`records`");
  EXPECT_FAILURE(slakit_evaluate(policy, NULL, 0, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`records`");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, AS_OF, NULL), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");
  /* NULL checks come before any parsing: bad text plus a NULL out is NULL_ARGUMENT. */
  EXPECT_FAILURE(slakit_evaluate(policy, "\xff", 1, "bad", NULL), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");

  EXPECT_FAILURE(slakit_explain(NULL, RECORDS, n, "d1", AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`policy`");
  EXPECT_FAILURE(slakit_explain(policy, NULL, n, "d1", AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`records`");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, NULL, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`deployment`");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, "d1", AS_OF, NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`out_json`");

  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");

  /* _free(NULL) is a no-op, and leaves the last error alone. */
  slakit_policy_free(NULL);
  slakit_string_free(NULL);
  CHECK_STR_EQ(slakit_last_error_code(), "E303");

  slakit_policy_free(policy);
}

/* ADVERSARIAL 38: a panic inside slakit is SLAKIT_PANIC and the process goes on. */
static void test_panic_boundary(void) {
  fprintf(stderr, "test_api: two panic messages from slakit__test_panic are expected here\n");
  EXPECT_FAILURE(slakit__test_panic(), SLAKIT_PANIC, "E900", "panicked");
  CHECK_CONTAINS(slakit_last_error_message(), "slakit__test_panic was called");
  /* Again, and then ordinary work still succeeds. */
  CHECK(slakit__test_panic() == SLAKIT_PANIC);
  slakit_policy *policy = demo_policy();
  char *report = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  expect_no_last_error();
  slakit_string_free(report);
  slakit_policy_free(policy);
}

/* The last error: stays while only getters are called, cleared by success. */
static void test_last_error_lifetime(void) {
  slakit_policy *p = NULL;
  expect_no_last_error();
  CHECK(slakit_policy_from_yaml("", 0, &p) == SLAKIT_POLICY_ERROR);
  const char *message = slakit_last_error_message();
  const char *code = slakit_last_error_code();
  /* Getters and the version do not disturb it. */
  CHECK(slakit_version() != NULL);
  CHECK(slakit_last_error_message() == message);
  CHECK(slakit_last_error_code() == code);
  CHECK_STR_EQ(code, "E116");
  /* A new failure replaces it. */
  CHECK(slakit_policy_from_yaml(NULL, 0, &p) == SLAKIT_NULL_ARGUMENT);
  CHECK_STR_EQ(slakit_last_error_code(), "E303");
  /* A success clears it. */
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &p) == SLAKIT_OK);
  expect_no_last_error();
  slakit_policy_free(p);
}

static char *repeat(const char *open, size_t times, const char *tail) {
  size_t unit = strlen(open), rest = strlen(tail);
  char *buf = malloc(unit * times + rest + 1);
  if (buf == NULL) return NULL;
  for (size_t i = 0; i < times; i++) memcpy(buf + i * unit, open, unit);
  memcpy(buf + unit * times, tail, rest + 1);
  return buf;
}

/* ADVERSARIAL 28: JSON (and YAML) nested 100 000 deep: an error, no stack overflow. */
static void test_deep_nesting(void) {
  enum { DEPTH = 100000 };
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;

  char *arrays = repeat("[", DEPTH, "");
  char *objects = repeat("{\"a\":", DEPTH, "1"); /* 500 kB: one JSON Lines line */
  char *yaml = repeat("- ", DEPTH, "x\n"); /* block sequences, 100 000 levels */
  CHECK(arrays && objects && yaml);
  if (arrays && objects && yaml) {
    CHECK(slakit_policy_from_json(arrays, strlen(arrays), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_json(objects, strlen(objects), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(arrays, strlen(arrays), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(objects, strlen(objects), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(yaml, strlen(yaml), &p) == SLAKIT_POLICY_ERROR);
    CHECK(p == SENTINEL_POLICY);
    /* Records: as a JSON array document, and as one JSON Lines line. */
    CHECK(slakit_evaluate(policy, arrays, strlen(arrays), AS_OF, &out) == SLAKIT_INPUT_ERROR);
    CHECK_STR_EQ(slakit_last_error_code(), "E200");
    CHECK(slakit_evaluate(policy, objects, strlen(objects), AS_OF, &out) == SLAKIT_INPUT_ERROR);
    CHECK_STR_EQ(slakit_last_error_code(), "E200");
    CHECK(out == SENTINEL_STR);
  }
  free(arrays);
  free(objects);
  free(yaml);
  slakit_policy_free(policy);
}

int main(void) {
  test_version();
  test_status_numbers();
  test_policies();
  test_policy_errors();
  test_evaluate();
  test_evaluate_errors();
  test_invalid_text();
  test_null_arguments();
  test_panic_boundary();
  test_last_error_lifetime();
  test_deep_nesting();
  return check_summary("test_api");
}
