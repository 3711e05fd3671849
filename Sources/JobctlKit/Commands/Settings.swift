import JobctlEngine
import JobctlHTTP
import JobctlOutput
import JobctlShapes
import JobctlSupport
import JobctlTransport

/// Where settings come from, in order of precedence: flags, the environment, the selected
/// profile of the config file.
struct Layers {
  let invocation: Invocation
  let environment: [String: String]
  let config: ConfigFile?
  let profile: [ConfigFile.Entry]

  /// A value with a name for where it came from, for error messages.
  struct Found {
    let value: String
    let origin: String
    /// Given as a flag, rather than by the environment, the config file or a shape.
    var onCommandLine = false
  }

  /// The option's value: the flag, else its environment variable when that holds the value and
  /// is not empty, else the profile's key of the same name (the table names both).
  func value(_ option: OptionKey) -> Found? {
    let spec = option.spec
    if let v = invocation.value(option) { return Found(value: v, origin: "--\(spec.long)", onCommandLine: true) }
    if let name = spec.valueVariable, let v = environment[name], !v.isEmpty { return Found(value: v, origin: name) }
    if let key = spec.configKey, let entry = profile.last(where: { $0.key == key }), let config {
      return Found(value: entry.value, origin: "\(config.path):\(entry.line): \(key)")
    }
    return nil
  }

  /// What the option's variable holds in place of the option's file (`JOBCTL_TOKEN`: the token),
  /// empty too; nil when it is not set or holds the option's value.
  func content(_ option: OptionKey) -> String? {
    guard let variable = option.spec.environment, variable.holds == .content else { return nil }
    return environment[variable.name]
  }

  /// Every value of a repeatable option: the profile's first, then the flags'.
  func all(_ option: OptionKey) -> [Found] {
    let long = option.spec.long
    let fromFile = profile.filter { $0.key == option.spec.configKey }.map {
      Found(value: $0.value, origin: "\(config?.path ?? ""):\($0.line): \(long)")
    }
    return fromFile + invocation.all(option).map { Found(value: $0, origin: "--\(long)", onCommandLine: true) }
  }

  /// The option's value read as its type says (`OptionSpec.type`), with where it came from.
  ///
  /// Nil when no layer gives one; a value not of the type is a usage error naming where it was set.
  func typed(_ option: OptionKey) throws(JobctlError) -> (value: TypedValue, found: Found)? {
    guard let found = value(option) else { return nil }
    return (try read(found, as: option.spec), found)
  }

  /// A flag: given on the command line, or `true` in the profile.
  func flag(_ option: OptionKey) throws(JobctlError) -> Bool {
    guard case .flag(let on)? = try typed(option)?.value else { return false }
    return on
  }

  /// A duration, when one is given.
  func seconds(_ option: OptionKey) throws(JobctlError) -> Double? {
    guard case .seconds(let d)? = try typed(option)?.value else { return nil }
    return d
  }

  /// `~/` at the start of a path is the home folder: a config file cannot count on a shell.
  func expandHome(_ path: String) -> String {
    guard path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
    return home + path.dropFirst()
  }

  /// One value read as the option's type; the messages are the same whichever layer gave it.
  private func read(_ found: Found, as spec: OptionSpec) throws(JobctlError) -> TypedValue {
    let text = found.value
    switch spec.type {
    case .flag:
      // A flag on the command line holds no value: being there is `true`.
      if found.onCommandLine { return .flag(true) }
      switch Text.lowercased(text) {
      case "true", "yes", "on", "1": return .flag(true)
      case "false", "no", "off", "0": return .flag(false)
      default: throw .usage(.notBoolean(origin: found.origin, value: text))
      }
    case .text: return .text(text)
    case .path: return .text(expandHome(text))
    case .choice:
      guard spec.choices.contains(text) else {
        throw .usage(.notAChoice(origin: found.origin, choices: spec.choices, value: text))
      }
      return .text(text)
    case .duration:
      guard let d = DurationText.parse(text) else {
        throw .usage(.notADuration(origin: found.origin, value: text))
      }
      guard d > 0 else { throw .usage(.notPositive(origin: found.origin)) }
      return .seconds(d)
    case .count(let range):
      guard let n = Int(text), range.contains(n) else {
        throw .usage(.notAWholeNumber(origin: found.origin, lowest: range.lowerBound, value: text))
      }
      return .count(n)
    case .time:
      guard let t = Instant.parse(text) else {
        throw .usage(.notATime(origin: found.origin, value: text))
      }
      return .time(t)
    }
  }
}

