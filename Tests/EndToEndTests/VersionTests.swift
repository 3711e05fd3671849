import Foundation
import Testing

/// `jobctl version`: what the built binary says about itself and the libcurl it runs with.
@Suite struct VersionTests {
  /// What pkg-config says of the libcurl SwiftPM linked against (`make deps` installs it).
  private func pkgConfigCurlVersion() throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["pkg-config", "--modversion", "libcurl"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func jsonNamesTheBuildAndLibcurl() throws {
    let r = try jobctl(["version", "--json"])
    #expect(r.code == 0)
    #expect(r.stderr == "")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["version", "commit", "build_date", "libcurl"])
    #expect((object["version"] as? String)?.isEmpty == false)
    // A plain `swift build` (as the tests are built) has no stamp, and says so.
    #expect(object["commit"] as? String == "unknown")
    #expect(object["build_date"] as? String == "unknown")
    let curl = try #require(object["libcurl"] as? [String: Any])
    #expect(curl["version"] as? String == (try pkgConfigCurlVersion()))
    let features = try #require(curl["features"] as? [String: Any])
    #expect(Set(features.keys) == ["tls", "http2", "sigv4", "unix_sockets"])
    // The TLS tests need a TLS backend; SigV4 and UNIX sockets are what the README's libcurl
    // (7.85 on) has.
    #expect((features["tls"] as? String)?.isEmpty == false)
    #expect(features["sigv4"] as? Bool == true)
    #expect(features["unix_sockets"] as? Bool == true)
    #expect(features["http2"] is Bool)
    // --version --json is the same command.
    #expect(try jobctl(["--version", "--json"]).stdout == r.stdout)
  }

  @Test func textSaysTheSame() throws {
    let r = try jobctl(["version"])
    #expect(r.code == 0)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("jobctl ") == true)
    #expect(lines.contains("libcurl:      \(try pkgConfigCurlVersion())"))
    #expect(lines.contains("commit:       unknown"))
    #expect(lines.contains { $0.hasPrefix("TLS:") })
    #expect(lines.contains { $0.hasPrefix("HTTP/2:") })
    #expect(lines.contains("SigV4:        yes"))
    #expect(lines.contains("UNIX sockets: yes"))
  }
}
