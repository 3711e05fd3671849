import JobctlShapes
import JobctlSupport
import LoopbackHTTP
import Testing

/// The simulator's JSON parser is written apart from jobctl's, and must read documents the same way.
@Suite struct SimJSONAgreementTests {
  private static func nested(_ levels: Int, around inner: String = "") -> [UInt8] {
    Array((String(repeating: "[", count: levels) + inner + String(repeating: "]", count: levels)).utf8)
  }

  static let documents: [[UInt8]] = [
    Array("0".utf8), Array("-0".utf8), Array("-12.5e+3".utf8), Array("1E9".utf8), Array("0.637".utf8),
    Array("01".utf8), Array("+1".utf8), Array("1.".utf8), Array(".5".utf8), Array("1e".utf8),
    Array("1e+".utf8), Array("-".utf8), Array("--1".utf8), Array("1.5.5".utf8), Array("0x10".utf8),
    Array("Infinity".utf8), Array("NaN".utf8), Array("{\"a\":1e-2}".utf8), Array("[1,2,]".utf8),
    [0x22, 0xC3, 0xA9, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
    [0x7B, 0x22, 0x61, 0xFE, 0x22, 0x3A, 0x31, 0x7D],
    nested(SimJSON.maximumDepth), nested(SimJSON.maximumDepth, around: "1"), nested(SimJSON.maximumDepth + 1),
  ]

  @Test(arguments: documents)
  func acceptsAndRefusesTheSameDocuments(_ bytes: [UInt8]) {
    let client = (try? JSON.parse(bytes)) != nil
    #expect((SimJSON.parse(bytes) != nil) == client, "\(bytes.prefix(12))")
  }

  @Test func sharesTheClientsDepthLimit() {
    #expect(SimJSON.maximumDepth == JSON.maximumDepth)
  }

  @Test func theLastOfARepeatedKeyWins() throws {
    let bytes = Array(#"{"state":"running","state":"done"}"#.utf8)
    let sim = try #require(SimJSON.parse(bytes))
    let client = try JSON.parse(bytes)
    #expect(sim["state"] == .string("done"))
    #expect(client["state"] == .string("done"))
  }

  @Test func numbersKeepTheirLiteral() throws {
    #expect(SimJSON.parse(Array("-12.5e+3".utf8)) == .number("-12.5e+3"))
  }
}
