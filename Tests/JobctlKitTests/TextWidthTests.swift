import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Terminal width in columns, invisible and bidi characters escaped, a leading BOM accepted
/// (docs/behaviour.md "Output").
@Suite struct TextWidthTests {
  /// Lists in a sentence (did-you-mean, `--format`'s help): "a", "a or b", "a, b or c".
  @Test func listsReadAsASentence() {
    #expect(Text.listed([]) == "")
    #expect(Text.listed(["a"]) == "a")
    #expect(Text.listed(["a", "b"]) == "a or b")
    #expect(Text.listed(["a", "b", "c"]) == "a, b or c")
  }

  @Test func columnsCountWideCombiningAndZeroWidthCharacters() {
    #expect(Text.columns("abc") == 3)
    #expect(Text.columns("処理中") == 6)
    #expect(Text.columns("한국어") == 6)
    #expect(Text.columns("ｆｕｌｌ") == 8)
    #expect(Text.columns("e\u{301}") == 1)
    #expect(Text.columns("a\u{200B}b") == 2)
    #expect(Text.columns("🎉") == 2)
    #expect(Text.prefix("処理中abc", columns: 5) == "処理")
    #expect(Text.suffix("abc処理中", columns: 5) == "理中")
    #expect(Text.fitted("データを処理しています", width: 11) == "データを...")
  }

  /// A CJK stage at 30 columns (and every other width) never wraps the line.
  @Test(arguments: [12, 20, 30, 40, 80])
  func aWideStageFitsTheLiveLine(_ columns: Int) {
    var s = JobSnapshot(state: .running)
    s.stage = "データベースの移行を実行しています（ステップ3/7）"
    s.progress = 0.4
    for unicode in [false, true] {
      let line = ProgressReporter.liveLine(
        job: "ジョブ-1", snapshot: s, notice: nil, elapsed: 65, eta: 30, frame: 0, width: columns - 1,
        terminal: Terminal(colors: false, unicode: unicode))
      #expect(Text.columns(line) <= columns - 1, "\(Text.columns(line)) > \(columns - 1): \(line)")
    }
  }

  @Test func helpWrapsByColumns() {
    let text = String(repeating: "処理 ", count: 20) + "長い単語長い単語長い単語長い単語長い単語"
    for line in Text.wrap(text, width: 30).split(separator: "\n") {
      #expect(Text.columns(line) <= 30, "\(line)")
    }
  }

  /// Every format character (bidi marks, overrides and isolates, zero-width ones, U+FEFF, tags)
  /// is shown escaped; combining marks, emoji and CJK are kept.
  @Test func invisibleAndBidiCharactersAreEscaped() {
    let scalars: [UInt32] = [
      0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061,
      0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x00AD, 0x180E, 0x3164,
    ]
    for value in scalars {
      let s = "a" + String(Character(Unicode.Scalar(value)!)) + "b"
      let shown = Text.oneLine(s)
      #expect(shown.unicodeScalars.allSatisfy { $0.value < 0x7F }, "U+\(String(value, radix: 16)): \(shown)")
      #expect(Text.hasControlCharacters(s))
    }
    #expect(Text.oneLine("a\u{E0041}b") == #"a\U000e0041b"#)
    #expect(Text.oneLine("\u{FEFF}x") == #"\ufeffx"#)
    #expect(Text.oneLine("e\u{301} 処理 🎉") == "e\u{301} 処理 🎉")
  }

  @Test func aLeadingByteOrderMarkIsAccepted() throws {
    #expect(try JSON.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)) == JSON.parse(#"{"a":1}"#))
    #expect(throws: JSONParseError.self) { try JSON.parse(Array(#"{"a":1}"#.utf8) + [0xEF, 0xBB, 0xBF]) }
    let config = try ConfigFile(path: "c", text: "\u{FEFF}[profile x]\nbase-url = http://a\n", keys: ["base-url"])
    #expect(config.profiles["x"]?.first?.value == "http://a")
  }
}
