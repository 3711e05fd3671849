import Foundation
import LoopbackHTTP
import Testing

/// An HTTPS endpoint: `openssl s_server -HTTP` serving files that hold whole HTTP answers, with a
/// fresh self-signed certificate.
private final class TLSServer {
  let folder: URL
  let process = Process()
  let port: Int

  /// `answers` maps a path under `/` to the raw HTTP answer served for it.
  init(answers: [String: String]) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("www/jobs"), withIntermediateDirectories: true)
    for (path, answer) in answers {
      try Data(answer.utf8).write(to: folder.appendingPathComponent("www/" + path))
    }
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
      "openssl", "s_server", "-accept", "0", "-HTTP", "-cert", folder.appendingPathComponent("cert.pem").path,
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
    let server = try TLSServer(answers: [
      "jobs/j1": "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + #"{"jobId":"j1","status":"completed"}"#
    ])
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

  /// A redirect from https to http would send the request, and its credentials, in clear text.
  @Test func aRedirectFromHTTPSToHTTPIsRefused() throws {
    let plain = try LoopbackServer()
    plain.setHandler { _ in .json(200, #"{"jobId":"j1","status":"completed"}"#) }
    let server = try TLSServer(answers: [
      "jobs/j1": "HTTP/1.0 302 Found\r\nLocation: \(plain.baseURL)/jobs/j1\r\n\r\n"
    ])
    let r = try jobctl(
      ["wait", "j1", "--base-url", "https://127.0.0.1:\(server.port)", "--cacert", server.cert],
      env: ["JOBCTL_TOKEN": "s3cret-token"])
    #expect(r.code == 6)
    #expect(r.stderr.contains("refused a redirect from https to http (\(plain.baseURL))"))
    #expect(plain.requests.isEmpty)
    #expect(!r.stderr.contains("s3cret-token"))
  }
}
