import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Inputs `make fuzz` found (Fuzz/): each crashed jobctl or broke an invariant before its fix.
@Suite struct FuzzRegressionTests {
  /// fuzz-document: `jobctl list --all` trapped converting `"nextPage": 1e3082` (infinity) to Int.
  @Test(arguments: [
    #"{"jobs":[{"jobId":"simple-1","type":"geocode","status":"completed"},{"id":"staged-1","kind":"report","status":"running","progress":0.45},{"jobId":"i3mport-1","progress":55}],"pagination":{",page":1,"nextPage":1e3082}}"#,
    #"{"jobs":[],"pagination":{"nextPage":1e20}}"#,
    #"{"jobs":[],"pagination":{"nextPage":"nan"}}"#,
    #"{"jobs":[],"pagination":{"nextPage":2.5}}"#,
  ])
  func unusableNextPageIsARejectedAnswer(_ text: String) throws {
    let document = try JSON.parse(text)
    do {
      let next = try ListCommand.nextPage(
        document, answer: HTTPResponse(status: 200), current: "https://h/jobs?page=1", query: [], label: "/jobs")
      Issue.record("followed to \(next ?? "nothing")")
    } catch {
      #expect(error.exitCode == 6)
      #expect(error.message?.contains("which is neither a page number") == true)
    }
  }

