import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct JSONTests {
  @Test func parsesNestedDocumentsKeepingNumberText() throws {
    let doc = try JSON.parse(#"{"a": [1, 2.50, -3e2, true, false, null], "b": {"c": "d"}, "code": 40026}"#)
    #expect(doc["a"] == .array([.number("1"), .number("2.50"), .number("-3e2"), .bool(true), .bool(false), .null]))
    #expect(doc["b"]?["c"] == .string("d"))
    #expect(doc["code"]?.displayText == "40026")
  }

  /// Strings are written with quotes, backslashes, C0 controls and DEL escaped and everything
  /// else (non-ASCII included) as it is, and read back the same.
  @Test func writesStringsWithTheirEscapes() throws {
    let text = "plain \"q\" back\\slash\n\r\t\u{01}\u{1F}\u{7F} é 漢字 🙂 end"
    let written = JSON.string(text).serialized()
    #expect(written == #""plain \"q\" back\\slash\n\r\t\u0001\u001f\u007f é 漢字 🙂 end""#)
    #expect(try JSON.parse(written) == .string(text))
    #expect(JSON.string("").serialized() == #""""#)
    #expect(JSON.string("\u{7F}").serialized() == #""\u007f""#)
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let doc = try JSON.parse(#"["a\"b\\c\/\n\t\u00e9\ud83d\ude00"]"#)
    #expect(doc == .array([.string("a\"b\\c/\n\té😀")]))
  }

  @Test func duplicateKeysResolveToTheLast() throws {
    let doc = try JSON.parse(#"{"status":"pending","status":"completed"}"#)
    #expect(doc["status"] == .string("completed"))
  }

  @Test(arguments: [
    "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", "tru", #""abc"#, #"{"a" 1}"#, "{} {}", #""\x""#,
    #""\ud800""#, "\"a\u{01}b\"", "NaN", "[1 2]",
  ])
  func refusesMalformedInput(_ text: String) {
    #expect(throws: JSONParseError.self) { try JSON.parse(text) }
  }

  @Test func refusesInvalidUTF8() {
    #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0xFE, 0x22]) }
  }

  /// An all-ASCII run skips validation: each run of a string is judged on its own bytes, so a bad
  /// byte after an escape, or after an ASCII run, is still refused, and good ones still read.
  @Test func validatesEachRunOfAString() throws {
    let quote: UInt8 = 0x22
    let escapeN: [UInt8] = [0x5C, 0x6E]
    let e9: [UInt8] = [0xC3, 0xA9]  // é
    #expect(try JSON.parse([quote] + Array("ab".utf8) + escapeN + e9 + [quote]) == .string("ab\né"))
    #expect(try JSON.parse([quote] + e9 + escapeN + Array("cd".utf8) + [quote]) == .string("é\ncd"))
    #expect(throws: JSONParseError.self) { try JSON.parse([quote] + Array("ab".utf8) + escapeN + [0xFF, quote]) }
    #expect(throws: JSONParseError.self) { try JSON.parse([quote] + e9 + escapeN + [0x61, 0xC3, quote]) }
    #expect(throws: JSONParseError.self) { try JSON.parse([quote, 0x61, 0x80, 0x62, quote]) }
  }

  @Test func refusesNestingBeyondTheLimit() {
    let deep =
      String(repeating: "[", count: JSON.maximumDepth + 1) + String(repeating: "]", count: JSON.maximumDepth + 1)
    #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    let ok = String(repeating: "[", count: JSON.maximumDepth) + String(repeating: "]", count: JSON.maximumDepth)
    #expect((try? JSON.parse(ok)) != nil)
  }

  @Test func serializesCompactlyWithEscapes() throws {
    let doc = try JSON.parse(#"{"s": "a\"\n\u001b", "n": 1.50, "l": [null, {}]}"#)
    #expect(doc.serialized() == #"{"s":"a\"\n\u001b","n":1.50,"l":[null,{}]}"#)
    #expect(try JSON.parse(doc.serialized()) == doc)
  }

  @Test func pathsReachMembersAndArrayItems() throws {
    let doc = try JSON.parse(#"{"result": {"address": "0xab"}, "jobs": [{"jobId": "j1"}], "m": {"0": "zero"}}"#)
    #expect(JSONPath("result.address")?.value(in: doc) == .string("0xab"))
    #expect(JSONPath("jobs.0.jobId")?.value(in: doc) == .string("j1"))
    #expect(JSONPath("m.0")?.value(in: doc) == .string("zero"))
    #expect(JSONPath("jobs.1.jobId")?.value(in: doc) == nil)
    #expect(JSONPath("jobs.-1")?.value(in: doc) == nil)
    #expect(JSONPath("result.address.x")?.value(in: doc) == nil)
    #expect(JSONPath("") == nil)
    #expect(JSONPath("a..b") == nil)
    #expect(JSONPath(".a") == nil)
  }
}
