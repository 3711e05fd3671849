import Foundation
import Testing

/// An HTTPS endpoint: `openssl s_server -WWW` serving files, with a fresh self-signed certificate.
private final class TLSServer {
  let folder: URL
  let process = Process()
  let port: Int

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("www/jobs"), withIntermediateDirectories: true)
    try Data(#"{"jobId":"j1","status":"completed"}"#.utf8).write(to: folder.appendingPathComponent("www/jobs/j1"))
    let req = Process()
    req.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    req.arguments = [
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder.appendingPathComponent("key.pem").path,
      "-out", folder.appendingPathComponent("cert.pem").path,
    ]
    req.standardError = FileHandle.nullDevice
    try req.run()
    req.waitUntilExit()
    let out = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "openssl", "s_server", "-accept", "0", "-WWW", "-cert", folder.appendingPathComponent("cert.pem").path,
      "-key", folder.appendingPathComponent("key.pem").path,
    ]
    process.currentDirectoryURL = folder.appendingPathComponent("www")
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    // s_server prints `ACCEPT [::]:PORT` once it listens.
    var text = ""
    while !text.contains("ACCEPT"), process.isRunning {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      text += String(decoding: chunk, as: UTF8.self)
    }
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
      let p = Int(line.split(separator: ":").last ?? "")
    else {
      kill(process.processIdentifier, SIGKILL)
      throw CocoaError(.fileReadUnknown)
    }
    port = p
  }

  var cert: String { folder.appendingPathComponent("cert.pem").path }

  deinit {
    // SIGKILL: a child started from a test thread inherits that thread's blocked SIGTERM.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: folder)
  }
}

@Suite struct TLSTests {
  @Test func aSelfSignedCertificateFailsClosedAndWorksWhenTrusted() throws {
    let server = try TLSServer()
    let base = "https://127.0.0.1:\(server.port)"
    let refused = try jobctl(["wait", "j1", "--base-url", base])
    #expect(refused.code == 7)
    #expect(refused.stderr.contains("jobctl: error: TLS: "))
    #expect(refused.stderr.contains("--cacert"))
    #expect(refused.stdout == "")
    let trusted = try jobctl(["wait", "j1", "--base-url", base, "--cacert", server.cert, "--progress", "none"])
    #expect(trusted.code == 0)
    #expect(trusted.stdout == "job: j1\nstate: completed\n")
    #expect(trusted.stderr == "")
    let insecure = try jobctl(["wait", "j1", "--base-url", base, "--insecure", "--progress", "none"])
    #expect(insecure.code == 0)
    #expect(insecure.stderr == "jobctl: warning: --insecure: TLS certificates are not verified\n")
  }
}
