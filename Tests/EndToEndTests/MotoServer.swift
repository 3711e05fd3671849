import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// moto's server mode (an AWS-compatible server nobody on this project wrote), started for one
/// test on 127.0.0.1 with request authentication on, and stopped at its end.
///
/// It comes from the virtual environment `make deps` makes (`.build/venv-moto`); without it the
/// test fails saying so. moto checks signatures only after `INITIAL_NO_AUTH_ACTION_COUNT`
/// unchecked requests: the first three make an IAM user, its access key and an allow-all policy,
/// and from then on an unsigned or wrongly signed request is refused (403). Some of moto's state
/// lasts one process only (Step Functions' StartExecution succeeds once per server), so a test
/// that needs a fresh one starts its own.
final class MotoServer {
  /// The repository, from this file's place in it.
  static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static var venv: URL { repository.appendingPathComponent(".build/venv-moto") }
  static var python: String { venv.appendingPathComponent("bin/python").path }

  let port: Int
  /// The IAM user's keys, allowed everything.
  private(set) var accessKey = ""
  private(set) var secretKey = ""
  private let process = Process()
  private let log: URL
  private let folder: URL

  /// `http://127.0.0.1:PORT`.
  var endpoint: String { "http://127.0.0.1:\(port)" }

  /// Starts moto on a free port, waits until it answers, and makes the user.
  ///
  /// `environment` is added to its own (the `SF_EXECUTION_HISTORY_TYPE` and `MOTO_*` settings).
  /// Throws, with an issue recorded, when the environment is missing or moto does not come up.
  init(environment: [String: String] = [:]) throws {
    let server = Self.venv.appendingPathComponent("bin/moto_server").path
    guard FileManager.default.isExecutableFile(atPath: server),
      FileManager.default.isExecutableFile(atPath: Self.python)
    else {
      Issue.record("moto is not installed in \(Self.venv.path): run `make deps` (it makes that virtual environment)")
      throw MotoError(description: "no \(server)")
    }
    folder = try scratch()
    log = folder.appendingPathComponent("moto.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    port = try Self.freePort()
    process.executableURL = URL(fileURLWithPath: server)
    process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
    var env = ["PATH": "/usr/bin:/bin", "HOME": folder.path, "LANG": "C.UTF-8", "INITIAL_NO_AUTH_ACTION_COUNT": "3"]
    env.merge(environment) { $1 }
    process.environment = env
    let output = try FileHandle(forWritingTo: log)
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    do {
      try waitUntilListening(timeout: 60)
      let keys = try Self.runPython(Self.setUpUser, arguments: ["\(port)"]).split(separator: "\n").map(String.init)
      guard keys.count == 2 else { throw MotoError(description: "the IAM set-up printed \(keys)") }
      (accessKey, secretKey) = (keys[0], keys[1])
    } catch {
      stop()
      Issue.record("moto did not start: \(error)\n\(tail())")
      throw error
    }
  }

  deinit { stop() }

  /// Ends the server (SIGTERM, then SIGKILL after five seconds) and removes its folder.
  func stop() {
    if process.isRunning {
      process.terminate()
      let deadline = Date().addingTimeInterval(5)
      while process.isRunning && Date() < deadline { usleep(10_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(at: folder)
  }

  /// The end of moto's log, for failure messages.
  func tail() -> String {
    let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    return String(text.suffix(3000))
  }

  /// Temporary keys with a session token (STS AssumeRole of an allow-all role), which moto
  /// checks like the user's: the token must reach it, signed.
  func sessionCredentials() throws -> (accessKey: String, secretKey: String, token: String) {
    let lines = try Self.runPython(Self.assumeRole, arguments: ["\(port)", accessKey, secretKey])
      .split(separator: "\n").map(String.init)
    guard lines.count == 3 else { throw MotoError(description: "AssumeRole printed \(lines.count) lines") }
    return (lines[0], lines[1], lines[2])
  }

  /// Runs a Python script with the environment's boto3 (a test tool, not jobctl code); its
  /// stdout, or an error with its stderr.
  static func runPython(_ script: String, arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script] + arguments
    process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": NSTemporaryDirectory()]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    group.wait()
    guard process.terminationStatus == 0 else {
      throw MotoError(
        description: "python exited \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
    }
    return String(decoding: outData, as: UTF8.self)
  }

  /// Polls the port until a connection is accepted; fails when moto exits or `timeout` passes.
  private func waitUntilListening(timeout: Double) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      guard process.isRunning else { throw MotoError(description: "moto_server exited \(process.terminationStatus)") }
      if Self.accepts(port: port) { return }
      usleep(50_000)
    }
    throw MotoError(description: "moto_server did not listen on \(port) within \(Int(timeout))s")
  }

  static func accepts(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    } == 0
  }

  /// A port the system has just handed out and let go, for moto to bind.
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MotoError(description: "socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard ok else { throw MotoError(description: "bind: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// The three unchecked requests (a user, its key, an allow-all policy); prints the key pair.
  static let setUpUser = """
    import boto3, json, sys
    iam = boto3.client("iam", endpoint_url="http://127.0.0.1:" + sys.argv[1], region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="jobctl")
    key = iam.create_access_key(UserName="jobctl")["AccessKey"]
    iam.put_user_policy(UserName="jobctl", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    print(key["AccessKeyId"])
    print(key["SecretAccessKey"])
    """

  /// An allow-all role assumed with the user's keys; prints key, secret and token.
  static let assumeRole = """
    import boto3, json, sys
    keys = dict(endpoint_url="http://127.0.0.1:" + sys.argv[1], region_name="us-east-1",
                aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
    iam = boto3.client("iam", **keys)
    iam.create_role(RoleName="jobctl-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="jobctl-role", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    c = boto3.client("sts", **keys).assume_role(
        RoleArn="arn:aws:iam::123456789012:role/jobctl-role", RoleSessionName="jobctl-test")["Credentials"]
    print(c["AccessKeyId"]); print(c["SecretAccessKey"]); print(c["SessionToken"])
    """
}

struct MotoError: Error, CustomStringConvertible {
  let description: String
}