/// An option's value as its type reads it (`OptionSpec.type`).
enum TypedValue: Equatable {
  case flag(Bool)
  /// Free text, a path (`~/` expanded) or one of the choices.
  case text(String)
  case seconds(Double)
  case count(Int)
  /// A Unix time.
  case time(Double)
}

/// A settings field that one option's value fills (`Settings.set`).
protocol SettingValue {
  /// The field's value; nil when the option's type reads another kind of value.
  init?(_ value: TypedValue)
}

extension Double: SettingValue {
  init?(_ value: TypedValue) {
    guard case .seconds(let d) = value else { return nil }
    self = d
  }
}

extension Int: SettingValue {
  init?(_ value: TypedValue) {
    guard case .count(let n) = value else { return nil }
    self = n
  }
}

extension Bool: SettingValue {
  init?(_ value: TypedValue) {
    guard case .flag(let on) = value else { return nil }
    self = on
  }
}

extension Optional: SettingValue where Wrapped: SettingValue {
  init?(_ value: TypedValue) {
    guard let wrapped = Wrapped(value) else { return nil }
    self = .some(wrapped)
  }
}

/// A choice: the case its name names (the option's choices are the cases' names).
protocol ChoiceSetting: SettingValue, RawRepresentable<String> {}

extension ChoiceSetting {
  init?(_ value: TypedValue) {
    guard case .text(let name) = value else { return nil }
    self.init(rawValue: name)
  }
}

extension OutputSettings.Format: ChoiceSetting {}
extension OutputSettings.ProgressMode: ChoiceSetting {}
extension OutputSettings.ColorMode: ChoiceSetting {}

