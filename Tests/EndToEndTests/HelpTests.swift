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
