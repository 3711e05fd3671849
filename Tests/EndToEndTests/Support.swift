import Foundation
import LoopbackHTTP
import Testing

/// The built `jobctl` and `jobsim`, found beside the test bundle (`swift build` puts every
/// product in one folder).
enum Binaries {
  static let folder: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // On Linux the test runner is `<bin>/jobctlPackageTests.xctest`; elsewhere it may sit deeper.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("jobctl").path), dir.path != "/" {
      dir = dir.deletingLastPathComponent()
    }
    return dir.path
  }()
  static var jobctl: String { folder + "/jobctl" }
  static var jobsim: String { folder + "/jobsim" }
}

/// What one run of the real binary did.
struct ProcessResult {
  let code: Int32
  let stdout: String
  let stderr: String
  /// Seconds from launch to exit.
  let elapsed: Double

  var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A running `jobctl` whose output is collected in the background.
final class RunningProcess: @unchecked Sendable {
  let process = Process()
  private let outPipe = Pipe()
  private let errPipe = Pipe()
  private let inPipe = Pipe()
  private let group = DispatchGroup()
  private var outData = Data()
  private var errData = Data()
  private let errLock = NSLock()
  private let started = Date()

  /// Starts `jobctl ARGS`.
  ///
  /// `closeStdout` closes the read end of its stdout at once; `stdoutLines` reads that many lines
  /// and then closes it (a reader that goes away, as `| head -1` does). `redirections` runs it
  /// through `/bin/sh` with those applied (`>/dev/full`, `>&- 2>&-`); what they redirect is not
  /// collected.
  init(
    _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, closeStdout: Bool = false,
    stdoutLines: Int? = nil, redirections: String? = nil
  ) throws {
    if let redirections {
      // exec: the shell becomes jobctl, so the process (and its pid) is jobctl's.
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", "exec \"$0\" \"$@\" \(redirections)", Binaries.jobctl] + arguments
    } else {
      process.executableURL = URL(fileURLWithPath: Binaries.jobctl)
      process.arguments = arguments
    }
    // A clean environment: nothing from the developer's shell leaks into a test.
    var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
    env.merge(Sanitizers.environment) { $1 }
    env.merge(environment) { $1 }
    process.environment = env
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    if closeStdout {
      try outPipe.fileHandleForReading.close()
    } else if let stdoutLines {
      group.enter()
      DispatchQueue.global().async {
        let handle = self.outPipe.fileHandleForReading
        var data = Data()
        while data.filter({ $0 == UInt8(ascii: "\n") }).count < stdoutLines {
          let chunk = handle.availableData
          if chunk.isEmpty { break }
          data.append(chunk)
        }
        self.outData = data
        try? handle.close()
        self.group.leave()
      }
    } else {
      group.enter()
      DispatchQueue.global().async {
        self.outData = self.outPipe.fileHandleForReading.readDataToEndOfFile()
        self.group.leave()
      }
    }
    group.enter()
    DispatchQueue.global().async {
      // Chunk by chunk, so a test can wait for a line while the process runs.
      let handle = self.errPipe.fileHandleForReading
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        self.errLock.lock()
        self.errData.append(chunk)
        self.errLock.unlock()
      }
      self.group.leave()
    }
    if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? inPipe.fileHandleForWriting.close()
  }

  func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

  /// Blocks until stderr so far contains `text` (true), or the process ended or `timeout`
  /// passed without it (false): a test synchronises on what jobctl said, not on a sleep.
  func waitForStderr(containing text: String, timeout: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      errLock.lock()
      let seen = String(decoding: errData, as: UTF8.self)
      errLock.unlock()
      if seen.contains(text) { return true }
      if !process.isRunning {
        // It ended: once the pipes are drained, what it said is all there is.
        _ = group.wait(timeout: .now() + 5)
        errLock.lock()
        defer { errLock.unlock() }
        return String(decoding: errData, as: UTF8.self).contains(text)
      }
      usleep(2000)
    }
    return false
  }

  /// Waits for the exit; a process still running after `limit` seconds is killed and recorded
  /// as an issue, so a hang fails the test instead of hanging the suite.
  func finish(limit: Double = 60) -> ProcessResult {
    let deadline = Date().addingTimeInterval(limit)
    while process.isRunning && Date() < deadline { usleep(2000) }
    if process.isRunning {
      Issue.record("jobctl still running after \(limit)s; killed")
      kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    let elapsed = Date().timeIntervalSince(started)
    group.wait()
    let result = ProcessResult(
      code: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self), elapsed: elapsed)
    Sanitizers.check(result)
    return result
  }
}

/// What `make test-asan` hands the spawned binaries, and how their reports fail a test.
enum Sanitizers {
  /// ASAN_OPTIONS, LSAN_OPTIONS and SWIFT_BACKTRACE of the test run, passed through the otherwise
  /// clean environment, so that `jobctl` halts, checks leaks and exits with the sanitizer's own code
  /// as the run asks (and a Swift trap stays a trap rather than an ASan report from the backtracer).
  static let environment: [String: String] = ProcessInfo.processInfo.environment.filter {
    ["ASAN_OPTIONS", "LSAN_OPTIONS", "SWIFT_BACKTRACE"].contains($0.key)
  }

  /// Records an issue when the binary printed a sanitizer report: an exit code alone could pass
  /// (a test expecting 1 cannot tell a failed job from a memory error with the default exit code).
  static func check(_ result: ProcessResult) {
    if result.stderr.contains("ERROR: AddressSanitizer") || result.stderr.contains("ERROR: LeakSanitizer") {
      Issue.record("jobctl reported a sanitizer error (exit \(result.code)):\n\(result.stderr)")
    }
  }
}

/// Runs `jobctl ARGS` to its end.
func jobctl(_ arguments: [String], env: [String: String] = [:], stdin: String? = nil, limit: Double = 60) throws
  -> ProcessResult
{
  try RunningProcess(arguments, environment: env, stdin: stdin).finish(limit: limit)
}

extension Reply {
  /// A job document with status 200.
  static func doc(_ body: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> Reply {
    .json(status, body, headers: headers)
  }
}

/// Fast polling for tests: the behaviour is the same, the waits are short.
let fast = ["--interval", "50ms", "--max-interval", "200ms"]

/// A scratch folder for files a test writes.
func scratch() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-e2e-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