/// Everything a network command needs, resolved from flags, the environment and the config file
/// (in that order of precedence, then defaults), and validated before anything is sent.
package struct Settings {
  package var baseURL: URLParts?
  package var baseURLText: String?
  package var token: String?
  /// Where the token was read from, to read it again when it changes (docs/behaviour.md "Secrets").
  package var tokenFile: String?
  /// `Basic ...` from the user and password of the base URL, which is then kept without them.
  package var basicAuthorization: String?
  package var headers: [HTTPHeader] = []
  /// The shape that judges answers; nil means auto.
  package var dialect: Dialect?
  /// The shape's conventions in use (jobs path, cancel, output URL, where a start finds its job):
  /// the selected shape's, or under auto the defaults with any shape flags.
  package var shape: Dialect = Dialects.auto
  /// The jobs path template as given.
  package var jobsPath: String
  package var transport = TransportOptions()
  package var policy = PollPolicy()
  package var output = OutputSettings()
  /// Things `--verbose` tells before anything is sent (a token file others can read).
  package var notes: [String] = []

  /// The names (lowercased) of the headers given with -H or a profile: a shape's own header of
  /// that name (`poll-header`, `start-header`, `cancel-header`) gives way.
  package var givenHeaderNames: Set<String> = []

  /// The userinfo of the base URL, of JOB and PATH arguments given as URLs, and of the proxy
  /// variables libcurl reads (see `Credentials.userinfoSecrets`).
  package var urlSecrets: [String] = []

  /// Options the config file may set, by their long names (the table says which).
  package static let configKeys: Set<String> = Set(CommandTable.allOptions.compactMap(\.configKey))

  /// The config file's path: `--config`, its variable, `$XDG_CONFIG_HOME/jobctl/config`, or
  /// `~/.config/jobctl/config`; `explicit` when the user named it (then it must exist).
  static func configPath(_ flagsAndEnvironment: Layers) -> (path: String, explicit: Bool)? {
    let environment = flagsAndEnvironment.environment
    if let found = flagsAndEnvironment.value(.config) { return (found.value, true) }
    if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { return (x + "/jobctl/config", false) }
    if let h = environment["HOME"], !h.isEmpty { return (h + "/.config/jobctl/config", false) }
    return nil
  }

  /// Reads the config file and picks the profile (`--profile`, its variable, `default`).
  static func layers(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Layers
  {
    // The file and the profile are named by a flag or the environment only, never by the file.
    let named = Layers(invocation: invocation, environment: environment, config: nil, profile: [])
    let config = try configFile(named, services: services)
    let profile = try profile(named.value(.profile)?.value, in: config)
    return Layers(invocation: invocation, environment: environment, config: config, profile: profile)
  }

  /// The config file, nil when there is none where it is looked for by default.
  static func configFile(_ named: Layers, services: Services) throws(JobctlError) -> ConfigFile? {
    guard let (path, explicit) = configPath(named) else { return nil }
    switch services.readFile(path) {
    case .success(let bytes):
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw .usage(.notUTF8("the config file", path: path))
      }
      return try ConfigFile(path: path, text: text, keys: configKeys, shapeKeys: Set(ShapeDescription.keys))
    case .failure(let e):
      if explicit || services.fileExists(path) {
        throw e.error(.cannotRead("the config file", path: path, reason: e.reason))
      }
      return nil
    }
  }

  /// The entries of the profile named, else of `[default]` (none without a file).
  static func profile(_ name: String?, in config: ConfigFile?) throws(JobctlError) -> [ConfigFile.Entry] {
    guard let name else { return config?.profiles["default"] ?? [] }
    guard let config, let entries = config.profiles[name] else {
      let hint = Suggest.didYouMean(name, among: config?.profileNames ?? [])
      throw .usage(.noProfile(name, configFile: config?.path, hint: hint))
    }
    return entries
  }

  /// Resolves and validates: every problem is a usage error naming what to fix and where it was set.
  ///
  /// Each step reads its options from the layers (`Layers.value` holds the precedence).
  package static func resolve(_ invocation: Invocation, environment: [String: String], services: Services)
    throws(JobctlError) -> Settings
  {
    let layers = try layers(invocation, environment: environment, services: services)
    var s = Settings(jobsPath: "/jobs/{id}")
    for step in steps { try step.apply(&s, layers, services) }
    return s
  }
}

extension Settings {
  /// One step of `resolve`: the options it reads, and how their values land in the settings.
  struct Step: Sendable {
    typealias Apply = @Sendable (inout Settings, Layers, Services) throws(JobctlError) -> Void
    let reads: [OptionKey]
    let apply: Apply

    init(reads: [OptionKey], _ apply: @escaping Apply) {
      self.reads = reads
      self.apply = apply
    }
  }

  /// An option whose value, read as its type says, goes to one field as it is.
  static func set<Value: SettingValue>(_ option: OptionKey, _ field: WritableKeyPath<Settings, Value> & Sendable)
    -> Step
  {
    Step(reads: [option]) { s, layers, _ throws(JobctlError) in
      guard let (value, _) = try layers.typed(option) else { return }
      // The table's type and the field's disagree: a mistake in `steps` (every option set here is a
      // config key, and OptionTableTests.everyConfigKeyResolves sets each one).
      guard let typed = Value(value) else { preconditionFailure("--\(option.spec.long) does not fit its field") }
      s[keyPath: field] = typed
    }
  }

