import Glibc
import LoopbackHTTP
import SystemCalls

/// The `jobsim` command: a job-API simulator on a loopback port, for demos and manual tests.
enum JobSim {
  static let usage = """
    usage: jobsim [--port N | --unix-socket PATH] [--speed F] [--port-file PATH] [--quiet]

    Serves simulated asynchronous job APIs on 127.0.0.1 (or a UNIX socket) until SIGINT or SIGTERM.

    options:
      --port N          port to listen on (default 0: an ephemeral port)
      --unix-socket PATH  listen on a UNIX socket at PATH instead (URLs name http://localhost)
      --speed F         run every job timeline F times faster (default 1)
      --port-file PATH  write the bound port number to PATH once listening
      -q, --quiet       do not log requests to stderr
      -h, --help        show this help

    endpoints:
      GET  /jobs/{id}                          simple and staged jobs (simple-*, staged-* ids)
      GET  /jobs?page=P&limit=L&type=T         paginated list of simple and staged jobs
      POST /simple/jobs                        start a simple job
      POST /staged/jobs                        start a staged job (needs Idempotency-Key)
      POST /jobs/{id}/cancel                   cancel a staged job
      GET  /api/job?job={id}[&output=body]     hotcrp jobs (hcj_* ids) and their output
      POST /api/autoassign                     start a hotcrp job (form: q=all|none|fail)
      POST /organizations/{org}/members        start a member import
      GET  /organizations/{org}/members/job/{id}  member imports (import-* ids)

    An id containing "fail" ends failed; "warn", "expired" and "nooutput" pick other endings.

    """

  /// What the command line asked for.
  struct Options {
    var port: UInt16 = 0
    var speed = 1.0
    var portFile: String?
    var unixSocket: String?
    var quiet = false
  }

  /// A command-line problem: printed with the usage hint, exit status 2.
  struct UsageError: Error {
    let message: String
  }

  /// Runs the simulator until a termination signal; returns the exit status.
  static func run(arguments: [String]) -> Int32 {
    let options: Options
    do {
      guard let parsed = try parse(arguments) else {
        writeOut(usage)
        return 0
      }
      options = parsed
    } catch let error as UsageError {
      writeErr("jobsim: \(error.message)\nTry 'jobsim --help' for usage.\n")
      return 2
    } catch {
      return 2
    }

    // Block the signals before any server thread exists, so that every thread inherits the mask
    // and only sigwait below ever sees them.
    let signals = TerminationSignals.block()
    let server: LoopbackServer
    do {
      server = try options.unixSocket.map { try LoopbackServer(unixSocket: $0) } ?? LoopbackServer(port: options.port)
    } catch {
      writeErr("jobsim: cannot listen: \(error)\n")
      return 1
    }
    let simulator = JobSimulator(baseURL: server.baseURL, speed: options.speed)
    let quiet = options.quiet
    server.setHandler { request in
      let reply = simulator.handle(request)
      if !quiet {
        let line = "\(request.method) \(request.target) -> \(reply.status)"
        writeErr("jobsim: \(line) [conn \(request.connectionID)]\n")
      }
      return reply
    }
    if let path = options.portFile {
      do {
        try writeAtomically(path, "\(server.port)\n")
      } catch {
        writeErr("jobsim: cannot write port file \(path): \(error)\n")
        server.stop()
        return 1
      }
    }
    if let path = server.unixSocket {
      writeOut("jobsim: listening on \(path) (as \(server.baseURL))\n")
    } else {
      writeOut("jobsim: listening on \(server.baseURL)\n")
    }
    let received = signals.wait()
    if !quiet { writeErr("jobsim: signal \(received), stopping\n") }
    server.stop()
    return 0
  }

  /// Parses the arguments; nil when help was asked for.
  static func parse(_ arguments: [String]) throws -> Options? {
    var options = Options()
    var index = 0
    func value(for name: String, inline: String?) throws -> String {
      if let inline { return inline }
      index += 1
      guard index < arguments.count else { throw UsageError(message: "\(name) needs a value") }
      return arguments[index]
    }
    while index < arguments.count {
      let argument = arguments[index]
      let (name, inline): (String, String?) = {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
          return (argument, nil)
        }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
      }()
      switch name {
      case "-h", "--help":
        return nil
      case "-q", "--quiet":
        guard inline == nil else { throw UsageError(message: "--quiet takes no value") }
        options.quiet = true
      case "--port":
        let text = try value(for: name, inline: inline)
        guard let port = UInt16(text) else {
          throw UsageError(message: "invalid --port '\(text)': expected 0 to 65535")
        }
        options.port = port
      case "--speed":
        let text = try value(for: name, inline: inline)
        guard let speed = Double(text), speed.isFinite, speed > 0 else {
          throw UsageError(message: "invalid --speed '\(text)': expected a positive number")
        }
        options.speed = speed
      case "--unix-socket":
        let path = try value(for: name, inline: inline)
        guard !path.isEmpty else { throw UsageError(message: "--unix-socket needs a path") }
        options.unixSocket = path
      case "--port-file":
        let path = try value(for: name, inline: inline)
        guard !path.isEmpty else { throw UsageError(message: "--port-file needs a path") }
        options.portFile = path
      default:
        if argument.hasPrefix("-") { throw UsageError(message: "unknown option '\(argument)'") }
        throw UsageError(message: "unexpected argument '\(argument)'")
      }
      index += 1
    }
    return options
  }
}

/// A failed file operation with its errno.
struct FileError: Error, CustomStringConvertible {
  let operation: String
  let code: Int32
  var description: String { "\(operation): \(SystemCall.errorText(code))" }
}

/// Writes `text` to a temporary file beside `path` and renames it into place, so a reader polling
/// for the file never sees it half written.
func writeAtomically(_ path: String, _ text: String) throws {
  let temporary = "\(path).\(getpid()).tmp"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw FileError(operation: "open \(temporary)", code: errno) }
  let bytes = Array(text.utf8)
  let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  let writeError = errno
  close(fd)
  guard written == bytes.count else {
    unlink(temporary)
    throw FileError(operation: "write \(temporary)", code: writeError)
  }
  guard rename(temporary, path) == 0 else {
    let code = errno
    unlink(temporary)
    throw FileError(operation: "rename to \(path)", code: code)
  }
}

/// Writes straight to file descriptor 1: unbuffered, so a parent reading the pipe sees it at once.
func writeOut(_ text: String) {
  writeAll(1, text)
}

/// Writes straight to file descriptor 2.
func writeErr(_ text: String) {
  writeAll(2, text)
}

private func writeAll(_ fd: Int32, _ text: String) {
  let bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let written = SystemCall.retryingEINTR {
      bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
    }
    guard written > 0 else { return }
    offset += written
  }
}
