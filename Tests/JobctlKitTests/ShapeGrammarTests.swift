import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

private func document(_ text: String) -> JSON {
  guard let d = try? JSON.parse(text) else {
    Issue.record("test document is not JSON: \(text)")
    return .null
  }
  return d
}

private func holds(_ cond: String, _ text: String, status: Int? = nil, headers: [HTTPHeader] = []) throws -> Bool {
  let c = try Condition(parsing: cond)
  return c.holds(JobAnswer(document: document(text), status: status, headers: headers))
}

/// One table per rule of the COND, EXPR and TEMPLATE grammars of docs/shapes.md "Any job API".
@Suite struct ConditionGrammarTests {
  /// Lists split outside double-quoted strings, which keep their quotes and may escape a quote:
  /// the one rule of a condition's `&` and `,` and of a structured header field's `,` and `;`.
  @Test func listsSplitOutsideQuotedStrings() {
    #expect(Text.split(#"a,"b,c",d"#, outsideQuotesAt: ",") == ["a", #""b,c""#, "d"])
    #expect(Text.split(#""x\",y",z"#, outsideQuotesAt: ",") == [#""x\",y""#, "z"])
    #expect(Text.split("", outsideQuotesAt: "&") == [""])
    #expect(Text.split("a&&b", outsideQuotesAt: "&") == ["a", "", "b"])
    #expect(Text.split(#"limit=10;w="5;s""#, outsideQuotesAt: ";") == ["limit=10", #"w="5;s""#])
  }

