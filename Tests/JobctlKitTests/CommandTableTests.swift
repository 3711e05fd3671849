import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct CommandTableTests {
  @Test func withinEachCommandEveryNameIsUniqueAndOptionsSharingANameParseAlike() {
    #expect(CommandTable.problems(in: CommandTable.commands) == [])
  }

  /// The check itself: a command with one spelling twice, and two commands whose `--all` would
  /// parse differently, are both caught.
  @Test func theTableCheckFindsRepeatedAndDisagreeingNames() {
    func option(_ key: OptionKey, _ long: String, short: Character? = nil, value: String? = nil) -> OptionSpec {
      OptionSpec(
        key: key, long: long, short: short, value: value, choices: [], repeatable: false, openChoices: false,
        type: value == nil ? .flag : .text, environment: nil, inConfigFile: false, completion: .none, help: "")
    }
    func command(_ key: CommandKey, _ options: [OptionSpec]) -> CommandSpec {
      CommandSpec(
        key: key, name: key.rawValue, arguments: "", summary: "", details: "", examples: [],
        groups: [OptionGroup(title: "T", options: options)], arity: 0...0, run: { _, _, _ in 0 })
    }
    let twice = command(.wait, [option(.quiet, "quiet", short: "q"), option(.verbose, "verbose", short: "q")])
    #expect(
      CommandTable.problems(in: [twice]) == [
        "wait: -q names two options", "-q parses as -q, --quiet in one command, -q, --verbose in another",
      ])
    let list = command(.list, [option(.allPages, "all", value: "N")])
    let wait = command(.wait, [option(.allJobs, "all")])
    #expect(CommandTable.problems(in: [wait, list]) == ["--all parses as --all in one command, --all N in another"])
  }

  /// A spelling two commands share is each command's own option, wherever it stands.
  @Test func aSharedSpellingIsTheCommandsOwnOption() throws {
    let list = try ArgumentParser.parse(["--all", "list"])
    #expect(list.has(.allPages) && !list.has(.allJobs))
    let wait = try ArgumentParser.parse(["wait", "a", "b", "--all"])
    #expect(wait.has(.allJobs) && !wait.has(.allPages))
    #expect(try ArgumentParser.parse(["output", "j", "-q"]).has(.quiet))
  }

  @Test func everyOptionBelongsToACommandAndEveryCommandIsInTheTable() {
    #expect(Set(CommandTable.allOptions.map(\.key)) == Set(OptionKey.allCases))
    #expect(CommandTable.commands.map(\.key) == CommandKey.allCases)
  }

  /// The shape options are read by the keys of a shape description (`--completed-when` is
  /// `completed-when`), `jobs-path` among the connection options.
  @Test func theShapeOptionsAreTheShapeKeys() {
    #expect(
      CommandTable.shape.options.map(\.long) + [OptionKey.jobsPath.spec.long]
        == ShapeDescription.keys.filter { $0 != "jobs-path" } + ["jobs-path"])
  }

  /// `--format` offers every format and takes each, from the flag and from a profile.
  @Test func everyFormatIsAChoiceOfFormat() throws {
    #expect(OptionKey.format.spec.choices == OutputSettings.Format.allCases.map(\.rawValue))
    for format in OutputSettings.Format.allCases {
      let invocation = try ArgumentParser.parse(["wait", "j", "--format", format.rawValue])
      let settings = try Settings.resolve(invocation, environment: [:], services: fakeServices())
      #expect(settings.output.format == format)
    }
  }
}
