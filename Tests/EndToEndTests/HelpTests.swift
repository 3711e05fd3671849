import Foundation
import Testing

/// What the built binary's help says.
@Suite struct HelpTests {
  /// `help completion` tells how to install the script in each shell.
  @Test func completionHelpHasInstallSteps() throws {
    let r = try jobctl(["help", "completion"], env: ["COLUMNS": "200"])
    #expect(r.code == 0)
    let text = r.stdout.replacingOccurrences(of: "\n", with: " ")
    #expect(text.contains("jobctl completion bash > ~/.local/share/bash-completion/completions/jobctl"))
    #expect(text.contains("source <(jobctl completion zsh)"))
    #expect(text.contains("jobctl completion zsh > DIR/_jobctl"))
    #expect(text.contains("jobctl completion fish > ~/.config/fish/completions/jobctl.fish"))
  }
}

/// Every command's help (`jobctl CMD --help`) and the manual show examples, all from the command
/// table; the options a user needs first come first and the shape keys last.
@Suite struct HelpExamplesTests {
  static let commands = [
    "wait", "status", "start", "cancel", "list", "output", "explain", "completion", "help", "version",
  ]

  @Test(arguments: commands)
  func helpHasExamples(_ command: String) throws {
    // `jobctl help --help` is the overview; the help command's own help is `jobctl help help`.
    let r = try jobctl(command == "help" ? ["help", "help"] : [command, "--help"], env: ["COLUMNS": "200"])
    #expect(r.code == 0)
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex(of: "Examples:"), "\(command)")
    let examples = lines[(start + 1)...].prefix { !$0.isEmpty }
    #expect(!examples.isEmpty)
    for example in examples {
      #expect(example.hasPrefix("  "), "\(command): \(example)")
      #expect(example.contains("jobctl \(command)"), "\(command): \(example)")
    }
    // Each example is in the manual too, in the entry of its command.
    let manual = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../man/jobctl.1"),
      encoding: .utf8)
    for example in examples {
      let roff = example.dropFirst(2).replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(
        of: "-", with: "\\-")
      #expect(manual.contains("\n" + roff + "\n"), "manual: \(example)")
    }
  }

  /// `wait --help`: polling first, --timeout its first option, the shape options last.
  @Test func waitHelpPutsTimeoutsFirstAndShapeLast() throws {
    let r = try jobctl(["wait", "--help"])
    let titles = r.stdout.split(separator: "\n").filter { $0.hasSuffix(" options:") }.map(String.init)
    #expect(titles.first == "Polling options:")
    #expect(titles.last == "Shape options:")
    let polling = try #require(r.stdout.range(of: "Polling options:\n"))
    #expect(r.stdout[polling.upperBound...].hasPrefix("  --timeout D"))
    for command in Self.commands {
      let help = try jobctl([command, "--help"]).stdout
      let titles = help.split(separator: "\n").filter { $0.hasSuffix(" options:") }
      if titles.contains("Shape options:") { #expect(titles.last == "Shape options:", "\(command)") }
    }
  }
}
