import Foundation
import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The widest line, in columns.
private func widest(_ text: String) -> Int { text.split(separator: "\n").map(\.count).max() ?? 0 }

/// `--help` fits the terminal: COLUMNS, else the terminal's width, else 80, with a hanging indent.
@Suite struct HelpWidthTests {
  static let topics = [["--help"], ["help", "exit-codes"]] + CommandTable.commands.map { [$0.name, "--help"] }

  @Test(arguments: topics)
  func helpIsWrappedToColumnsWithAHangingIndent(_ args: [String]) {
    // At 50 columns the longest word of an example (a URL, never cut) still fits.
    for width in [50, 60, 80, 132] {
      let r = runJobctl(args, env: ["COLUMNS": String(width)])
      #expect(r.code == 0)
      #expect(widest(r.stdout) <= width, "\(args) at \(width) columns:\n\(r.stdout)")
    }
    #expect(widest(runJobctl(args, env: [:]).stdout) <= 80)
  }

  @Test func theTerminalsWidthIsUsedWhenColumnsIsNotSet() {
    var services = fakeServices()
    let out = BufferSink()
    services.streams.stdout = out
    services.stdoutColumns = { 120 }
    #expect(Jobctl.run(["wait", "--help"], environment: [:], services: services) == 0)
    #expect(widest(out.text) > 80 && widest(out.text) <= 120)
    // COLUMNS is the user's word, and wins over the terminal's.
    let narrow = BufferSink()
    services.streams.stdout = narrow
    #expect(Jobctl.run(["wait", "--help"], environment: ["COLUMNS": "50"], services: services) == 0)
    #expect(widest(narrow.text) <= 50)
  }

  @Test func aLongHelpTextHangsUnderItsColumn() {
    let text = HelpCommand.entry("--base-url URL", String(repeating: "word ", count: 30), column: 20, width: 60)
    let lines = text.split(separator: "\n")
    #expect(lines.count > 2)
    #expect(lines[0].hasPrefix("  --base-url URL        word"))
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 24) + "word") })
  }

  /// Every variable jobctl reads is in `--help`'s Environment list and in the manual.
  @Test func helpAndTheManualNameEveryVariable() {
    let help = runJobctl(["wait", "--help"], env: ["COLUMNS": "200"]).stdout
    let page = ManPage.render()
    for name in [
      "JOBCTL_BASE_URL", "JOBCTL_TOKEN", "JOBCTL_DIALECT", "JOBCTL_CONFIG", "JOBCTL_PROFILE", "CLICOLOR_FORCE",
      "NO_COLOR", "COLUMNS", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "XDG_CONFIG_HOME",
      "http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    ] {
      #expect(help.contains(name), "--help lacks \(name)")
      #expect(page.contains(ManPage.escape(name)), "the manual lacks \(name)")
    }
  }

  /// The manual renders at 80 columns without a groff warning (a table wider than the line).
  @Test func theManualFitsEightyColumns() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/groff")
    process.arguments = ["-t", "-man", "-Tutf8", "-rLL=80n", "-ww", repositoryRoot + "/man/jobctl.1"]
    process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let page = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(warnings.isEmpty, "groff: \(warnings)")
    // Overstriking (bold: a character, backspace, itself again) takes one column.
    var shown = ""
    for c in page {
      if c == "\u{8}" { _ = shown.popLast() } else { shown.append(c) }
    }
    #expect(shown.contains("EXIT STATUS"))
    #expect(widest(shown) <= 80, "\(shown.split(separator: "\n").filter { $0.count > 80 })")
  }
}
