import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct ConfigFileTests {
  private let keys = Settings.configKeys

  @Test func parsesSectionsKeysCommentsAndQuotes() throws {
    let file = try ConfigFile(
      path: "/c",
      text: """
        # jobctl settings
        [default]
        base-url = https://api.example.com   # the API
        header = X-Org: acme

        [profile staging]
        base-url = "https://staging.example.com"
        interval=5s
        """, keys: keys)
    #expect(file.profileNames == ["default", "staging"])
    #expect(file.profiles["default"]?.map(\.key) == ["base-url", "header"])
    #expect(file.profiles["default"]?.first?.value == "https://api.example.com")
    #expect(file.profiles["staging"]?.first?.value == "https://staging.example.com")
    #expect(file.profiles["staging"]?.last == ConfigFile.Entry(key: "interval", value: "5s", line: 8))
  }

  @Test(
    arguments: [
      ("[default]\nbogus = 1\n", 2, .unknownConfigKey("bogus")),
      ("base-url = x\n", 1, .keyBeforeSection("base-url")),
      ("[default]\njust words\n", 2, .notKeyValue),
      ("[staging]\n", 1, .unknownSection("staging")),
      ("[default\n", 1, .unclosedSection),
      ("[dialect d]\nstatus = x\n", 2, .unknownShapeKey("status", section: "d")),
    ] as [(String, Int, JobctlError.Cause)])
  func errorsNameTheFileAndLine(_ text: String, _ line: Int, _ cause: JobctlError.Cause) {
    #expect(throws: JobctlError.usage(.configLine(path: "/c", line: line, cause))) {
      try ConfigFile(path: "/c", text: text, keys: keys)
    }
  }

  private func settings(_ args: [String], env: [String: String] = [:], config: String, modes: [String: UInt32] = [:])
    throws(JobctlError) -> Settings
  {
    var environment = env
    environment["HOME"] = "/home/u"
    let files = ["/home/u/.config/jobctl/config": config, "/home/u/tok": "file-token\n", "/etc/jc": config]
    let invocation = try ArgumentParser.parse(["wait", "j"] + args)
    return try Settings.resolve(
      invocation, environment: environment, services: fakeServices(files: files, modes: modes))
  }

  private let config = """
    [default]
    base-url = http://default.test
    interval = 7s
    header = X-Org: acme
    header = X-Team: core
    token-file = ~/tok
    [profile staging]
    base-url = http://staging.test
    dialect = staged
    quiet = true
    """

  @Test func precedenceIsFlagThenEnvironmentThenProfileThenDefault() throws {
    let fromFile = try settings([], config: config)
    #expect(fromFile.baseURL?.host == "default.test")
    #expect(fromFile.policy.interval == 7)
    #expect(fromFile.policy.maxInterval == 30)
    #expect(fromFile.token == "file-token")
    #expect(fromFile.headers == [HTTPHeader("X-Org", "acme"), HTTPHeader("X-Team", "core")])
    let fromEnv = try settings(
      [], env: ["JOBCTL_BASE_URL": "http://env.test", "JOBCTL_TOKEN": "env-token"], config: config)
    #expect(fromEnv.baseURL?.host == "env.test")
    #expect(fromEnv.token == "env-token")
    let fromFlag = try settings(
      ["--base-url", "http://flag.test", "--interval", "1s", "-H", "X-Org: other"],
      env: ["JOBCTL_BASE_URL": "http://env.test"],
      config: config)
    #expect(fromFlag.baseURL?.host == "flag.test")
    #expect(fromFlag.policy.interval == 1)
    #expect(fromFlag.headers == [HTTPHeader("X-Team", "core"), HTTPHeader("X-Org", "other")])
  }

  @Test func profilesAreChosenByFlagOrEnvironment() throws {
    let staging = try settings(["--profile", "staging"], config: config)
    #expect(staging.baseURL?.host == "staging.test")
    #expect(staging.dialect?.name == "staged")
    #expect(staging.output.quiet)
    #expect(staging.policy.interval == 2)
    #expect(try settings([], env: ["JOBCTL_PROFILE": "staging"], config: config).baseURL?.host == "staging.test")
    #expect(
      try settings(["--config", "/etc/jc", "--profile", "staging"], config: config).baseURL?.host == "staging.test")
  }

  @Test func badValuesInTheFileNameTheirLine() {
    #expect(
      throws: JobctlError.usage(.notADuration(origin: "/home/u/.config/jobctl/config:2: interval", value: "soon"))
    ) {
      try settings([], config: "[default]\ninterval = soon\n")
    }
    #expect(throws: JobctlError.self) { try settings(["--profile", "nope"], config: config) }
    #expect(throws: JobctlError.self) { try settings(["--config", "/missing"], config: config) }
    #expect(throws: JobctlError.self) { try settings([], config: "[default]\ndialect = soap\n") }
  }

  @Test func aTokenFileIsUsedWhateverItsModeAndOneOthersCanReadIsNoted() throws {
    for mode in [0o100644, 0o100444, 0o100640] {
      let s = try settings([], config: config, modes: ["/home/u/tok": UInt32(mode)])
      #expect(s.token != nil)
      let octal = String(mode & 0o777, radix: 8)
      #expect(s.notes == ["the token file /home/u/tok can be read by others (mode \(octal))"])
    }
    #expect(try settings([], config: config, modes: ["/home/u/tok": 0o100600]).notes.isEmpty)
  }

  @Test func noConfigFileIsFine() throws {
    let s = try Settings.resolve(
      try ArgumentParser.parse(["wait", "j"]), environment: ["HOME": "/home/none"], services: fakeServices())
    #expect(s.baseURL == nil)
  }
}
