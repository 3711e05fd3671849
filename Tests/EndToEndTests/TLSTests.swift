import Foundation
import LoopbackHTTP
import Testing

/// An HTTPS endpoint: `openssl s_server -HTTP` serving files that hold whole HTTP answers, with a
/// fresh self-signed certificate.
private final class TLSServer {
  let folder: URL
  let process = Process()
  let port: Int

  /// `answers` maps a path under `/` to the raw HTTP answer served for it; with `clientCA`, a
  /// client must present a certificate that file vouches for (mutual TLS).
  init(answers: [String: String], clientCA: String? = nil) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("www/jobs"), withIntermediateDirectories: true)
    for (path, answer) in answers {
      try Data(answer.utf8).write(to: folder.appendingPathComponent("www/" + path))
    }
    try TLSServer.makeCertificate(
      cert: folder.appendingPathComponent("cert.pem").path, key: folder.appendingPathComponent("key.pem").path)
    let out = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      [
        "openssl", "s_server", "-accept", "0", "-HTTP", "-cert", folder.appendingPathComponent("cert.pem").path,
        "-key", folder.appendingPathComponent("key.pem").path,
      ] + (clientCA.map { ["-Verify", "1", "-CAfile", $0] } ?? [])
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

  /// A fresh self-signed certificate for 127.0.0.1 and its unencrypted key, as PEM files.
  static func makeCertificate(cert: String, key: String) throws {
    let req = Process()
    req.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    req.arguments = [
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
    ]
    req.standardError = FileHandle.nullDevice
    try req.run()
    req.waitUntilExit()
  }

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

  /// `--cert` and `--key` present a client certificate to a server that demands one; the key
  /// may share the certificate's file, is used whatever its mode (noted by --verbose), and an
  /// unreadable one is refused before anything is sent.
  @Test func aClientCertificateIsPresentedForMutualTLS() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-mtls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let cert = folder.appendingPathComponent("client.pem").path
    let key = folder.appendingPathComponent("client-key.pem").path
    try TLSServer.makeCertificate(cert: cert, key: key)
    #expect(chmod(key, 0o644) == 0)
    let both = folder.appendingPathComponent("both.pem").path
    #expect(
      FileManager.default.createFile(
        atPath: both,
        contents: try Data(contentsOf: URL(fileURLWithPath: cert)) + Data(contentsOf: URL(fileURLWithPath: key))))
    let server = try TLSServer(
      answers: [
        "jobs/j1": "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + #"{"jobId":"j1","status":"completed"}"#
      ], clientCA: cert)
    let base = [
      "wait", "j1", "--base-url", "https://127.0.0.1:\(server.port)", "--cacert", server.cert, "--progress", "none",
    ]
    let refused = try jobctl(base + ["--max-errors", "1"])
    #expect(refused.code == 7, "\(refused.stderr)")
    for extra in [["--cert", cert, "--key", key], ["--cert", both]] {
      let r = try jobctl(base + extra)
      #expect(r.code == 0, "\(extra): \(r.stderr)")
      #expect(r.stdout == "job: j1\nstate: completed\n")
      #expect(r.stderr == "")
    }
    let verbose = try jobctl(base + ["--cert", cert, "--key", key, "-v"])
    #expect(verbose.code == 0)
    #expect(verbose.stderr.contains("* the key file \(key) can be read by others (mode 644)"), "\(verbose.stderr)")
    let missing = try jobctl(base + ["--cert", cert, "--key", key + ".missing"])
    #expect(missing.code == 2)
    #expect(missing.stderr.hasPrefix("jobctl: error: cannot read the key file \(key).missing (--key): "))
    let alone = try jobctl(base + ["--key", key])
    #expect(alone.code == 2)
    #expect(alone.stderr == "jobctl: error: --key needs --cert: it is the key of that certificate\n")
  }
}
