import Testing

@testable import JobctlKit

#if canImport(Glibc)
import Glibc
#endif

/// The repository root, found from this file's path.
private let repositoryRoot: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/JobctlKitTests/DocsTests.swift
  return parts.joined(separator: "/")
}()

@Suite struct DocsTests {
  /// The committed manual equals the one rendered from the command table;
  /// `JOBCTL_UPDATE_GOLDEN=1` rewrites it.
  @Test func manualMatchesTheCommandTable() throws {
    let path = repositoryRoot + "/man/jobctl.1"
    let rendered = ManPage.render()
    if getenv("JOBCTL_UPDATE_GOLDEN") != nil {
      let bytes = Array(rendered.utf8)
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      #expect(fd >= 0)
      _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      close(fd)
    }
    let committed = try #require(try? Services.readFileFromDisk(path).get(), "man/jobctl.1 is missing")
    #expect(
      String(decoding: committed, as: UTF8.self) == rendered,
      "man/jobctl.1 is stale: run JOBCTL_UPDATE_GOLDEN=1 make test")
  }

  @Test func manualNamesEveryOptionEnvironmentVariableAndExitCode() {
    let page = ManPage.render()
    for option in CommandTable.allOptions {
      #expect(page.contains("\\-\\-\(ManPage.escape(option.long))\\fR"), "--\(option.long) missing from the manual")
      if let env = option.environment { #expect(page.contains(env)) }
    }
    for command in CommandTable.commands { #expect(page.contains(".B jobctl \(command.name)")) }
    for (code, _) in exitCodeTable { #expect(page.contains("\n\(code)\t")) }
    #expect(page.contains("JOBCTL_TOKEN"))
  }

  @Test func readmeNamesEveryCommandOptionAndExitCode() throws {
    let readme = String(
      decoding: try #require(try? Services.readFileFromDisk(repositoryRoot + "/README.md").get()), as: UTF8.self)
    for option in CommandTable.allOptions {
      #expect(readme.contains("--\(option.long)"), "README lacks --\(option.long)")
    }
    for command in CommandTable.commands {
      #expect(readme.contains("jobctl \(command.name)"), "README lacks \(command.name)")
    }
    for (code, _) in exitCodeTable { #expect(readme.contains("| \(code) |"), "README lacks exit code \(code)") }
  }
}
