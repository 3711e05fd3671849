import Foundation
import LoopbackHTTP
import Testing

/// Section names in the config file (docs/options.md "Configuration file"): letters, digits, `.`,
/// `_`, `:` and `-`; a header outside that names the allowed characters, the file and the line.
@Suite struct ConfigNameTests {
  @Test func aProfileNameWithAColonIsUsable() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(200, #"{"status":"completed"}"#)])
    let config = try scratch().appendingPathComponent("config")
    try "[default]\ninterval = 1s\n\n[profile prod:eu]\nbase-url = \(server.baseURL)\n[dialect my_shape.v2-x]\n"
      .write(to: config, atomically: true, encoding: .utf8)
    let r = try jobctl(["wait", "j1", "--config", config.path, "--profile", "prod:eu"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("j1: completed"), "\(r.stderr)")
    #expect(server.requests.map(\.path) == ["/jobs/j1"])
  }

  @Test(arguments: ["[profile prod/eu]", "[profile prod eu]", "[profile pröd]"])
  func aBadHeaderNamesTheAllowedCharactersTheFileAndTheLine(_ header: String) throws {
    let config = try scratch().appendingPathComponent("config")
    try "# mine\n\(header)\nbase-url = http://127.0.0.1:1\n".write(to: config, atomically: true, encoding: .utf8)
    let r = try jobctl(["wait", "j1", "--config", config.path])
    #expect(r.code == 2, "\(r.stderr)")
    #expect(r.stdout == "")
    #expect(r.stderr.hasPrefix("jobctl: error: \(config.path):2: "), "\(r.stderr)")
    #expect(r.stderr.contains("a NAME is letters, digits, '.', '_', ':' and '-'"), "\(r.stderr)")
  }
}