  /// What `resolve` does, in order.
  ///
  /// The order is the one problems are reported in, and some steps need what an earlier one set:
  /// the signing needs the shape, the token and the headers; `--timeout` bounds the read of a
  /// token file that is a pipe.
  static let steps: [Step] = [
    Step(reads: [.baseURL], resolveBaseURL),
    Step(reads: [], collectURLSecrets),
    Step(reads: [.dialect, .jobsPath] + CommandTable.shape.options.map(\.key)) { s, layers, _ throws(JobctlError) in
      try resolveShape(layers, into: &s)
      s.policy.answerRules = s.shape.answerRules
    },
    Step(reads: [.tokenFile, .timeout], resolveToken),
    Step(reads: [.header], resolveHeaders),
    Step(reads: [.unixSocket], resolveUnixSocket),
    Step(reads: []) { s, layers, services throws(JobctlError) in
      try AWSCredentials.resolve(environment: layers.environment, services: services, into: &s)
    },
    set(.connectTimeout, \.transport.connectTimeout),
    set(.requestTimeout, \.transport.requestTimeout),
    set(.maxConnections, \.transport.maxHostConnections),
    Step(reads: [.cacert], resolveCAFile),
    set(.insecure, \.transport.insecure),
    Step(reads: [.cert], resolveCertificate),
    Step(reads: [.key], resolveKey),
    set(.interval, \.policy.interval),
    set(.maxInterval, \.policy.maxInterval),
    Step(reads: [.timeout]) { s, layers, services throws(JobctlError) in
      s.policy.timeout = try layers.seconds(.timeout)
      // --timeout counts from here, the start of the process: a start's own retries count too.
      s.policy.startedAt = services.clock.monotonic
    },
    Step(reads: [.until], resolveUntil),
    set(.slowDown, \.policy.slowDown),
    set(.staleAfter, \.policy.staleAfter),
    set(.maxAttempts, \.policy.maxAttempts),
    set(.maxErrors, \.policy.maxErrors),
    set(.format, \.output.format),
    Step(reads: [.json]) { s, layers, _ throws(JobctlError) in
      if try layers.flag(.json) { s.output.format = .json }
    },
    Step(reads: [.field], resolveField),
    set(.quiet, \.output.quiet),
    Step(reads: []) { s, layers, _ throws(JobctlError) in
      s.output.actions = GitHubActions.running(in: layers.environment)
    },
    set(.progress, \.output.progress),
    set(.color, \.output.color),
    set(.verbose, \.output.verbose),
  ]
}

extension Settings {
  /// The base URL; a user and password in it become a credential header bound to its host.
  static func resolveBaseURL(_ s: inout Settings, _ layers: Layers, _: Services) throws(JobctlError) {
    guard let found = layers.value(.baseURL) else { return }
    guard let parts = URLParts(found.value) else {
      throw .usage(.badBaseURL(origin: found.origin, shown: Credentials.shownURL(found.value, limit: 200)))
    }
    s.baseURL = parts
    s.baseURLText = found.value
    guard let userinfo = parts.userinfo else { return }
    // Sent as a credential header bound to the base URL's host, like the token, rather than left
    // in the URL: a /path, or a job URL the server hands back, would drop it there.
    s.urlSecrets += Credentials.userinfoSecrets(userinfo)
    s.basicAuthorization = Credentials.basicCredentials(userinfo)
    let b = Array(found.value.utf8)
    let start = parts.scheme.utf8.count + 3
    let text = String(decoding: b[..<start] + b[(start + userinfo.utf8.count + 1)...], as: UTF8.self)
    s.baseURLText = text
    s.baseURL = URLParts(text)
  }

  /// The users and passwords of JOB and PATH arguments given as URLs, and of the proxies.
  static func collectURLSecrets(_ s: inout Settings, _ layers: Layers, _: Services) {
    for url in layers.invocation.arguments {
      if let userinfo = URLParts(url)?.userinfo { s.urlSecrets += Credentials.userinfoSecrets(userinfo) }
    }
    for name in proxyVariables {
      if let value = layers.environment[name] { s.urlSecrets += Credentials.proxySecrets(value) }
    }
  }