  @Test func wholeNextPageStillFollowed() throws {
    let document = try JSON.parse(#"{"jobs":[],"pagination":{"nextPage":3.0}}"#)
    let next = try ListCommand.nextPage(
      document, answer: HTTPResponse(status: 200), current: "https://h/jobs?page=2&limit=5",
      query: [("page", "2"), ("limit", "5")], label: "/jobs")
    #expect(next == "https://h/jobs?page=3&limit=5")
  }

  /// fuzz-document: an `update_at` of `1e400` (or "nan") became an infinite or NaN update time, so
  /// `--stale-after` saw no change however the job moved, and a snapshot was not equal to itself.
  @Test(arguments: [#"1e400"#, #"-1e400"#, #""nan""#, #""inf""#])
  func nonFiniteUpdateTimeIsIgnored(_ value: String) throws {
    let document = try JSON.parse(#"{"ok":true,"job":"hcj_1","status":"run","update_at":\#(value)}"#)
    let snapshot = try #require(Dialects.hotcrp.read(document))
    #expect(snapshot.updatedAt == nil)
    var stamped = snapshot
    stamped.updatedAt = 1_763_900_000
    #expect(!stamped.sameActivity(as: snapshot), "no update time was read")
    #expect(snapshot.sameActivity(as: snapshot))
    #expect(Dialects.hotcrp.read(document) == snapshot)
    let finite = try JSON.parse(#"{"status":"run","update_at":1763900000}"#)
    #expect(Dialects.hotcrp.read(finite)?.updatedAt == 1_763_900_000)
  }

  /// fuzz-header: the colon of `a:` followed by a combining mark was one Character with it, so the
  /// name ran on to a later colon (`a:\u{31C}\u{FFFD}\u{FFFD}`).
  @Test func headerNameEndsAtTheFirstColonScalar() {
    let crash: [UInt8] = [0x61, 0x3A, 0xCC, 0x9C, 0xCC, 0xCC, 0x3A, 0x30, 0x2A, 0xCC, 0xCC]
    guard case .header(let header) = ResponseHeadLine(String(decoding: crash, as: UTF8.self)) else {
      Issue.record("not read as a header")
      return
    }
    #expect(header.name == "a")
    #expect(ResponseHeadLine("Retry-After:\u{301}5\r\n") == .header(HTTPHeader("Retry-After", "\u{301}5")))
    let user = try? Settings.parseHeader(Layers.Found(value: "X-Org:\u{301}acme", origin: "--header"))
    #expect(user == HTTPHeader("X-Org", "\u{301}acme"))
  }

  /// fuzz-header: the space after `Name:` was one Character with a following combining mark, so
  /// it was not trimmed: a header sent as `X-Org: \u{65E}...` read back with a leading space.
  @Test func spaceBeforeACombiningMarkIsTrimmed() throws {
    let crash: [UInt8] = [0x58, 0x2D, 0x4F, 0x72, 0x67, 0x3A, 0xD9, 0x9E, 0x9C, 0x92, 0x65]
    let header = try Settings.parseHeader(
      Layers.Found(value: String(decoding: crash, as: UTF8.self), origin: "--header"))
    #expect(ResponseHeadLine("\(header.name): \(header.value)\r\n") == .header(header))
    #expect(Text.trimmed(" \u{65E}x \t\r\n") == "\u{65E}x")
    #expect(Text.trimmed("\t a b \r\n") == "a b")
  }

  /// fuzz-json-path: a dot followed by a combining mark was one Character, not ".", so the path
  /// `message_list.0.\u{59D}:re` was split in two segments instead of three and found nothing.
  @Test func pathSplitsAtADotBeforeACombiningMark() throws {
    // {"message_list":[{"\u{59D}:re":"<0>bm"}]}, the document the fuzzer wrote
    let crash: [UInt8] = [
      0x7B, 0x22, 0x6D, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x5F, 0x6C, 0x69, 0x73, 0x74, 0x22, 0x3A, 0x5B, 0x7B, 0x22,
      0xD6, 0x9D, 0x3A, 0x72, 0x65, 0x22, 0x3A, 0x22, 0x3C, 0x30, 0x3E, 0x62, 0x6D, 0x22, 0x7D, 0x5D, 0x7D,
    ]
    let document = try JSON.parse(crash)
    let path = try #require(JSONPath("message_list.0.\u{59D}:re"))
    #expect(path.segments == ["message_list", "0", "\u{59D}:re"])
    #expect(path.value(in: document) == .string("<0>bm"))
  }

  /// fuzz-config: a file saved with CRLF line ends was one line, since "\r\n" is one Character
  /// and the file was split on "\n".
  @Test func configWithCRLFLineEnds() throws {
    #expect {
      try ConfigFile(path: "/c", text: "[default]\r\nbogus = 1\r\n", keys: Settings.configKeys)
    } throws: { error in
      (error as? JobctlError)?.message?.hasPrefix("/c:2: unknown key 'bogus'") == true
    }
    let file = try ConfigFile(
      path: "/c", text: "[default]\r\nbase-url = https://a.example\r\n\r\n[profile ci]\r\ninterval = 2s\r\n",
      keys: Settings.configKeys)
    #expect(file.profiles["default"] == [ConfigFile.Entry(key: "base-url", value: "https://a.example", line: 2)])
    #expect(file.profiles["ci"] == [ConfigFile.Entry(key: "interval", value: "2s", line: 5)])
  }

  /// fuzz-config: a quoted value starting with a combining mark kept its quotes, since the
  /// opening quote and the mark are one Character that is not "\"".
  @Test func quotesAroundAValueStartingWithACombiningMark() throws {
    let crash = """
      # jobctl settings
      [default]
      base-url = \u{5C4}https://api.example.com   # the API
      header = X-Orgout = 10m
      ; old style comment
      [profile ci-2.x]
      dialect =insecurequbase-ubaue

      """
    let file = try ConfigFile(path: "/c", text: crash, keys: Settings.configKeys)
    let value = try #require(file.profiles["default"]?.first?.value)
    #expect(value == "\u{5C4}https://api.example.com")
    // Written back quoted, as the fuzz target does, it reads the same.
    let quoted = try ConfigFile(path: "/c", text: "[default]\nbase-url = \"\(value)\"\n", keys: Settings.configKeys)
    #expect(quoted.profiles["default"]?.first?.value == value)
  }

  /// fuzz-header: a value that began with a line break after the colon kept it; the value is
  /// trimmed of CR and LF at both ends, like SP and HT.
  @Test func aValueStartingWithALineBreakIsTrimmed() {
    #expect(ResponseHeadLine("X:\n+Aut#orizatio\u{1F}\0n") == .header(HTTPHeader("X", "+Aut#orizatio\u{1F}\0n")))
    #expect(ResponseHeadLine("X: \r\n v \r\n") == .header(HTTPHeader("X", "v")))
  }
}
