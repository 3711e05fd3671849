import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The side tables (config keys, environment, file completion) come from the option table, and
/// `Settings.resolve` reads every option the same way from every layer.
@Suite struct OptionTableTests {
  /// The keys a config file took before they were derived from the table, so deriving changed none.
  @Test func theConfigKeysAreTheOptionsTheTableMarks() {
    #expect(
      Settings.configKeys == [
        "base-url", "token-file", "header", "dialect", "jobs-path", "cacert", "cert", "key", "insecure",
        "connect-timeout", "request-timeout", "max-connections", "verbose", "unix-socket", "timeout", "interval",
        "max-interval", "until", "slow-down", "max-attempts", "max-errors", "stale-after", "format", "quiet",
        "progress", "color",
      ])
    for option in CommandTable.allOptions {
      #expect(option.configKey == (option.inConfigFile ? option.long : nil))
    }
  }

  /// Every option a config file may set is read by some step of `resolve`: a key that nothing
  /// reads would be taken and then ignored.
  @Test func everyConfigKeyIsReadByAStep() {
    let read = Set(Settings.steps.flatMap(\.reads))
    for option in CommandTable.allOptions where option.inConfigFile {
      #expect(read.contains(option.key), "--\(option.long) is a config key no step reads")
    }
  }

  @Test func everyOptionsVariableIsInTheEnvironmentList() {
    let listed = CommandTable.environment.flatMap(\.names)
    for option in CommandTable.allOptions {
      guard let variable = option.environment else { continue }
      #expect(listed.contains(variable.name), "\(variable.name) of --\(option.long) is not listed")
      if variable.holds == .value {
        #expect(option.valueVariable == variable.name)
        #expect(
          CommandTable.environment.contains {
            $0.names == [variable.name] && $0.help == "\(variable.meaning) (--\(option.long))."
          })
      } else {
        #expect(option.valueVariable == nil)
      }
    }
    // The jobctl variables are exactly the options', in the order of the table.
    #expect(
      listed.filter { $0.hasPrefix("JOBCTL_") }
        == ["JOBCTL_BASE_URL", "JOBCTL_TOKEN", "JOBCTL_DIALECT", "JOBCTL_CONFIG", "JOBCTL_PROFILE"])
    #expect(CommandTable.otherEnvironment.allSatisfy { !$0.names.contains { $0.hasPrefix("JOBCTL_") } })
  }

  /// A path completes file names; the other kinds follow from choices unless the table says.
  @Test func completionFollowsTheKind() {
    var files: Set<OptionKey> = []
    for option in CommandTable.allOptions {
      if option.type == .path { #expect(option.completion == .files, "--\(option.long)") }
      if option.type == .choice { #expect(option.completion == .choices, "--\(option.long)") }
      #expect((option.type == .flag) == (option.value == nil), "--\(option.long)")
      if case .files = Completions.valueKind(option) { files.insert(option.key) }
    }
    // The set the scripts completed file names for before it was derived (`--data` for @FILE).
    #expect(files == [.tokenFile, .cacert, .cert, .key, .config, .output, .data, .unixSocket])
    #expect(OptionKey.dialect.spec.completion == .dialects)
    #expect(OptionKey.profile.spec.completion == .profiles)
    #expect(Completions.profileLister.hasPrefix("f=\"${JOBCTL_CONFIG:-"))
  }

  // MARK: - Resolving

  private let home = "/home/u"
  private var configPath: String { home + "/.config/jobctl/config" }

  private func layers(_ args: [String], env: [String: String] = [:], config: String) throws(JobctlError) -> Layers {
    var environment = env
    environment["HOME"] = home
    return try Settings.layers(
      try ArgumentParser.parse(["wait", "j"] + args), environment: environment,
      services: fakeServices(files: [configPath: config]))
  }

  /// For every option: the profile's value, unless the environment has one (where the option
  /// has a variable), unless a flag gives one.
  @Test func everyOptionIsTheFlagThenTheEnvironmentThenTheProfile() throws {
    let options = CommandTable.allOptions.filter(\.inConfigFile)
    let config = "[default]\n" + options.map { "\($0.long) = from-file\n" }.joined()
    let file = try layers([], config: config)
    for (line, option) in options.enumerated() {
      #expect(file.value(option.key)?.origin == "\(configPath):\(line + 2): \(option.long)")
    }
    var env: [String: String] = [:]
    for option in options { if let name = option.valueVariable { env[name] = "from-env" } }
    let fromEnv = try layers([], env: env, config: config)
    for option in options {
      let found = fromEnv.value(option.key)
      #expect(found?.value == (option.valueVariable == nil ? "from-file" : "from-env"), "--\(option.long)")
    }
    // An empty variable is no value: the profile's holds.
    #expect(try layers([], env: ["JOBCTL_BASE_URL": ""], config: config).value(.baseURL)?.value == "from-file")
    // A choice on the command line must be one (the parser checks): its first.
    func flagValue(_ option: OptionSpec) -> String { option.type == .choice ? option.choices[0] : "from-flag" }
    let flags = options.flatMap { $0.type == .flag ? ["--\($0.long)"] : ["--\($0.long)", flagValue($0)] }
    let fromFlags = try layers(flags, env: env, config: config)
    for option in options {
      let found = fromFlags.value(option.key)
      #expect(found?.origin == "--\(option.long)" && found?.onCommandLine == true)
      #expect(found?.value == (option.type == .flag ? "" : flagValue(option)))
    }
  }

  private func resolve(_ args: [String], env: [String: String] = [:], config: String) throws(JobctlError) -> Settings {
    var environment = env
    environment["HOME"] = home
    let files = [
      configPath: config, home + "/tok": "file-token\n", home + "/flag-tok": "flag-token", "/pem": "x",
      home + "/sock": "",
    ]
    return try Settings.resolve(
      try ArgumentParser.parse(["wait", "j"] + args), environment: environment,
      services: fakeServices(files: files, modes: [home + "/sock": 0o140000]))
  }

  /// Every config key, set in a profile, lands in its setting (a key with no check here fails).
  @Test func everyConfigKeyResolves() throws {
    let values: [String: String] = [
      "base-url": "http://cfg.test", "token-file": "~/tok", "header": "X-Cfg: 1", "dialect": "staged",
      "jobs-path": "/v2/{id}", "cacert": "/pem", "cert": "/pem", "key": "/pem", "insecure": "true",
      "connect-timeout": "1h", "request-timeout": "2h", "max-connections": "3", "verbose": "yes",
      "unix-socket": "~/sock", "timeout": "3h", "interval": "4s", "max-interval": "5m", "until": "@1795482398",
      "slow-down": "on", "max-attempts": "6", "max-errors": "7", "stale-after": "8m", "format": "ndjson",
      "quiet": "1", "progress": "none", "color": "never",
    ]
    let checks: [String: (Settings) -> Bool] = [
      "base-url": { $0.baseURL?.host == "cfg.test" }, "token-file": { $0.token == "file-token" },
      "header": { $0.headers.contains(HTTPHeader("X-Cfg", "1")) }, "dialect": { $0.dialect?.name == "staged" },
      "jobs-path": { $0.jobsPath == "/v2/{id}" }, "cacert": { $0.transport.caFile == "/pem" },
      "cert": { $0.transport.certFile == "/pem" }, "key": { $0.transport.keyFile == "/pem" },
      "insecure": { $0.transport.insecure }, "connect-timeout": { $0.transport.connectTimeout == 3600 },
      "request-timeout": { $0.transport.requestTimeout == 7200 },
      "max-connections": { $0.transport.maxHostConnections == 3 }, "verbose": { $0.output.verbose },
      "unix-socket": { $0.transport.unixSocket == "/home/u/sock" }, "timeout": { $0.policy.timeout == 10800 },
      "interval": { $0.policy.interval == 4 }, "max-interval": { $0.policy.maxInterval == 300 },
      "until": { $0.policy.until == 1_795_482_398 }, "slow-down": { $0.policy.slowDown },
      "max-attempts": { $0.policy.maxAttempts == 6 }, "max-errors": { $0.policy.maxErrors == 7 },
      "stale-after": { $0.policy.staleAfter == 480 }, "format": { $0.output.format == .ndjson },
      "quiet": { $0.output.quiet }, "progress": { $0.output.progress == .none },
      "color": { $0.output.color == .never },
    ]
    #expect(Set(values.keys) == Settings.configKeys && Set(checks.keys) == Settings.configKeys)
    let config = "[default]\n" + values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)\n" }.joined()
    let s = try resolve([], config: config)
    for (key, check) in checks { #expect(check(s), "\(key) did not land") }
    // None of them is the default: each check says something.
    let defaults = try resolve([], config: "")
    for (key, check) in checks { #expect(!check(defaults), "\(key) holds by default") }
  }

  @Test func theShapeIsTheFlagThenTheEnvironmentThenTheProfileThenAuto() throws {
    let config = "[default]\ndialect = staged\n"
    #expect(try resolve([], config: "").dialect == nil)
    #expect(try resolve([], config: config).dialect?.name == "staged")
    #expect(try resolve([], env: ["JOBCTL_DIALECT": "hotcrp"], config: config).dialect?.name == "hotcrp")
    #expect(
      try resolve(["--dialect", "simple"], env: ["JOBCTL_DIALECT": "hotcrp"], config: config).dialect?.name
        == "simple")
  }

  /// The token's variable holds the token, not a file's name, and comes between the flag and the
  /// profile; set but empty, it is an error rather than no token.
  @Test func theTokenIsTheFlagsFileThenTheVariableThenTheProfilesFile() throws {
    let config = "[default]\ntoken-file = ~/tok\n"
    #expect(try resolve([], config: config).token == "file-token")
    #expect(try resolve([], env: ["JOBCTL_TOKEN": " env-token\n"], config: config).token == "env-token")
    let flag = try resolve(["--token-file", "/home/u/flag-tok"], env: ["JOBCTL_TOKEN": "env-token"], config: config)
    #expect(flag.token == "flag-token" && flag.tokenFile == "/home/u/flag-tok")
    #expect(throws: JobctlError.usage(.emptyToken(variable: "JOBCTL_TOKEN", option: "--token-file"))) {
      try resolve([], env: ["JOBCTL_TOKEN": ""], config: config)
    }
  }

  /// A bad value gets the same cause from a flag and from the config file, only the origin differs.
  @Test(
    arguments: [
      ("interval", "soon", { @Sendable in .notADuration(origin: $0, value: "soon") }),
      ("stale-after", "0s", { @Sendable in .notPositive(origin: $0) }),
      ("max-errors", "0", { @Sendable in .notAWholeNumber(origin: $0, lowest: 1, value: "0") }),
      ("max-connections", "1000000001", { @Sendable in .notAWholeNumber(origin: $0, lowest: 1, value: "1000000001") }),
      ("until", "soon", { @Sendable in .notATime(origin: $0, value: "soon") }),
    ] as [(String, String, @Sendable (String) -> JobctlError.Cause)])
  func aBadValueReadsAlikeFromEveryLayer(
    _ key: String, _ value: String, _ cause: @Sendable (String) -> JobctlError.Cause
  ) {
    #expect(throws: JobctlError.usage(cause("--\(key)"))) { try resolve(["--\(key)", value], config: "") }
    #expect(throws: JobctlError.usage(cause("\(configPath):2: \(key)"))) {
      try resolve([], config: "[default]\n\(key) = \(value)\n")
    }
  }

  /// Choices and flags from a profile (the parser checks a flag's choices itself).
  @Test func aBadChoiceOrFlagInTheFileNamesItsLine() throws {
    let color = JobctlError.Cause.notAChoice(
      origin: "\(configPath):2: color", choices: ["auto", "always", "never"], value: "pink")
    #expect(throws: JobctlError.usage(color)) {
      try resolve([], config: "[default]\ncolor = pink\n")
    }
    #expect(throws: JobctlError.usage(.notBoolean(origin: "\(configPath):2: quiet", value: "maybe"))) {
      try resolve([], config: "[default]\nquiet = maybe\n")
    }
    // A flag given on the command line is `true` whatever the profile says.
    #expect(try resolve(["-q"], config: "[default]\nquiet = maybe\n").output.quiet)
  }
}