  /// The token: `--token-file`, then the token variable, then the profile's token-file.
  static func resolveToken(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    let file = layers.value(.tokenFile)
    if let file, file.onCommandLine {
      s.tokenFile = layers.expandHome(file.value)
    } else if let t = layers.content(.tokenFile) {
      s.token = Text.trimmed(t)
    } else if let file {
      s.tokenFile = layers.expandHome(file.value)
    }
    // A token file that is a pipe is waited on no longer than --timeout.
    if let t = try layers.seconds(.timeout) { BoundedInput.limit(seconds: t) }
    if let path = s.tokenFile { s.token = try readToken(path, services: services, notes: &s.notes) }
    guard let token = s.token else { return }
    guard !token.isEmpty else {
      throw .usage(
        .emptyToken(variable: CommandTable.variable(.tokenFile), option: "--" + OptionKey.tokenFile.spec.long))
    }
    guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
      throw .usage(.tokenHasControlCharacters)
    }
  }

  /// A header given with -H replaces the profile's header of the same name, and both replace a
  /// shape's header (`--dialect github-run` sends its own Accept).
  static func resolveHeaders(_ s: inout Settings, _ layers: Layers, _: Services) throws(JobctlError) {
    var flagHeaders: [HTTPHeader] = []
    var fileHeaders: [HTTPHeader] = []
    for found in layers.all(.header) {
      let header = try parseHeader(found)
      if found.onCommandLine { flagHeaders.append(header) } else { fileHeaders.append(header) }
    }
    fileHeaders.removeAll { file in flagHeaders.contains { Text.equalsIgnoringCase($0.name, file.name) } }
    var shapeHeaders: [HTTPHeader] = []
    for entry in s.shape.shapeHeaders {
      for value in entry.values {
        shapeHeaders.append(
          try parseHeader(Layers.Found(value: value, origin: entry.origin.isEmpty ? "shape-header" : entry.origin)))
      }
    }
    let given = fileHeaders + flagHeaders
    shapeHeaders.removeAll { shape in given.contains { Text.equalsIgnoringCase($0.name, shape.name) } }
    s.headers = shapeHeaders + given
    s.givenHeaderNames = Set(given.map { Text.lowercased($0.name) })
  }

  /// The UNIX socket every request goes through, which must be there now.
  static func resolveUnixSocket(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    guard let found = layers.value(.unixSocket) else { return }
    guard !found.value.isEmpty else { throw .usage(.noSocketPath(origin: found.origin)) }
    let path = layers.expandHome(found.value)
    // Said at once: a socket file that is not there is no server that may come back.
    guard let mode = services.fileMode(path) else {
      throw .unreachable(.socketMissing(path: path, origin: found.origin))
    }
    guard mode & 0o170000 == 0o140000 else {
      throw .usage(.notASocket(path: path, origin: found.origin))
    }
    s.transport.unixSocket = path
  }

  /// A TLS file's path, once it reads: libcurl gets it by path and would block on a FIFO, so a
  /// regular file only.
  static func tlsFile(_ option: OptionKey, _ what: String, _ layers: Layers, _ services: Services)
    throws(JobctlError) -> (path: String, found: Layers.Found)?
  {
    guard let (value, found) = try layers.typed(option), case .text(let path) = value else { return nil }
    if case .failure(let e) = services.readRegularFile(path) {
      throw .usage(.cannotRead(what, path: path, origin: found.origin, reason: e.reason))
    }
    return (path, found)
  }

  static func resolveCAFile(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    if let (path, _) = try tlsFile(.cacert, "the CA file", layers, services) { s.transport.caFile = path }
  }

  static func resolveCertificate(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    if let (path, _) = try tlsFile(.cert, "the client certificate", layers, services) { s.transport.certFile = path }
  }

  /// The key of `--cert`, read like a token file: whatever its mode, noted when others can read it.
  static func resolveKey(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    if let key = layers.value(.key), s.transport.certFile == nil {
      throw .usage(.keyWithoutCertificate(origin: key.origin))
    }
    guard let (path, _) = try tlsFile(.key, "the key file", layers, services) else { return }
    noteReadableByOthers("the key file", path, services: services, notes: &s.notes)
    s.transport.keyFile = path
  }

  /// `--until`: a time still to come; reads of a pipe are bounded by it too.
  static func resolveUntil(_ s: inout Settings, _ layers: Layers, _ services: Services) throws(JobctlError) {
    guard let (value, found) = try layers.typed(.until), case .time(let until) = value else { return }
    guard until > services.clock.wall else {
      throw .timedOut(.untilPassed(origin: found.origin, until: until))
    }
    s.policy.until = until
    BoundedInput.limit(seconds: until - services.clock.wall)
  }

  /// `--field`: a dotted path into the final document.
  static func resolveField(_ s: inout Settings, _ layers: Layers, _: Services) throws(JobctlError) {
    guard let found = layers.value(.field) else { return }
    guard let path = JSONPath(found.value) else {
      throw .usage(.notAFieldPath(origin: found.origin, value: found.value))
    }
    s.output.field = path
  }

  /// Picks and checks the response shape (docs/shapes.md "Any job API").
  ///
  /// A built-in or named description, then its `[dialect NAME]` section, then the shape flags, key by key. Shape flags without a dialect
  /// describe a shape of their own; without either, auto judges and the defaults hold.
  static func resolveShape(_ layers: Layers, into s: inout Settings) throws(JobctlError) {
    var flags: [ShapeDescription.Entry] = []
    // The shape options are named as the shape's keys (a test checks they are the same set).
    for option in CommandTable.shape.options {
      let values = layers.invocation.all(option.key)
      if !values.isEmpty { flags.append(.init(option.long, values, origin: "--\(option.long)")) }
    }
    // --jobs-path is also a profile key, as it was before shapes had sections.
    let jobsPath = OptionKey.jobsPath.spec.long
    if let found = layers.value(.jobsPath) { flags.append(.init(jobsPath, [found.value], origin: found.origin)) }
    let found = layers.value(.dialect)
    let name = found.map { Text.trimmed($0.value) } ?? "auto"
    let own = ShapeDescription(name: name == "auto" ? "command-line" : name, flags)
    // Flags that decide states describe a shape of their own; others adjust auto's conventions.
    var description = own.hasConditions ? own : Dialects.autoShape.overlaid(with: own)
    description.name = own.name
    var base: Dialect?
    if name != "auto" {
      base = Dialects.named(name)
      let section = layers.config?.dialects[name]
      guard base != nil || section != nil else {
        let sections = layers.config?.dialects.keys.sorted() ?? []
        let hint = Suggest.didYouMean(name, among: Dialects.names + sections)
        throw .usage(
          .unknownShape(name, origin: found?.origin ?? "--dialect", hint: hint, known: Dialects.names + sections))
      }
      description = base?.shape ?? ShapeDescription(name: name, [])
      if let section, let config = layers.config {
        var entries: [ShapeDescription.Entry] = []
        for entry in section {
          if let i = entries.firstIndex(where: { $0.key == entry.key }) {
            entries[i] = .init(entry.key, entries[i].values + [entry.value], origin: entries[i].origin)
          } else {
            entries.append(.init(entry.key, [entry.value], origin: "\(config.path):\(entry.line)"))
          }
        }
        description = description.overlaid(with: ShapeDescription(name: name, entries))
      }
      description = description.overlaid(with: own)
      description.name = name
    }
    let shape = try Dialect(description, detection: base?.detectionText ?? [], resultKeys: base?.resultKeys ?? [])
    s.shape = shape
    s.jobsPath = shape.jobsPath.description
    guard name != "auto" || description.hasConditions else { return }
    guard shape.shape.hasConditions else {
      throw .usage(.shapeWithoutCondition(name))
    }
    s.dialect = shape
  }

  /// Reads a token file, noting (for `--verbose`) when others may read it.
  static func readToken(_ path: String, services: Services, notes: inout [String]) throws(JobctlError) -> String {
    switch services.readFile(path) {
    case .failure(let e):
      throw e.error(.cannotRead("the token file", path: path, reason: e.reason))
    case .success(let bytes):
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw .usage(.notUTF8("the token file", path: path))
      }
      noteReadableByOthers("the token file", path, services: services, notes: &notes)
      return Text.trimmed(text)
    }
  }

  /// Notes (for `--verbose`) a file of secrets that users other than its owner can read.
  ///
  /// Such a file is used all the same: secret mounts are 0444 or 0644, and refusing them helps
  /// nobody.
  static func noteReadableByOthers(_ what: String, _ path: String, services: Services, notes: inout [String]) {
    guard let mode = services.fileMode(path), mode & 0o044 != 0 else { return }
    notes.append(
      "\(what) \(Text.oneLine(path, limit: 200)) can be read by others (mode \(String(mode & 0o777, radix: 8)))")
  }

  /// `Name: value`, refusing what could split or forge a header.
  static func parseHeader(_ found: Layers.Found) throws(JobctlError) -> HTTPHeader {
    let raw = found.value
    // Scalars, not Characters: "\r\n" is a single Character and would slip past contains("\r").
    guard !raw.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
      throw .usage(.headerLineBreak)
    }
    guard let (name, rest) = Text.splitHeader(Substring(raw)) else {
      // The value is not echoed: a mistyped `Authorization Bearer ...` would print the token.
      throw .usage(.headerWithoutColon(origin: found.onCommandLine ? "-H" : found.origin))
    }
    let value = Text.trimmed(rest)
    guard Text.isHeaderName(name) else {
      throw .usage(.badHeaderName(String(name)))
    }
    guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
      throw .usage(.headerValueControl(name: String(name)))
    }
    return HTTPHeader(name, String(value))
  }

  /// The credentials, with the token as `Authorization: Bearer` (else the base URL's user and
  /// password as `Basic`), then the extra headers.
  package var requestHeaders: [HTTPHeader] {
    var h =
      headers.contains(where: { Text.equalsIgnoringCase($0.name, "Accept") })
      ? [] : [HTTPHeader("Accept", "application/json")]
    // An explicit -H Authorization wins over the token: never two Authorization headers.
    if !headers.contains(where: { Text.equalsIgnoringCase($0.name, "Authorization") }) {
      if let token {
        h.append(HTTPHeader("Authorization", "Bearer \(token)"))
      } else if let basicAuthorization {
        h.append(HTTPHeader("Authorization", basicAuthorization))
      }
    }
    return h + headers
  }

  /// Every secret value, for scrubbing diagnostics.
  package var secrets: [String] {
    var list = token.map { [$0, "Bearer \($0)"] } ?? []
    list += headers.filter { Credentials.isCredentialHeader($0.name) }.map(\.value)
    if let signing = transport.signing { list.append(signing.secretKey) }
    // A shape's own headers for one kind of request, as written (their variables name the job).
    let own = (shape.poll?.headers ?? []) + shape.startHeaders + (shape.cancel?.headers ?? [])
    list += own.filter { Credentials.isCredentialHeader($0.name) }.map(\.value.description)
    return list + urlSecrets
  }

  /// The proxy variables libcurl reads, in either case.
  static let proxyVariables = ["http_proxy", "https_proxy", "all_proxy"].flatMap { [$0, $0.uppercased()] }
}

/// Why a file could not be read.
package struct FileError: Error {
  package let reason: String
  /// What ended a wait on a pipe early (a signal, the run's deadline), reported as itself.
  package var interruption: JobctlError?
  package init(reason: String, interruption: JobctlError? = nil) {
    self.reason = reason
    self.interruption = interruption
  }
  /// The error to throw: the interruption, else a usage error for `cause`.
  package func error(_ cause: JobctlError.Cause) -> JobctlError { interruption ?? .usage(cause) }
}