  /// `PATH` holds for a value that exists and is not null, false, "", [] or {}; `!PATH` for the rest.
  @Test(arguments: [
    (#"{"a":1}"#, true), (#"{"a":0}"#, true), (#"{"a":"x"}"#, true), (#"{"a":true}"#, true),
    (#"{"a":[1]}"#, true), (#"{"a":{"b":1}}"#, true), (#"{"a":null}"#, false), (#"{"a":false}"#, false),
    (#"{"a":""}"#, false), (#"{"a":[]}"#, false), (#"{"a":{}}"#, false), (#"{}"#, false),
  ])
  func presenceAndAbsence(_ text: String, _ present: Bool) throws {
    #expect(try holds("a", text) == present)
    #expect(try holds("!a", text) == !present)
  }

  /// `=` against a list; `!=` needs the value to exist (null does) and match none.
  @Test(arguments: [
    ("status=a,b", #"{"status":"b"}"#, true), ("status=a,b", #"{"status":"c"}"#, false),
    ("status = a , b", #"{"status":"a"}"#, true), ("status!=a,b", #"{"status":"c"}"#, true),
    ("status!=a,b", #"{"status":"a"}"#, false), ("status!=a", #"{}"#, false), ("status!=a", #"{"status":null}"#, true),
    ("status=null", #"{"status":null}"#, true), ("status=a", #"{}"#, false),
  ])
  func equalityAndLists(_ cond: String, _ text: String, _ expected: Bool) throws {
    #expect(try holds(cond, text) == expected)
  }

  /// Numbers compare numerically, strings without regard to case, a bare number or word matches a
  /// string holding the same text, and `true`/`false`/`null` match those values.
  @Test(arguments: [
    ("p=100", #"{"p":100.0}"#, true), ("p=1e2", #"{"p":100}"#, true), ("s=Succeeded", #"{"s":"succeeded"}"#, true),
    ("x=0", #"{"x":"0"}"#, true), ("x=0", #"{"x":0}"#, true), ("x=true", #"{"x":true}"#, true),
    ("x=true", #"{"x":"true"}"#, true), (#"x="true""#, #"{"x":true}"#, false), ("x=false", #"{"x":0}"#, false),
    (#"x="0""#, #"{"x":0}"#, false),
  ])
  func comparison(_ cond: String, _ text: String, _ expected: Bool) throws {
    #expect(try holds(cond, text) == expected)
  }

  /// `<`, `<=`, `>`, `>=` compare numbers and hold for nothing else.
  @Test(arguments: [
    ("n>0", #"{"n":1}"#, true), ("n>0", #"{"n":0}"#, false), ("n>=100", #"{"n":100}"#, true),
    ("n<=0", #"{"n":-1}"#, true), ("n<5", #"{"n":"3"}"#, false), ("n>0", #"{}"#, false), ("n<1", #"{"n":null}"#, false),
  ])
  func ordering(_ cond: String, _ text: String, _ expected: Bool) throws {
    #expect(try holds(cond, text) == expected)
  }

  /// JSON-string values hold `,`, `&` and spaces; `["a.b"]` names a key with a dot; `*` is any item.
  @Test(arguments: [
    (#"m="a,b & c""#, #"{"m":"a,b & c"}"#, true), (#"m="a,b & c",x"#, #"{"m":"x"}"#, true),
    (#"["a.b"]=1"#, #"{"a.b":1}"#, true), (#"x["a.b"].c=1"#, #"{"x":{"a.b":{"c":1}}}"#, true),
    ("items.*.state=failed", #"{"items":[{"state":"ok"},{"state":"failed"}]}"#, true),
    ("items.*.state=failed", #"{"items":[{"state":"ok"}]}"#, false),
    ("!items.*.error", #"{"items":[{"error":"x"},{}]}"#, true),
    ("a.0=x", #"{"a":["x"]}"#, true),
  ])
  func quotingKeysAndItems(_ cond: String, _ text: String, _ expected: Bool) throws {
    #expect(try holds(cond, text) == expected)
  }

  /// `&` joins terms that must all hold.
  @Test func allTermsMustHold() throws {
    #expect(try holds("status=completed & conclusion=success", #"{"status":"completed","conclusion":"success"}"#))
    #expect(try !holds("status=completed & conclusion=success", #"{"status":"completed","conclusion":"failure"}"#))
  }

  /// `@http` is the status code and `@header:NAME` a header's first value.
  @Test func httpStatusAndHeaders() throws {
    #expect(try holds("@http=202", "{}", status: 202))
    #expect(try !holds("@http=200,201", "{}", status: 202))
    #expect(try !holds("@http=202", "{}"))
    let headers = [HTTPHeader("Operation-Location", "https://x/op/1"), HTTPHeader("operation-location", "second")]
    #expect(try holds("@header:operation-location", "{}", headers: headers))
    #expect(try holds(#"@header:Operation-Location="https://x/op/1""#, "{}", headers: headers))
    #expect(try !holds("@header:Location", "{}", headers: headers))
  }

  /// A malformed COND is refused with the bad piece named.
  @Test(arguments: [
    ("", "empty term"), ("a & ", "empty term"), ("=x", "no path"), ("a=", "empty value"), ("a=x,", "empty value"),
    ("a<x", "one number"), ("a>1,2", "one number"), ("a!x", "'!'"), (#"a="unclosed"#, "not a JSON string"),
    ("a..b", "not a path"), ("@nope", "@http nor @header"), ("@header:", "no valid header"), (#"a=x"y"#, "no quote"),
  ])
  func malformedConditions(_ text: String, _ fragment: String) {
    #expect {
      _ = try Condition(parsing: text)
    } throws: { error in
      (error as? ShapeSyntaxError)?.message.contains(fragment) == true
    }
  }
}

@Suite struct ExpressionAndTemplateTests {
  @Test(arguments: [
    ("progress", #"{"progress":0.45}"#, 0.45), ("percentComplete / 100", #"{"percentComplete":30}"#, 0.3),
    ("c / t", #"{"c":1,"t":4}"#, 0.25),
    (
      "request_counts.completed / request_counts.total",
      #"{"request_counts":{"completed":3,"total":4}}"#, 0.75
    ), ("p", #"{"p":7}"#, 1),
  ])
  func progressExpressions(_ text: String, _ doc: String, _ fraction: Double) throws {
    let e = try ProgressExpression(parsing: text)
    #expect(e.evaluate(JobAnswer(document: document(doc))).fraction == fraction)
  }

  @Test func aStringIsAPhaseAndAZeroTotalIsNoProgress() throws {
    let phase = try ProgressExpression(parsing: "progress").evaluate(
      JobAnswer(document: document(#"{"progress":"Sorting"}"#)))
    #expect(phase.phase == "Sorting")
    #expect(
      try ProgressExpression(parsing: "a / b").evaluate(JobAnswer(document: document(#"{"a":1,"b":0}"#))).fraction
        == nil)
  }

  @Test(arguments: [("a / 0", "above zero"), ("a / b / c", "more than once"), ("a / ", "not a path")])
  func malformedExpressions(_ text: String, _ fragment: String) {
    #expect {
      _ = try ProgressExpression(parsing: text)
    } throws: { error in
      (error as? ShapeSyntaxError)?.message.contains(fragment) == true
    }
  }

  private func expand(_ template: String, id: String = "", url: String = "", doc: String = "{}", kind: String = "body")
    throws -> String?
  {
    try URLTemplate(parsing: template, allowing: [.id, .url, .value, .outputKind]).expand(
      id: id, url: url, document: document(doc), outputKind: kind)
  }

  @Test(arguments: [
    ("/jobs/{id}", "a/b?c", "/jobs/a%2Fb%3Fc"), ("/{+id}", "projects/p/operations/4 2", "/projects/p/operations/4%202"),
    ("/{+id}", "a?b#c", "/a%3Fb%23c"),
  ])
  func ids(_ template: String, _ id: String, _ expected: String) throws {
    #expect(try expand(template, id: id) == expected)
  }

  @Test func plusIDRefusesDotSegments() {
    #expect(throws: ShapeSyntaxError.self) { try expand("/{+id}", id: "a/../b") }
    #expect(throws: ShapeSyntaxError.self) { try expand("/{+id}", id: ".") }
  }

  @Test(arguments: [
    ("{url}/cancel", "https://h/jobs/1?v=2", "https://h/jobs/1/cancel?v=2"),
    ("{url}/cancel", "https://h/jobs/1/", "https://h/jobs/1/cancel"),
    ("{url}:cancel", "https://h/v1/operations/9?key=k", "https://h/v1/operations/9:cancel?key=k"),
    ("{url}&output={as}", "https://h/job?job=x", "https://h/job?job=x&output=string"),
    ("{url}&output={as}", "https://h/jobs/x", "https://h/jobs/x?output=string"),
    ("{url}", "https://h/jobs/x?a=1", "https://h/jobs/x?a=1"),
  ])
  func jobURLs(_ template: String, _ url: String, _ expected: String) throws {
    #expect(try expand(template, url: url, kind: "string") == expected)
  }

  @Test func documentValues() throws {
    #expect(
      try expand("/v1/files/{.output_file_id}/content", doc: #"{"output_file_id":"file 1"}"#)
        == "/v1/files/file%201/content")
    #expect(try expand("{+.results_url}", doc: #"{"results_url":"https://x/r?a=1"}"#) == "https://x/r?a=1")
    #expect(try expand("{+.output}", doc: #"{"output":["https://x/1.png","https://x/2.png"]}"#) == "https://x/1.png")
    #expect(try expand("{+.output}", doc: #"{"output":null}"#) == nil)
    #expect(try expand("{.missing}") == nil)
  }

  /// A template that is one kept value fetches it only when it is a URL: Replicate's `output` is
  /// text or numbers for some models, and those are not fetched as relative URLs.
  @Test(arguments: [
    #"{"output":"The answer is 42."}"#, #"{"output":["The"," quick"]}"#, #"{"output":42}"#,
    #"{"output":{"url":"https://x/1"}}"#, #"{"output":""}"#, #"{"output":"/a\u0000b"}"#, #"{"output":"out/1.txt"}"#,
  ])
  func aKeptValueThatIsNotAURLIsNothingToFetch(_ doc: String) throws {
    #expect(try expand("{+.output}", doc: doc) == nil)
  }

  @Test func aKeptValueInsideATemplateIsStillUsed() throws {
    #expect(try expand("/files/{+.path}", doc: #"{"path":"a b"}"#) == "/files/a b")
    #expect(try expand("{+.output}", doc: #"{"output":"/out/1.txt"}"#) == "/out/1.txt")
  }

  @Test(arguments: [("/jobs/{nope}", "known:"), ("/jobs/{id", "without its '}'"), ("/{.a..b}", "known:")])
  func malformedTemplates(_ text: String, _ fragment: String) {
    #expect {
      _ = try URLTemplate(parsing: text, allowing: [.id, .url, .value, .outputKind])
    } throws: { error in
      (error as? ShapeSyntaxError)?.message.contains(fragment) == true
    }
  }

  @Test func jobsPathsTakeIDsOnly() {
    #expect(throws: ShapeSyntaxError.self) { try URLTemplate(parsing: "/jobs/{url}", allowing: [.id]) }
  }
}

@Suite struct BaseURLTests {
  /// The bug of issue 12: `http://h/x/?v=1` made wait ask for `/x//jobs/ID` and start for `/x/jobs`,
  /// both without `?v=1`.
  @Test(arguments: [
    ("http://h/x/?v=1", "/jobs/7", "http://h/x/jobs/7?v=1"), ("http://h/x", "jobs", "http://h/x/jobs"),
    ("http://h/x//", "/job?job=a", "http://h/x/job?job=a"),
    ("http://h/x/?v=1", "/job?job=a", "http://h/x/job?job=a&v=1"),
    ("http://h", "/jobs", "http://h/jobs"), ("http://h/?", "/jobs", "http://h/jobs"),
    // A parameter the path sets itself is not added again from the base URL.
    ("http://h/x?v=1&w=2", "/jobs?v=3", "http://h/x/jobs?v=3&w=2"),
    ("http://h/x?v=1", "/jobs?vv=3", "http://h/x/jobs?vv=3&v=1"), ("http://h/x?v", "/jobs?v", "http://h/x/jobs?v"),
  ])
  func joining(_ base: String, _ path: String, _ expected: String) {
    #expect(URLParts.joining(base: base, path: path) == expected)
  }

  @Test func everyCommandBuildsItsURLTheSameWay() {
    let base = "http://api.test/x/?api-version=1"
    let wait = runJobctl(["wait", "j1", "--base-url", base], script: [answer(200, #"{"status":"completed"}"#)])
    #expect(wait.transport.requests.first?.url == "http://api.test/x/jobs/j1?api-version=1")
    let start = runJobctl(["start", "/jobs", "--base-url", base], script: [answer(202, #"{"jobId":"j1"}"#)])
    #expect(start.transport.requests.first?.url == "http://api.test/x/jobs?api-version=1")
    let list = runJobctl(["list", "--base-url", base, "--page", "2"], script: [answer(200, #"{"jobs":[]}"#)])
    #expect(list.transport.requests.first?.url == "http://api.test/x/jobs?page=2&api-version=1")
  }

  /// RFC 3986 section 5.4's examples, against its base URL.
  @Test(arguments: [
    ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
    ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"), ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"),
    ("../../../g", "http://a/g"), ("g;x=1/../y", "http://a/b/c/y"), ("https://x/y", "https://x/y"),
  ])
  func relativeReferences(_ reference: String, _ expected: String) {
    #expect(URLParts.resolving(reference, against: "http://a/b/c/d;p?q") == expected)
  }
}
