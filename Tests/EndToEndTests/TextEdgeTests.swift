import Foundation
import LoopbackHTTP
import Testing

/// What a server sends is shown without invisible or reordering characters, and a leading UTF-8
/// byte order mark is accepted in job documents and config files (docs/behaviour.md "Output").
@Suite struct TextEdgeTests {
  @Test func invisibleAndBidiCharactersFromAServerAreEscaped() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1",
      [
        .json(200, "{\"status\":\"failed\",\"error\":\"bad\u{061C}\u{200B}\u{200F}\u{2060}\u{FEFF}\u{2066}end\"}")
      ])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains(#"bad\u061c\u200b\u200f\u2060\ufeff\u2066end"#), "\(r.stderr)")
    for value: UInt32 in [0x061C, 0x200B, 0x200F, 0x2060, 0xFEFF, 0x2066] {
      #expect(!r.stderr.unicodeScalars.contains(Unicode.Scalar(value)!), "U+\(String(value, radix: 16))")
    }
  }

  @Test func aByteOrderMarkStartsAJobDocumentOrAConfigFile() throws {
    let doc = try jobctl(["explain"], stdin: "\u{FEFF}" + #"{"status":"completed"}"#)
    #expect(doc.code == 0, "\(doc.stderr)")
    #expect(doc.stdout.hasPrefix("completed: "), "\(doc.stdout)")
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(200, "\u{FEFF}" + #"{"status":"completed"}"#)])
    let folder = try scratch()
    let config = folder.appendingPathComponent("config")
    try ("\u{FEFF}[profile here]\nbase-url = " + server.baseURL + "\n").write(
      to: config, atomically: true, encoding: .utf8)
    let r = try jobctl(["wait", "j1", "--config", config.path, "--profile", "here"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.count == 1)
  }
}
