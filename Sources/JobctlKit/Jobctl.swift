import JobctlOutput
import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// jobctl's entry point: parse, run the command the table names; its result and every failure
/// become output and an exit code in one place, `Presenter`.
package enum Jobctl {
  /// Runs jobctl as a process: real streams, signals, system time, libcurl.
  package static func main(arguments: [String], environment: [String: String]) -> Int32 {
    // Before any descriptor is made (the signal pipe would take a closed 1 or 2).
    let closed = Streams.openClosedStandardDescriptors()
    Signals.install()
    return run(Array(arguments.dropFirst()), environment: environment, services: .system(closedAtStart: closed))
  }

  /// Runs one command line (without the program name) and returns the exit code.
  ///
  /// A command whose stdout could not be written ends with exit 10, unless its reader went away
  /// (once the result was decided its code stands; a wait cut short by it ends with 141).
  package static func run(_ arguments: [String], environment: [String: String], services: Services) -> Int32 {
    let code = execute(arguments, environment: environment, services: services)
    let lost = JobctlError.Ending.localWrite.code
    // A command that said so itself (start names the job it created) is not told twice.
    guard let failure = services.streams.stdout.failure, !failure.readerGone, code != lost else { return code }
    return Presenter.fail(
      .localWrite(.resultNotWritten(reason: failure.reason)), diagnostics: services.diagnostics(environment))
  }

  private static func execute(_ arguments: [String], environment: [String: String], services: Services) -> Int32 {
    do throws(JobctlError) {
      let invocation = try ArgumentParser.parse(arguments)
      return try invocation.command.run(invocation, environment, services)
    } catch {
      // The run's redactor: secrets learnt by the command are hidden in its last word too.
      return Presenter.fail(error, diagnostics: services.diagnostics(environment))
    }
  }
}

/// Ends the process with `code`.
package func exitProcess(_ code: Int32) -> Never {
  exit(code)
}

extension Dictionary where Key == String, Value == String {
  /// The process environment.
  package static var process: [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let eq = text.firstIndex(of: "=") {
        result[String(text[..<eq])] = String(text[text.index(after: eq)...])
      }
      pointer += 1
    }
    return result
  }
}
